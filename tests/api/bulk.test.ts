// Bulk scheduling over the API: POST schedule-bulk (per-recipient refusals, atomic batches,
// duplicates, 10,000 recipients, the size limits), GET batch-status, GET jobs?batchId=, cancel-job
// with a batch id, and who may do what. Every answer is checked against the OpenAPI document by `call`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiLimits, databaseLimits } from "../../supabase/functions/_shared/limits.ts";
import { connect } from "../support/database.ts";
import { type ApiServer, call, startApiServer, tokens } from "./support/api-server.ts";

const sql = connect();
let api: ApiServer;
let base: string;
beforeAll(async () => {
  api = await startApiServer();
  base = api.baseUrls.spec;
});
afterAll(async () => {
  await sql`delete from public.sms_opt_outs where workspace_id = 'ws_demo' and phone = ${optedOut}`;
  await api.stop();
  await sql.end();
});

const optedOut = "+61412000911";
let nameCounter = 0;

interface Item { index: number; to: string; jobId: string | null; error?: { code: string; message: string } }
interface BulkData { batchId: string; accepted: number; rejected: number; scheduledTime: string; items: Item[] }

async function createTemplate(body: string, variables: { name: string; required?: boolean; default?: string }[]): Promise<string> {
  const answer = await call(base, "create-template", {
    token: await tokens.owner(),
    json: { workspaceId: "ws_demo", name: `Bulk ${Date.now()}-${++nameCounter}`, body, variables },
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return String(answer.body.data?.templateId);
}

async function scheduleBulk(json: Record<string, unknown>, token?: string) {
  return await call(base, "schedule-bulk", { token: token ?? await tokens.member(), json: { workspaceId: "ws_demo", ...json } });
}

async function bulkData(json: Record<string, unknown>): Promise<BulkData> {
  const answer = await scheduleBulk(json);
  expect(answer.status, JSON.stringify(answer.body).slice(0, 500)).toBe(200);
  return answer.body.data as unknown as BulkData;
}

const phone = (n: number) => `+614120${String(n).padStart(5, "0")}`;

async function batchCount(): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select count(*)::integer as n from public.sms_batches where workspace_id = 'ws_demo'`;
  return row?.n ?? 0;
}

describe("schedule-bulk", () => {
  it("schedules every valid recipient and refuses each invalid one with its own error, in input order", async () => {
    await sql`insert into public.sms_opt_outs (workspace_id, phone) values ('ws_demo', ${optedOut}) on conflict do nothing`;
    const templateId = await createTemplate("Hi {{ first_name }}, see you at {{ time }}.{{ note }}{{ note }}{{ note }}{{ note }}",
      [{ name: "first_name", required: true }, { name: "time", default: "9am" }, { name: "note" }]);
    const data = await bulkData({
      templateId,
      variables: { time: "5pm" },
      metadata: { campaign: "spring", pad: "p".repeat(4000) },
      delayMinutes: 60,
      recipients: [
        { to: phone(1), variables: { first_name: "Ann" }, metadata: { ref: "a" } },
        { to: "+1234", variables: { first_name: "Nobody" } },
        { to: optedOut, variables: { first_name: "Stopped" } },
        { to: phone(3) },
        { to: phone(4), variables: { first_name: "Cy", nickname: "C" } },
        { to: phone(5), variables: { first_name: "Di", note: "n".repeat(databaseLimits.template_value_max_chars) } },
        { to: "+61 412 000 001", variables: { first_name: "Ann again" } },
        { to: phone(7), variables: { first_name: "Bob", time: "6pm" }, metadata: { campaign: "autumn" } },
        { to: phone(8), variables: { first_name: "Ed" }, metadata: { big: "b".repeat(5000) } },
      ],
    });
    expect([data.accepted, data.rejected]).toEqual([2, 7]);
    expect(data.batchId).toMatch(/^batch_/);
    expect(data.items.map((item) => [item.index, item.to, item.error?.code ?? "scheduled"])).toEqual([
      [0, phone(1), "scheduled"],
      [1, "+1234", "validation_failed"],
      [2, optedOut, "recipient_opted_out"],
      [3, phone(3), "template_variable_missing"],
      [4, phone(4), "validation_failed"],
      [5, phone(5), "invalid_body"],
      [6, phone(1), "duplicate_recipient"],
      [7, phone(7), "scheduled"],
      [8, phone(8), "invalid_metadata"],
    ]);
    expect(data.items[1]?.error?.message).toMatch(/valid phone number/);
    expect(data.items[3]?.error?.message).toMatch(/`first_name`/);
    expect(data.items[4]?.error?.message).toMatch(/variables\.nickname/);
    expect(data.items[5]?.error?.message).toMatch(/more than the 1600/);
    expect(data.items.filter((item) => item.error === undefined).every((item) => /^job_/.test(item.jobId ?? ""))).toBe(true);
    expect(data.items.filter((item) => item.error !== undefined).every((item) => item.jobId === null)).toBe(true);

    const jobs = await sql<{ id: string; to_phone: string; body: string; status: string; metadata: Record<string, unknown>;
      template_variables: Record<string, string | null>; batch_id: string; segments: number }[]>`
      select id, to_phone, body, status, metadata, template_variables, batch_id, segments
      from public.scheduled_sms_jobs where batch_id = ${data.batchId} order by to_phone`;
    expect(jobs.map((job) => [job.id, job.to_phone, job.body, job.status])).toEqual([
      [data.items[0]?.jobId, phone(1), "Hi Ann, see you at 5pm.", "scheduled"],
      [data.items[7]?.jobId, phone(7), "Hi Bob, see you at 6pm.", "scheduled"],
    ]);
    // A recipient's metadata merges over the shared metadata; its values override the shared ones.
    expect(jobs[0]?.metadata).toMatchObject({ campaign: "spring", ref: "a" });
    expect(jobs[1]?.metadata).toMatchObject({ campaign: "autumn" });
    expect(jobs[1]?.template_variables).toEqual({ first_name: "Bob", time: "6pm", note: null });
    const [events] = await sql<{ n: number }[]>`
      select count(*)::integer as n from public.sms_job_events e
      where e.job_id = any (${[jobs[0]?.id ?? "", jobs[1]?.id ?? ""]}::text[]) and e.event_type = 'created'`;
    expect(events?.n).toBe(2);
  });

  it("with atomic: true refuses the whole batch when any recipient is refused, and creates nothing", async () => {
    const before = await batchCount();
    const answer = await scheduleBulk({
      body: "Doors open at 6", atomic: true,
      recipients: [{ to: phone(20) }, { to: phone(21) }, { to: phone(20) }, { to: "not a number" }],
    });
    expect([answer.status, answer.body.error?.code]).toEqual([400, "batch_rejected"]);
    const details = answer.body.error?.details as unknown as { items: Item[]; accepted: number; rejected: number };
    expect([details.accepted, details.rejected]).toEqual([0, 2]);
    expect(details.items.map((item) => [item.index, item.jobId, item.error?.code ?? null])).toEqual([
      [0, null, null], [1, null, null], [2, null, "duplicate_recipient"], [3, null, "validation_failed"],
    ]);
    expect(await batchCount()).toBe(before);
    const [jobs] = await sql<{ n: number }[]>`
      select count(*)::integer as n from public.scheduled_sms_jobs where to_phone in (${phone(20)}, ${phone(21)})`;
    expect(jobs?.n).toBe(0);

    const whole = await bulkData({ body: "Doors open at 6", atomic: true, recipients: [{ to: phone(20) }, { to: phone(21) }] });
    expect([whole.accepted, whole.rejected]).toEqual([2, 0]);
  });

  it("sends now, after delayMinutes or at scheduledTime, and refuses both at once", async () => {
    const now = await bulkData({ body: "Now", recipients: [{ to: phone(30) }] });
    const [row] = await sql<{ status: string }[]>`select status from public.scheduled_sms_jobs where id = ${now.items[0]?.jobId ?? ""}`;
    expect(row?.status).toBe("queued");
    const at = "2027-05-11T16:00:00+10:00";
    const later = await bulkData({ body: "Later", scheduledTime: at, recipients: [{ to: phone(31) }] });
    expect(later.scheduledTime).toBe(at);
    const both = await scheduleBulk({ body: "x", scheduledTime: at, delayMinutes: 5, recipients: [{ to: phone(32) }] });
    expect([both.status, both.body.error?.code, both.body.error?.details?.fields?.[0]?.field])
      .toEqual([400, "validation_failed", "scheduledTime"]);
  });

  it("refuses request-level faults as a single send does: a shared undeclared value, variables without a template", async () => {
    const templateId = await createTemplate("Hi {{ first_name }}", [{ name: "first_name" }]);
    const undeclared = await scheduleBulk({ templateId, variables: { frist_name: "x" }, recipients: [{ to: phone(40) }] });
    expect([undeclared.status, undeclared.body.error?.code, undeclared.body.error?.details?.fields?.[0]?.field])
      .toEqual([400, "validation_failed", "variables.frist_name"]);
    const noTemplate = await scheduleBulk({ body: "Hi", recipients: [{ to: phone(40), variables: { a: "b" } }] });
    expect([noTemplate.status, noTemplate.body.error?.details?.fields?.[0]?.field]).toEqual([400, "recipients.0.variables"]);
    const sender = await scheduleBulk({ body: "Hi", fromNumber: "+61412999999", recipients: [{ to: phone(41) }] });
    expect([sender.status, sender.body.error?.code]).toEqual([400, "sender_not_allowed"]);
  });

  it(`schedules ${apiLimits.bulk_recipients_max.toLocaleString("en")} personalised recipients in one request, answered in input order`, async () => {
    const templateId = await createTemplate("Hi {{ first_name }}, your code is {{ code }}.",
      [{ name: "first_name", required: true }, { name: "code", required: true }]);
    const recipients = Array.from({ length: apiLimits.bulk_recipients_max }, (_, i) => ({
      to: `+6141${String(i).padStart(7, "0")}`, variables: { first_name: `P${i}`, code: String(i * 7) },
    }));
    const data = await bulkData({ templateId, delayMinutes: 30, recipients });
    expect([data.accepted, data.rejected, data.items.length]).toEqual([recipients.length, 0, recipients.length]);
    expect(data.items.every((item, i) => item.index === i && item.to === recipients[i]?.to && item.jobId !== null)).toBe(true);
    const rows = await sql<{ id: string; to_phone: string; body: string }[]>`
      select id, to_phone, body from public.scheduled_sms_jobs where workspace_id = 'ws_demo' and batch_id = ${data.batchId}`;
    expect(rows).toHaveLength(recipients.length);
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(data.items.every((item, i) => {
      const row = byId.get(item.jobId ?? "");
      return row?.to_phone === item.to && row.body === `Hi P${i}, your code is ${i * 7}.`;
    })).toBe(true);
  }, 60_000);

  it("answers 413 for a body over the bulk limit and 400 for too many recipients, creating nothing", async () => {
    const before = await batchCount();
    const big = JSON.stringify({ workspaceId: "ws_demo", body: "x", recipients: [{ to: phone(50), metadata: { pad: "" } }] })
      .replace('"pad":""', `"pad":"${"p".repeat(apiLimits.bulk_request_body_max_bytes)}"`);
    const tooLarge = await call(base, "schedule-bulk", { token: await tokens.member(), rawBody: big, headers: { "Content-Type": "application/json" } });
    expect([tooLarge.status, tooLarge.body.error?.code]).toEqual([413, "payload_too_large"]);
    expect(tooLarge.body.error?.message).toContain(String(apiLimits.bulk_request_body_max_bytes));
    const tooMany = await scheduleBulk({ body: "x", recipients: Array.from({ length: apiLimits.bulk_recipients_max + 1 }, (_, i) => ({ to: phone(i) })) });
    expect([tooMany.status, tooMany.body.error?.code, tooMany.body.error?.details?.fields?.[0]?.field]).toEqual([400, "validation_failed", "recipients"]);
    const none = await scheduleBulk({ body: "x", recipients: [] });
    expect([none.status, none.body.error?.code]).toEqual([400, "validation_failed"]);
    expect(await batchCount()).toBe(before);
    // The single-send routes keep their 64 KB limit.
    const single = await call(base, "send-sms", { token: await tokens.member(),
      json: { workspaceId: "ws_demo", to: phone(51), body: "x", metadata: { pad: "p".repeat(apiLimits.request_body_max_bytes) } } });
    expect([single.status, single.body.error?.code]).toEqual([413, "payload_too_large"]);
  });
});

describe("a batch afterwards", () => {
  it("batch-status counts the batch's jobs by status and by delivery status", async () => {
    const data = await bulkData({ body: "Status", metadata: { campaign: "count" }, recipients: [60, 61, 62, 63].map((n) => ({ to: phone(n) })) });
    const [first, second] = data.items.map((item) => item.jobId ?? "");
    await sql`select private.claim_job(${first ?? ""}, 'bulk-test')`;
    await sql`select private.complete_job(${first ?? ""}, 'bulk-test', ${`SM${"1".repeat(32)}`}, 'queued')`;
    await sql`select private.record_message_status(${first ?? ""}, ${`SM${"1".repeat(32)}`}, 'delivered')`;
    await sql`select private.cancel_job(${second ?? ""}, 'cancelled_by_user')`;
    const answer = await call(base, "batch-status", { token: await tokens.viewer(), query: { batchId: data.batchId, workspaceId: "ws_demo" } });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.data).toMatchObject({
      batchId: data.batchId, workspaceId: "ws_demo", accepted: 4, rejected: 0, total: 4, metadata: { campaign: "count" }, template: null,
      createdBy: "00000000-0000-4000-8000-000000000004",
      counts: { queued: 2, completed: 1, cancelled: 1, scheduled: 0, processing: 0, retrying: 0, failed: 0 },
      messageStatuses: { none: 3, delivered: 1 },
    });
  });

  it("jobs?batchId= lists exactly the batch's jobs, and job-status names the batch", async () => {
    const one = await bulkData({ body: "One", delayMinutes: 10, recipients: [{ to: phone(70) }, { to: phone(71) }] });
    await bulkData({ body: "Other", delayMinutes: 10, recipients: [{ to: phone(72) }] });
    for (const kind of ["job", "all"]) {
      const page = await call(base, "jobs", { token: await tokens.viewer(), query: { workspaceId: "ws_demo", batchId: one.batchId, kind } });
      expect(page.status).toBe(200);
      const jobs = (page.body.data as { jobs: { jobId: string; batchId: string | null }[] }).jobs;
      expect(jobs.map((job) => job.jobId).sort()).toEqual(one.items.map((item) => item.jobId).sort());
      expect(jobs.every((job) => job.batchId === one.batchId)).toBe(true);
    }
    const status = await call(base, "job-status", { token: await tokens.viewer(), query: { workspaceId: "ws_demo", jobId: one.items[0]?.jobId ?? "" } });
    expect(status.body.data?.batchId).toBe(one.batchId);
    const bad = await call(base, "jobs", { token: await tokens.viewer(), query: { workspaceId: "ws_demo", batchId: "job_123" } });
    expect([bad.status, bad.body.error?.details?.fields?.[0]?.field]).toEqual([400, "batchId"]);
  });

  it("cancel-job with a batch id cancels its pending jobs, each with its event, and again answers 0", async () => {
    const data = await bulkData({ body: "Cancel me", delayMinutes: 20, recipients: [80, 81, 82].map((n) => ({ to: phone(n) })) });
    const [single] = data.items;
    await call(base, "cancel-job", { token: await tokens.member(), json: { workspaceId: "ws_demo", jobId: single?.jobId } });
    const first = await call(base, "cancel-job", { token: await tokens.member(), json: { workspaceId: "ws_demo", jobId: data.batchId } });
    expect([first.status, first.body.data]).toEqual([200, { jobId: data.batchId, status: "cancelled", cancelled: 2 }]);
    const again = await call(base, "cancel-job", { token: await tokens.member(), json: { workspaceId: "ws_demo", jobId: data.batchId } });
    expect(again.body.data).toEqual({ jobId: data.batchId, status: "cancelled", cancelled: 0 });
    const events = await sql<{ job_id: string; reason: string }[]>`
      select e.job_id, e.details ->> 'reason' as reason from public.sms_job_events e
      join public.scheduled_sms_jobs j on j.id = e.job_id
      where j.batch_id = ${data.batchId} and e.event_type = 'cancelled'`;
    expect(events).toHaveLength(3);
    expect(new Set(events.map((event) => event.job_id)).size).toBe(3);
    const [pending] = await sql<{ n: number }[]>`
      select count(*)::integer as n from public.scheduled_sms_jobs where batch_id = ${data.batchId} and is_pending`;
    expect(pending?.n).toBe(0);
  });

  it("refuses viewers' writes and other workspaces, which learn nothing about the batch", async () => {
    const data = await bulkData({ body: "Private", delayMinutes: 10, recipients: [{ to: phone(90) }] });
    const viewer = await scheduleBulk({ body: "No", recipients: [{ to: phone(91) }] }, await tokens.viewer());
    expect([viewer.status, viewer.body.error?.code]).toEqual([403, "forbidden"]);
    const viewerCancel = await call(base, "cancel-job", { token: await tokens.viewer(), json: { workspaceId: "ws_demo", jobId: data.batchId } });
    expect([viewerCancel.status, viewerCancel.body.error?.code]).toEqual([403, "forbidden"]);
    const outsider = await call(base, "batch-status", { token: await tokens.otherOwner(), query: { workspaceId: "ws_demo", batchId: data.batchId } });
    expect([outsider.status, outsider.body.error?.code]).toEqual([403, "forbidden"]);
    const foreign = await call(base, "batch-status", { token: await tokens.otherOwner(), query: { workspaceId: "ws_other", batchId: data.batchId } });
    expect([foreign.status, foreign.body.error?.code]).toEqual([404, "batch_not_found"]);
    const foreignCancel = await call(base, "cancel-job", { token: await tokens.otherOwner(), json: { workspaceId: "ws_other", jobId: data.batchId } });
    expect([foreignCancel.status, foreignCancel.body.error?.code]).toEqual([404, "batch_not_found"]);
    const [row] = await sql<{ status: string }[]>`select status from public.scheduled_sms_jobs where id = ${data.items[0]?.jobId ?? ""}`;
    expect(row?.status).toBe("scheduled");
    const unknown = await call(base, "batch-status", { token: await tokens.member(), query: { workspaceId: "ws_demo", batchId: "batch_00000000000000000000000000000000" } });
    expect([unknown.status, unknown.body.error?.code]).toEqual([404, "batch_not_found"]);
    const malformed = await call(base, "batch-status", { token: await tokens.member(), query: { workspaceId: "ws_demo", batchId: data.items[0]?.jobId ?? "" } });
    expect([malformed.status, malformed.body.error?.code, malformed.body.error?.details?.fields?.[0]?.field]).toEqual([400, "validation_failed", "batchId"]);
  });
});
