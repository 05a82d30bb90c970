// The acceptance checks, as a client app would meet them through PostgREST.
import { afterAll, describe, expect, it } from "vitest";
import { asUser, connect, errorCodeOf, seededUsers, type TransactionSql } from "../support/database.ts";

const sql = connect();
afterAll(() => sql.end());

async function counts(): Promise<{ jobs: number; events: number }> {
  const [row] = await sql<{ jobs: number; events: number }[]>`
    select (select count(*)::int from public.scheduled_sms_jobs) as jobs,
           (select count(*)::int from public.sms_job_events) as events`;
  if (!row) throw new Error("no counts");
  return row;
}

/** Runs a statement as the user in its own committed transaction and returns the error code, if any. */
async function tryAs(userId: string, fn: (tx: TransactionSql) => Promise<unknown>): Promise<string | undefined> {
  try {
    await asUser(sql, userId, fn);
    return undefined;
  } catch (error) {
    return errorCodeOf(error);
  }
}

describe("workspace isolation", () => {
  it("owner@other.test sees no row of ws_demo and cannot write there", async () => {
    const job = await sql<{ id: string }[]>`
      select id from private.create_job('ws_demo', '+61412345678', 'private to demo', null, '{}', now() + interval '1 hour')`;
    const jobId = job[0]?.id ?? "";
    try {
      const visible = await asUser(sql, seededUsers.otherOwner.id, async (tx) => ({
        workspaces: await tx`select id from public.workspaces where id = 'ws_demo'`,
        jobs: await tx`select id from public.scheduled_sms_jobs where workspace_id = 'ws_demo'`,
        events: await tx`select id from public.sms_job_events where workspace_id = 'ws_demo'`,
        senders: await tx`select sender from public.workspace_senders where workspace_id = 'ws_demo'`,
        settings: await tx`select workspace_id from public.workspace_settings where workspace_id = 'ws_demo'`,
        members: await tx`select user_id from public.workspace_members where workspace_id = 'ws_demo'`,
        health: await tx`select workspace_id from public.sms_queue_health where workspace_id = 'ws_demo'`,
      }));
      for (const rows of Object.values(visible)) expect(rows).toHaveLength(0);

      const before = await counts();
      expect(await tryAs(seededUsers.otherOwner.id, (tx) => tx`
        insert into public.scheduled_sms_jobs (workspace_id, to_phone, from_number, body)
        values ('ws_demo', '+61412345678', '+15005550006', 'intruder')`)).toBe("workspace_not_found");
      expect(await tryAs(seededUsers.otherOwner.id, (tx) => tx`select public.cancel_sms_job(${jobId})`))
        .toBe("job_not_found");
      expect(await tryAs(seededUsers.otherOwner.id, (tx) => tx`
        update public.workspace_settings set timezone = 'UTC' where workspace_id = 'ws_demo'`)).toBeUndefined();
      const [settings] = await sql<{ timezone: string }[]>`
        select timezone from public.workspace_settings where workspace_id = 'ws_demo'`;
      expect(settings?.timezone).toBe("Australia/Brisbane");
      expect(await counts()).toEqual(before);
      const [stillScheduled] = await sql<{ status: string }[]>`select status from public.scheduled_sms_jobs where id = ${jobId}`;
      expect(stillScheduled?.status).toBe("scheduled");
    } finally {
      await sql`delete from public.scheduled_sms_jobs where id = ${jobId}`;
    }
  });

  it("viewer@demo.test can read but no insert succeeds", async () => {
    const before = await counts();
    expect(await tryAs(seededUsers.demoViewer.id, (tx) => tx`
      insert into public.scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_demo', '+61412345678', 'hi')`))
      .toBe("42501");
    expect(await tryAs(seededUsers.demoViewer.id, (tx) => tx`
      insert into public.recurring_sms_schedules (workspace_id, to_phone, body, cron_expression)
      values ('ws_demo', '+61412345678', 'hi', '0 9 * * 1')`)).toBe("42501");
    expect(await tryAs(seededUsers.demoViewer.id, (tx) => tx`
      insert into public.sms_opt_outs (workspace_id, phone) values ('ws_demo', '+61412345678')`)).toBe("42501");
    expect(await counts()).toEqual(before);
    const readable = await asUser(sql, seededUsers.demoViewer.id, (tx) => tx`select id from public.workspaces`);
    expect(readable.map((r) => r.id)).toEqual(["ws_demo"]);
  });
});

describe("direct inserts are validated by the database", () => {
  const cases: { name: string; values: Record<string, unknown>; code: string }[] = [
    { name: "an invalid phone", values: { to_phone: "0412 345 678" }, code: "invalid_phone" },
    { name: "an over-long body", values: { body: "x".repeat(1601) }, code: "invalid_body" },
    { name: "a past time", values: { scheduled_time: new Date(Date.now() - 10 * 60_000) }, code: "scheduled_time_in_past" },
    { name: "a foreign sender", values: { from_number: "+15017122661" }, code: "sender_not_allowed" },
  ];

  for (const c of cases) {
    it(`refuses ${c.name} with ${c.code} and leaves nothing behind`, async () => {
      const row = { workspace_id: "ws_demo", to_phone: "+61412345678", body: "hello", ...c.values };
      const before = await counts();
      const code = await tryAs(seededUsers.demoOwner.id, (tx) => tx`insert into public.scheduled_sms_jobs ${tx(row)}`);
      expect(code).toBe(c.code);
      expect(await counts()).toEqual(before);
    });
  }

  it("accepts a valid row from a member and fills in the service's columns", async () => {
    const [job] = await asUser(sql, seededUsers.demoMember.id, (tx) => tx<{
      id: string; status: string; from_number: string; attempts: number; max_attempts: number; created_by: string;
    }[]>`
      insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, scheduled_time)
      values ('ws_demo', '+61412345678', 'see you at 9', now() + interval '1 day')
      returning id, status, from_number, attempts, max_attempts, created_by`);
    await sql`delete from public.scheduled_sms_jobs where id = ${job?.id ?? ""}`;
    expect({ ...job, id: undefined }).toEqual({
      id: undefined,
      status: "scheduled", from_number: "+15005550006", attempts: 0, max_attempts: 4,
      created_by: seededUsers.demoMember.id,
    });
  });
});
