// Retry policies, expiry and manual retry over the API: what a caller sends and what it gets back,
// and what the database then holds. States are driven by the private functions the workers use.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../support/database.ts";
import { type ApiServer, call, startApiServer, tokens } from "./support/api-server.ts";

const sql = connect();
let api: ApiServer;
let owner: string;
let member: string;
let viewer: string;
beforeAll(async () => {
  api = await startApiServer();
  [owner, member, viewer] = await Promise.all([tokens.owner(), tokens.member(), tokens.viewer()]);
});
afterAll(async () => {
  await sql`update public.workspace_settings set retry_policy = '{}' where workspace_id = 'ws_demo'`;
  await api.stop();
  await sql.end();
});

const worker = "retry-api-test-worker";
let recipientSeq = 0;
function recipient(): string {
  recipientSeq += 1;
  return `+61412${String(Date.now() % 1000).padStart(3, "0")}${String(600 + recipientSeq).padStart(3, "0")}`;
}

const post = (route: string, json: unknown, token = owner, headers: Record<string, string> = {}) =>
  call(api.baseUrls.spec, route, { token, json, headers });
const status = (jobId: string) => call(api.baseUrls.spec, "job-status", { token: owner, query: { jobId, workspaceId: "ws_demo" } });

/** A job sent now, then failed by a worker with `code` (as delivery records a final error). */
async function failedJob(code: string, extra: Record<string, unknown> = {}): Promise<string> {
  const sent = await post("send-sms", { to: recipient(), body: "Retry me", workspaceId: "ws_demo", ...extra });
  expect(sent.status).toBe(200);
  const jobId = String(sent.body.data?.jobId);
  await sql`select private.claim_job(${jobId}, ${worker})`;
  await sql`select private.fail_job(${jobId}, ${worker}, ${code}, 'refused', ${code === "20503" ? "retries_exhausted" : "permanent_error"})`;
  return jobId;
}

describe("retry policy", () => {
  it("a message's override is recorded on the job with the workspace's defaults, and job-status shows it", async () => {
    const sent = await post("send-sms", {
      to: recipient(), body: "Policy", workspaceId: "ws_demo",
      retryPolicy: { carrier: { maxAttempts: 2, backoff: "fixed", baseSeconds: 120 } },
    });
    expect(sent.status).toBe(200);
    const job = (await status(String(sent.body.data?.jobId))).body.data;
    expect(job?.retryPolicy).toEqual({
      rateLimited: { maxAttempts: 4, backoff: "exponential", baseSeconds: 30, maxSeconds: 3600, jitter: true },
      serverError: { maxAttempts: 4, backoff: "exponential", baseSeconds: 30, maxSeconds: 3600, jitter: true },
      carrier: { maxAttempts: 2, backoff: "fixed", baseSeconds: 120, maxSeconds: 3600, jitter: true },
    });
    expect(job?.expiresTime).toBeNull();
  });

  it("owners change the workspace's policy; members read it but get 403 changing it; queued jobs keep theirs", async () => {
    const before = await post("schedule-delay", { to: recipient(), body: "Queued before", workspaceId: "ws_demo", delayMinutes: 30 });
    const changed = await post("update-retry-policy", { workspaceId: "ws_demo", retryPolicy: { serverError: { maxAttempts: 6, baseSeconds: 10 } } });
    expect(changed.status).toBe(200);
    expect(changed.body.data).toMatchObject({
      overrides: { serverError: { maxAttempts: 6, baseSeconds: 10 } },
      effective: { serverError: { maxAttempts: 6, baseSeconds: 10, backoff: "exponential" } },
    });
    const read = await call(api.baseUrls.spec, "retry-policy", { token: viewer, query: { workspaceId: "ws_demo" } });
    expect(read.status).toBe(200);
    expect(read.body.data).toMatchObject({ overrides: { serverError: { maxAttempts: 6 } } });
    const refused = await post("update-retry-policy", { workspaceId: "ws_demo", retryPolicy: {} }, member);
    expect(refused.status).toBe(403);
    expect(refused.body.error?.code).toBe("forbidden");
    const after = await post("send-sms", { to: recipient(), body: "After", workspaceId: "ws_demo" });
    expect((await status(String(after.body.data?.jobId))).body.data).toMatchObject({ retryPolicy: { serverError: { maxAttempts: 6 } }, maxAttempts: 6 });
    expect((await status(String(before.body.data?.jobId))).body.data).toMatchObject({ retryPolicy: { serverError: { maxAttempts: 4 } }, maxAttempts: 4 });
    expect((await post("update-retry-policy", { workspaceId: "ws_demo", retryPolicy: {} })).status).toBe(200);
  });

  it("a bad policy is 400 naming the field, and nothing is created", async () => {
    const to = recipient();
    const answer = await post("send-sms", { to, body: "Bad", workspaceId: "ws_demo", retryPolicy: { carrier: { maxAttempts: 0 } } });
    expect(answer.status).toBe(400);
    expect(answer.body.error?.code).toBe("validation_failed");
    expect(answer.body.error?.details?.fields).toEqual([{ field: "retryPolicy.carrier.maxAttempts", message: "must be at least 1" }]);
    const unknown = await post("send-sms", { to, body: "Bad", workspaceId: "ws_demo", retryPolicy: { fax: {} } });
    expect(unknown.status).toBe(400);
    const [count] = await sql<{ n: number }[]>`select count(*)::int as n from public.scheduled_sms_jobs where to_phone = ${to}`;
    expect(count?.n).toBe(0);
  });
});

describe("expiry on the send routes", () => {
  it("validFor sets expiresTime from the scheduled time; expiresAt is taken as given; both is 400", async () => {
    const delayed = await post("schedule-delay", { to: recipient(), body: "Soon", workspaceId: "ws_demo", delayMinutes: 10, validFor: 600 });
    expect(delayed.status).toBe(200);
    const job = (await status(String(delayed.body.data?.jobId))).body.data;
    expect(Date.parse(String(job?.expiresTime)) - Date.parse(String(job?.scheduledTime))).toBe(600_000);
    const at = new Date(Date.now() + 3_600_000);
    const until = await post("schedule-until", {
      to: recipient(), body: "Until", workspaceId: "ws_demo", scheduledTime: new Date(Date.now() + 600_000).toISOString(), expiresAt: at.toISOString(),
    });
    expect(until.status).toBe(200);
    expect(Date.parse(String((await status(String(until.body.data?.jobId))).body.data?.expiresTime))).toBe(Math.floor(at.getTime()));
    const both = await post("send-sms", { to: recipient(), body: "Both", workspaceId: "ws_demo", validFor: 60, expiresAt: at.toISOString() });
    expect(both.status).toBe(400);
    expect(both.body.error?.details?.fields?.[0]?.field).toBe("expiresAt");
  });

  it("an expiry before the scheduled time is 400 invalid_expiry; validFor out of bounds is 400", async () => {
    const early = await post("schedule-until", {
      to: recipient(), body: "Early", workspaceId: "ws_demo",
      scheduledTime: new Date(Date.now() + 3_600_000).toISOString(), expiresAt: new Date(Date.now() + 600_000).toISOString(),
    });
    expect(early.status).toBe(400);
    expect(early.body.error?.code).toBe("invalid_expiry");
    const long = await post("send-sms", { to: recipient(), body: "Long", workspaceId: "ws_demo", validFor: 2_592_001 });
    expect(long.status).toBe(400);
    expect(long.body.error?.details?.fields?.[0]?.field).toBe("validFor");
  });

  it("schedule-bulk and schedule-recurring take the policy and validity too", async () => {
    const bulk = await post("schedule-bulk", {
      workspaceId: "ws_demo", body: "Bulk", delayMinutes: 5, validFor: 300,
      retryPolicy: { rateLimited: { maxAttempts: 7 } }, recipients: [{ to: recipient() }, { to: recipient() }],
    });
    expect(bulk.status).toBe(200);
    const items = bulk.body.data?.items as { jobId: string }[];
    for (const item of items) {
      const job = (await status(item.jobId)).body.data;
      expect(job).toMatchObject({ retryPolicy: { rateLimited: { maxAttempts: 7 } }, maxAttempts: 7 });
      expect(Date.parse(String(job?.expiresTime)) - Date.parse(String(job?.scheduledTime))).toBe(300_000);
    }
    const recurring = await post("schedule-recurring", {
      to: recipient(), body: "Weekly", workspaceId: "ws_demo", cron: "0 9 * * MON", validFor: 3600,
      retryPolicy: { carrier: { baseSeconds: 600 } },
    });
    expect(recurring.status).toBe(200);
    const schedule = await status(String(recurring.body.data?.jobId));
    expect(schedule.body.data).toMatchObject({ kind: "recurring", retryPolicy: { carrier: { baseSeconds: 600 } }, validFor: 3600 });
    await post("cancel-job", { jobId: String(recurring.body.data?.jobId), workspaceId: "ws_demo" });
  });
});

describe("retry-job", () => {
  it("a failed job gets a new attempt now: retrying, attempts reset, its earlier events kept", async () => {
    const jobId = await failedJob("20503");
    const answer = await post("retry-job", { jobId, workspaceId: "ws_demo" }, member);
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({ jobId, status: "retrying", expiresTime: null });
    const job = (await status(jobId)).body.data;
    expect(job).toMatchObject({ status: "retrying", statusReason: "manual_retry", attempts: 0 });
    const events = await sql<{ event_type: string }[]>`select event_type from public.sms_job_events where job_id = ${jobId} order by id`;
    expect(events.map((e) => e.event_type)).toEqual(["created", "claimed", "failed", "retry_scheduled"]);
  });

  it("at a given scheduledTime: due then", async () => {
    const jobId = await failedJob("20503");
    const at = new Date(Date.now() + 3_600_000);
    const answer = await post("retry-job", { jobId, workspaceId: "ws_demo", scheduledTime: at.toISOString() });
    expect(answer.status).toBe(200);
    expect(Date.parse(String(answer.body.data?.nextAttemptTime))).toBe(Math.floor(at.getTime()));
  });

  it("only a failed job: a queued one is 409 invalid_transition and unchanged", async () => {
    const sent = await post("send-sms", { to: recipient(), body: "Queued", workspaceId: "ws_demo" });
    const jobId = String(sent.body.data?.jobId);
    const answer = await post("retry-job", { jobId, workspaceId: "ws_demo" });
    expect(answer.status).toBe(409);
    expect(answer.body.error?.code).toBe("invalid_transition");
    expect((await status(jobId)).body.data?.status).toBe("queued");
  });

  it.each(["21211", "21614", "21610"])("a permanent number error (%s) is 409 unless an owner forces it; a member's force is 403", async (code) => {
    const jobId = await failedJob(code);
    const refused = await post("retry-job", { jobId, workspaceId: "ws_demo" }, member);
    expect(refused.status).toBe(409);
    expect(refused.body.error?.code).toBe("permanent_number_error");
    const memberForce = await post("retry-job", { jobId, workspaceId: "ws_demo", force: true }, member);
    expect(memberForce.status).toBe(403);
    expect((await status(jobId)).body.data?.status).toBe("failed");
    const forced = await post("retry-job", { jobId, workspaceId: "ws_demo", force: true }, owner);
    expect(forced.status).toBe(200);
    expect((await status(jobId)).body.data).toMatchObject({ status: "retrying", statusReason: "manual_retry_forced" });
  });

  it("an opted-out recipient is 409 recipient_opted_out", async () => {
    const jobId = await failedJob("20503");
    const [row] = await sql<{ to_phone: string }[]>`select to_phone from public.scheduled_sms_jobs where id = ${jobId}`;
    await sql`insert into public.sms_opt_outs (workspace_id, phone) values ('ws_demo', ${row?.to_phone ?? ""})`;
    const answer = await post("retry-job", { jobId, workspaceId: "ws_demo" });
    expect(answer.status).toBe(409);
    expect(answer.body.error?.code).toBe("recipient_opted_out");
    await sql`delete from public.sms_opt_outs where workspace_id = 'ws_demo' and phone = ${row?.to_phone ?? ""}`;
  });

  it("an expired job needs a new expiry: 400 invalid_expiry without one, retried with validFor", async () => {
    const sent = await post("send-sms", { to: recipient(), body: "Expiring", workspaceId: "ws_demo", validFor: 60 });
    const jobId = String(sent.body.data?.jobId);
    await sql`alter table public.scheduled_sms_jobs disable trigger scheduled_sms_jobs_guard`;
    await sql`update public.scheduled_sms_jobs set expires_at = now() - interval '1 second' where id = ${jobId}`;
    await sql`alter table public.scheduled_sms_jobs enable trigger scheduled_sms_jobs_guard`;
    expect(await sql`select private.expire_pending_jobs() as n`).toEqual([{ n: 1 }]);
    expect((await status(jobId)).body.data).toMatchObject({ status: "failed", statusReason: "expired", lastError: { code: "expired" } });
    const without = await post("retry-job", { jobId, workspaceId: "ws_demo" });
    expect(without.status).toBe(400);
    expect(without.body.error?.code).toBe("invalid_expiry");
    const withNew = await post("retry-job", { jobId, workspaceId: "ws_demo", validFor: 900 });
    expect(withNew.status).toBe(200);
    expect(Date.parse(String(withNew.body.data?.expiresTime)) - Date.parse(String(withNew.body.data?.nextAttemptTime))).toBe(900_000);
  });

  it("a viewer gets 403; another workspace's job is 404", async () => {
    const jobId = await failedJob("20503");
    expect((await post("retry-job", { jobId, workspaceId: "ws_demo" }, viewer)).status).toBe(403);
    const other = await post("retry-job", { jobId, workspaceId: "ws_other" }, await tokens.otherOwner());
    expect(other.status).toBe(404);
    expect(other.body.error?.code).toBe("job_not_found");
  });

  it("a batch id retries the batch's failed jobs set-based and answers how many", async () => {
    const bulk = await post("schedule-bulk", { workspaceId: "ws_demo", body: "Batch", recipients: [{ to: recipient() }, { to: recipient() }, { to: recipient() }] });
    const batchId = String(bulk.body.data?.batchId);
    const [a, b] = (bulk.body.data?.items as { jobId: string }[]).map((i) => i.jobId);
    for (const [id, code] of [[a, "20503"], [b, "21211"]] as const) {
      await sql`select private.claim_job(${id ?? ""}, ${worker})`;
      await sql`select private.fail_job(${id ?? ""}, ${worker}, ${code}, 'refused')`;
    }
    const answer = await post("retry-job", { jobId: batchId, workspaceId: "ws_demo" });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({ jobId: batchId, status: "retrying", retried: 1, skipped: 1 });
    const forced = await post("retry-job", { jobId: batchId, workspaceId: "ws_demo", force: true });
    expect(forced.body.data).toMatchObject({ retried: 1, skipped: 0 });
    const counts = await call(api.baseUrls.spec, "batch-status", { token: owner, query: { batchId, workspaceId: "ws_demo" } });
    expect(counts.body.data?.counts).toMatchObject({ retrying: 2, queued: 1 });
  });

  it("an Idempotency-Key replays the first answer and retries once", async () => {
    const jobId = await failedJob("20503");
    const key = randomUUID();
    const first = await post("retry-job", { jobId, workspaceId: "ws_demo" }, owner, { "Idempotency-Key": key });
    expect(first.status).toBe(200);
    // The job is retrying now: a fresh request would be 409; the replay answers as the first did.
    const again = await post("retry-job", { jobId, workspaceId: "ws_demo" }, owner, { "Idempotency-Key": key });
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    const [events] = await sql<{ n: number }[]>`
      select count(*)::int as n from public.sms_job_events where job_id = ${jobId} and event_type = 'retry_scheduled'`;
    expect(events?.n).toBe(1);
  });
});
