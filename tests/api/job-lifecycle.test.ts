// Cancelling, job-status in every state and the jobs list, with states driven by the private
// transition functions the delivery workers use.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../support/database.ts";
import { type ApiServer, call, startApiServer, tokens } from "./support/api-server.ts";

const sql = connect();
let api: ApiServer;
let owner: string;
beforeAll(async () => {
  api = await startApiServer();
  owner = await tokens.owner();
});
afterAll(async () => {
  await api.stop();
  await sql.end();
});

const message = { to: "+61412345678", body: "Lifecycle", workspaceId: "ws_demo" };
const worker = "api-test-worker";

async function sendNow(): Promise<string> {
  const answer = await call(api.baseUrls.spec, "send-sms", { token: owner, json: message });
  expect(answer.status).toBe(200);
  return String(answer.body.data?.jobId);
}

async function scheduleLater(minutes = 30): Promise<string> {
  const answer = await call(api.baseUrls.spec, "schedule-delay", { token: owner, json: { ...message, delayMinutes: minutes } });
  expect(answer.status).toBe(200);
  return String(answer.body.data?.jobId);
}

const status = (jobId: string, base = api.baseUrls.spec) =>
  call(base, "job-status", { token: owner, query: { jobId, workspaceId: "ws_demo" } });
const cancel = (jobId: string, base = api.baseUrls.spec) =>
  call(base, "cancel-job", { token: owner, json: { jobId, workspaceId: "ws_demo" } });

describe("cancel-job", () => {
  it("cancels a scheduled job, which then stays cancelled and is never claimed", async () => {
    const jobId = await scheduleLater();
    const answer = await cancel(jobId, api.baseUrls.functions);
    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual({ jobId, status: "cancelled" });
    // Even once its time has come, no worker can claim it.
    await sql`update public.scheduled_sms_jobs set next_attempt_at = now() - interval '1 minute' where id = ${jobId}`;
    await expect(sql`select private.claim_job(${jobId}, ${worker})`).rejects.toMatchObject({ hint: "invalid_transition" });
    const [due] = await sql`select count(*)::int as n from public.scheduled_sms_jobs
      where id = ${jobId} and is_pending`;
    expect(due?.n).toBe(0);
    expect((await status(jobId)).body.data).toMatchObject({ status: "cancelled", statusReason: "cancelled_by_user", nextAttemptTime: null });
  });

  it("cancelling a cancelled job succeeds again and logs nothing new (idempotent)", async () => {
    const jobId = await scheduleLater();
    expect((await cancel(jobId)).status).toBe(200);
    const events = async () => (await sql`select count(*)::int as n from public.sms_job_events where job_id = ${jobId}`)[0]?.n as number;
    const before = await events();
    const again = await cancel(jobId);
    expect(again.status).toBe(200);
    expect(again.body.data).toEqual({ jobId, status: "cancelled" });
    expect(await events()).toBe(before);
  });

  it("a job that is processing or finished cannot be cancelled: 409, unchanged", async () => {
    const processing = await sendNow();
    await sql`select private.claim_job(${processing}, ${worker})`;
    const completed = await sendNow();
    await sql`select private.claim_job(${completed}, ${worker})`;
    await sql`select private.complete_job(${completed}, ${worker}, 'SM0123456789abcdef0123456789abcdef')`;
    for (const [jobId, state] of [[processing, "processing"], [completed, "completed"]] as const) {
      const answer = await cancel(jobId);
      expect(answer.status).toBe(409);
      expect(answer.body.error?.code).toBe("invalid_transition");
      expect((await status(jobId)).body.data?.status).toBe(state);
    }
  });
});

describe("job-status", () => {
  it("shows every state with its details, times in the workspace's timezone", async () => {
    const queued = await sendNow();
    const scheduled = await scheduleLater();
    const cancelled = await scheduleLater();
    await cancel(cancelled);
    const processing = await sendNow();
    await sql`select private.claim_job(${processing}, ${worker})`;
    const retrying = await sendNow();
    await sql`select private.claim_job(${retrying}, ${worker})`;
    await sql`select private.retry_job(${retrying}, ${worker}, '20429', 'Too many requests', 120)`;
    const failed = await sendNow();
    await sql`select private.claim_job(${failed}, ${worker})`;
    await sql`select private.fail_job(${failed}, ${worker}, '21211', 'Invalid To number')`;
    const completed = await sendNow();
    await sql`select private.claim_job(${completed}, ${worker})`;
    await sql`select private.complete_job(${completed}, ${worker}, 'SMfedcba9876543210fedcba9876543210', 'delivered')`;

    const offset = /\+10:00$/;
    const expectations: [string, Record<string, unknown>][] = [
      [queued, { status: "queued", completedTime: null, messageStatus: null, attempts: 0, maxAttempts: 4, lastError: null }],
      [scheduled, { status: "scheduled", completedTime: null, attempts: 0 }],
      [cancelled, { status: "cancelled", statusReason: "cancelled_by_user", nextAttemptTime: null }],
      [processing, { status: "processing", attempts: 1, nextAttemptTime: null }],
      [retrying, { status: "retrying", attempts: 1, lastError: { code: "20429", message: "Too many requests" } }],
      [failed, { status: "failed", statusReason: "permanent_error", lastError: { code: "21211", message: "Invalid To number" } }],
      [completed, { status: "completed", messageStatus: "delivered", twilioSid: "SMfedcba9876543210fedcba9876543210", statusReason: "accepted_by_twilio" }],
    ];
    for (const [jobId, expected] of expectations) {
      const answer = await status(jobId);
      expect(answer.status).toBe(200);
      expect(answer.body.data).toMatchObject({ jobId, workspaceId: "ws_demo", to: "+61412345678", fromNumber: "+15005550006", ...expected });
      expect(answer.body.data?.scheduledTime).toMatch(offset);
    }
    const done = (await status(completed, api.baseUrls.functions)).body.data ?? {};
    expect(done.completedTime).toMatch(offset);
    expect(Date.parse(String(done.completedTime))).toBeGreaterThanOrEqual(Date.parse(String(done.scheduledTime)));
    const waiting = (await status(retrying)).body.data ?? {};
    expect(Date.parse(String(waiting.nextAttemptTime)) - Date.now()).toBeGreaterThan(100_000);
  });

  it("an unknown job is 404 job_not_found", async () => {
    const answer = await status("job_ffffffffffffffffffffffffffffffff");
    expect(answer.status).toBe(404);
    expect(answer.body.error?.code).toBe("job_not_found");
  });
});

describe("jobs", () => {
  it("pages through a workspace's jobs, latest scheduled first, without gaps or repeats", async () => {
    // A window of its own, far ahead, so other tests' jobs stay out of it.
    const start = Date.now() + 200 * 86_400_000;
    const times = [0, 1, 2, 3, 3, 3, 4].map((m) => new Date(start + m * 60_000).toISOString());
    const created: string[] = [];
    for (const scheduledTime of times) {
      const answer = await call(api.baseUrls.spec, "schedule-until", { token: owner, json: { ...message, scheduledTime } });
      created.push(String(answer.body.data?.jobId));
    }
    const window = { workspaceId: "ws_demo", from: new Date(start).toISOString(), to: new Date(start + 10 * 60_000).toISOString(), limit: "3" };
    const seen: { jobId: string; scheduledTime: string }[] = [];
    const pageSizes: number[] = [];
    let cursor: string | null = null;
    do {
      const query: Record<string, string> = cursor === null ? window : { ...window, cursor };
      const page = await call(api.baseUrls.functions, "jobs", { token: owner, query });
      expect(page.status).toBe(200);
      const jobs = page.body.data?.jobs as { jobId: string; scheduledTime: string }[];
      pageSizes.push(jobs.length);
      seen.push(...jobs);
      cursor = page.body.data?.nextCursor as string | null;
    } while (cursor !== null);
    expect(pageSizes).toEqual([3, 3, 1]);
    expect(seen.map((j) => j.jobId).sort()).toEqual([...created].sort());
    const instants = seen.map((j) => Date.parse(j.scheduledTime));
    expect(instants).toEqual([...instants].sort((a, b) => b - a));
  });

  it("filters by status", async () => {
    const scheduled = await scheduleLater(90);
    const cancelled = await scheduleLater(90);
    await cancel(cancelled);
    const answer = await call(api.baseUrls.spec, "jobs", { token: owner, query: { workspaceId: "ws_demo", status: "cancelled", limit: "200" } });
    const jobs = answer.body.data?.jobs as { jobId: string; status: string }[];
    expect(jobs.every((j) => j.status === "cancelled")).toBe(true);
    expect(jobs.map((j) => j.jobId)).toContain(cancelled);
    expect(jobs.map((j) => j.jobId)).not.toContain(scheduled);
    const both = await call(api.baseUrls.spec, "jobs", { token: owner, query: { workspaceId: "ws_demo", status: "scheduled,cancelled", limit: "200" } });
    const ids = (both.body.data?.jobs as { jobId: string }[]).map((j) => j.jobId);
    expect(ids).toEqual(expect.arrayContaining([scheduled, cancelled]));
  });

  it("shows only the asked workspace's jobs", async () => {
    const answer = await call(api.baseUrls.spec, "jobs", { token: await tokens.otherOwner(), query: { workspaceId: "ws_other", limit: "200" } });
    expect(answer.status).toBe(200);
    expect((answer.body.data?.jobs as { workspaceId: string }[]).every((j) => j.workspaceId === "ws_other")).toBe(true);
  });
});
