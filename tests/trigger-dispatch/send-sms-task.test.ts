// One run of the send-sms task (delivery/send-sms-task.ts) against the real database and
// the Twilio simulator, through the real Twilio sender: skipped when there is nothing to send,
// delivered once when the job is due.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTwilioSimulator, type RunningTwilioSimulator } from "../../dev/twilio-simulator/start-twilio-simulator.ts";
import { JobStore } from "../../delivery/job-store.ts";
import {
  InvalidPayloadError, runSendSmsTask, type SendSmsTaskDeps,
} from "../../delivery/send-sms-task.ts";
import { createTwilioSender } from "../../delivery/twilio/sender.ts";
import { connect } from "../support/database.ts";

const sql = connect();
const workerId = "trigger:run_test0001:1";
const createdJobs: string[] = [];
let simulator: RunningTwilioSimulator;
let deps: SendSmsTaskDeps;
let sleeps: number[] = [];

beforeAll(async () => {
  // The seeded workspaces' Twilio accounts (supabase/seed.sql).
  const accounts = Object.fromEntries(
    (await sql<{ account_sid: string; auth_token: string }[]>`
      select account_sid, auth_token from private.twilio_credentials`).map((r) => [r.account_sid, r.auth_token]));
  simulator = await startTwilioSimulator({ accounts });
  deps = {
    store: new JobStore(sql, { reconnectForMs: 1_000, credentialsTtlMs: 0 }),
    sender: createTwilioSender({ apiBaseUrl: simulator.url, timeoutMs: 5_000 }),
    workerId,
    statusCallbackUrl: () => undefined,
    leaseSeconds: 120,
    earlyRunWaitMaxMs: 5_000,
    pacedWaitMaxMs: 5_000,
    dueAt: async (jobId) => {
      const [row] = await sql<{ next_attempt_at: Date }[]>`
        select next_attempt_at from public.scheduled_sms_jobs where id = ${jobId}`;
      return row?.next_attempt_at ?? null;
    },
    sleep: (ms) => {
      sleeps.push(ms);
      return new Promise((resolve) => setTimeout(resolve, ms));
    },
  };
});

afterEach(() => {
  simulator.reset();
  sleeps = [];
});

afterAll(async () => {
  await sql`delete from public.scheduled_sms_jobs where id = any (${createdJobs})`;
  await simulator.stop();
  await sql.end();
});

async function createJob(to: string, options: { inMs?: number } = {}): Promise<string> {
  const [row] = await sql<{ id: string }[]>`
    insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, scheduled_time)
    values ('ws_demo', ${to}, 'See you at 10', now() + make_interval(secs => ${(options.inMs ?? 0) / 1000}))
    returning id`;
  if (!row) throw new Error("insert returned nothing");
  createdJobs.push(row.id);
  return row.id;
}

async function jobState(id: string) {
  const [row] = await sql<{ status: string; attempts: number; twilio_sid: string | null; lease_owner: string | null }[]>`
    select status::text, attempts, twilio_sid, lease_owner from public.scheduled_sms_jobs where id = ${id}`;
  return row;
}

describe("send-sms task run", () => {
  it("claims a due job, sends it once through Twilio and records it completed", async () => {
    const id = await createJob("+61411000001");
    const result = await runSendSmsTask({ jobId: id }, deps);

    const messages = simulator.messages();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ to: "+61411000001", from: "+15005550006", body: "See you at 10" });
    expect(result).toEqual({ jobId: id, outcome: "completed", twilioSid: messages[0]?.sid });
    expect(await jobState(id)).toEqual({ status: "completed", attempts: 1, twilio_sid: messages[0]?.sid, lease_owner: null });
    const [claimed] = await sql<{ lease_owner: string }[]>`
      select details->>'lease_owner' as lease_owner from public.sms_job_events
      where job_id = ${id} and event_type = 'claimed'`;
    expect(claimed?.lease_owner).toBe(workerId);

    // A second run for the same job (a re-dispatch) sends nothing.
    const again = await runSendSmsTask({ jobId: id }, { ...deps, workerId: "trigger:run_test0002:1" });
    expect(again).toMatchObject({ jobId: id, skipped: "invalid_transition" });
    expect(simulator.messages()).toHaveLength(1);
  });

  it("skips a cancelled job without sending", async () => {
    const id = await createJob("+61411000002");
    await sql`select private.cancel_job(${id})`;
    const result = await runSendSmsTask({ jobId: id }, deps);
    expect(result).toMatchObject({ jobId: id, skipped: "invalid_transition" });
    expect(simulator.requests()).toHaveLength(0);
    expect(await jobState(id)).toMatchObject({ status: "cancelled", attempts: 0 });
  });

  it("skips a job another run holds", async () => {
    const id = await createJob("+61411000003");
    await sql`select private.claim_job(${id}, 'trigger:run_other:1', 60)`;
    const result = await runSendSmsTask({ jobId: id }, deps);
    expect(result).toMatchObject({ jobId: id, skipped: "invalid_transition" });
    expect(simulator.requests()).toHaveLength(0);
    expect(await jobState(id)).toMatchObject({ status: "processing", attempts: 1, lease_owner: "trigger:run_other:1" });
  });

  it("leaves a marketing job outside quiet hours pending for the window's opening, and sends a transactional one", async () => {
    const first = await createJob("+447911000101");
    const second = await createJob("+447911000102");
    const [created] = await sql<{ id: string }[]>`
      insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, category)
      values ('ws_demo', '+447911000103', 'Spring sale', 'marketing') returning id`;
    if (!created) throw new Error("insert returned nothing");
    createdJobs.push(created.id);
    // Quiet hours turned on after the messages were created, with a window closed now in London.
    await sql`
      update public.workspace_settings
      set quiet_hours_enabled = true,
          quiet_hours_start = ((now() at time zone 'Europe/London') + interval '1 hour')::time(0),
          quiet_hours_end = ((now() at time zone 'Europe/London') + interval '2 hours')::time(0)
      where workspace_id = 'ws_demo'`;
    try {
      const held = await runSendSmsTask({ jobId: created.id }, deps);
      expect(held).toMatchObject({ jobId: created.id, skipped: "quiet_hours" });
      const [row] = await sql<{ status: string; status_reason: string; wait: number }[]>`
        select status::text, status_reason, extract(epoch from next_attempt_at - now())::float8 as wait
        from public.scheduled_sms_jobs where id = ${created.id}`;
      expect(row?.status).toBe("queued");
      expect(row?.status_reason).toBe("quiet_hours");
      expect(row?.wait).toBeGreaterThan(3_500);
      expect(row?.wait).toBeLessThanOrEqual(3_601);
      // The two created as transactional (the default) are sent.
      expect(await runSendSmsTask({ jobId: first }, deps)).toMatchObject({ outcome: "completed" });
      expect(await runSendSmsTask({ jobId: second }, deps)).toMatchObject({ outcome: "completed" });
      expect(simulator.messages().map((m) => m.to).sort()).toEqual(["+447911000101", "+447911000102"]);
    } finally {
      await sql`update public.workspace_settings set quiet_hours_enabled = false, quiet_hours_start = '08:00',
        quiet_hours_end = '21:00' where workspace_id = 'ws_demo'`;
    }
  });

  it("skips a job that does not exist", async () => {
    const result = await runSendSmsTask({ jobId: "job_00000000000000000000000000000000" }, deps);
    expect(result).toMatchObject({ skipped: "job_not_found" });
  });

  it("skips a job due later than the early-run allowance, without waiting", async () => {
    const id = await createJob("+61411000004", { inMs: 3_600_000 });
    const result = await runSendSmsTask({ jobId: id }, deps);
    expect(result).toMatchObject({ jobId: id, skipped: "job_not_due" });
    expect(sleeps).toEqual([]);
    expect(simulator.requests()).toHaveLength(0);
    expect(await jobState(id)).toMatchObject({ status: "scheduled", attempts: 0 });
  });

  it("a run that starts just before the due time waits for it, then sends", async () => {
    const id = await createJob("+61411000005", { inMs: 1_500 });
    const [due] = await sql<{ at: Date }[]>`select next_attempt_at as at from public.scheduled_sms_jobs where id = ${id}`;
    const result = await runSendSmsTask({ jobId: id }, deps);
    expect(result).toMatchObject({ jobId: id, outcome: "completed" });
    expect(sleeps.length).toBeGreaterThanOrEqual(1);
    const [sent] = simulator.messages();
    expect(sent?.to).toBe("+61411000005");
    expect(Date.now()).toBeGreaterThanOrEqual(due?.at.getTime() ?? Infinity);
  });

  it("a Twilio refusal is recorded, not thrown: the job fails with Twilio's code", async () => {
    const id = await createJob("+15005550001"); // Twilio's magic invalid number: 21211
    const result = await runSendSmsTask({ jobId: id }, deps);
    expect(result).toEqual({ jobId: id, outcome: "failed", errorCode: "21211" });
    expect(await jobState(id)).toMatchObject({ status: "failed", attempts: 1, lease_owner: null });
  });

  it("a payload that is not {jobId} is refused before touching the database", async () => {
    for (const payload of [undefined, {}, { jobId: "" }, { jobId: 42 }, { jobId: "job_x", extra: true }]) {
      await expect(runSendSmsTask(payload, deps)).rejects.toBeInstanceOf(InvalidPayloadError);
    }
    expect(simulator.requests()).toHaveLength(0);
  });
});
