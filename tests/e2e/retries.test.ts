// Retry policies and expiry end to end: API (real Deno) -> database -> runner -> Twilio simulator.
// Each retry class with a short per-message policy, so waits take seconds: the waits between the
// attempts the simulator received, how many it received, and how the job ended.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { signUserToken } from "../../dev/access-token.ts";
import { seededUsers } from "../support/database.ts";
import { startLocalStack, waitFor, type InProcessRunner, type LocalStack } from "../support/local-stack.ts";

let stack: LocalStack;
let runner: InProcessRunner | null = null;
let token: string;
let recipientSeq = 0;

function nextRecipient(): string {
  recipientSeq += 1;
  return `+61412${String(Date.now() % 1000).padStart(3, "0")}${String(800 + recipientSeq).padStart(3, "0")}`;
}

interface JobRow { status: string; attempts: number; last_error_code: string | null; status_reason: string | null; expires_at: Date | null }

async function job(jobId: string): Promise<JobRow> {
  const [row] = await stack.sql<JobRow[]>`
    select status, attempts, last_error_code, status_reason, expires_at from public.scheduled_sms_jobs where id = ${jobId}`;
  if (!row) throw new Error(`no job ${jobId}`);
  return row;
}

function untilSettled(jobId: string, timeoutMs = 25_000): Promise<JobRow> {
  return waitFor(`job ${jobId} to settle`, async () => {
    const row = await job(jobId);
    return ["completed", "failed", "cancelled"].includes(row.status) ? row : undefined;
  }, timeoutMs);
}

async function send(to: string, extra: Record<string, unknown>): Promise<string> {
  const created = await stack.api(token, "POST", "send-sms", { to, body: "Retry policy", workspaceId: "ws_demo", ...extra });
  expect(created.status).toBe(200);
  return String(created.json.data.jobId);
}

/** Milliseconds between consecutive create requests the simulator received for `to`. */
function gaps(to: string): number[] {
  const times = stack.simulator.requests().filter((r) => r.to === to).map((r) => r.receivedAt);
  return times.slice(1).map((t, i) => t - (times[i] ?? t));
}

const fixed = (seconds: number, maxAttempts: number) =>
  ({ maxAttempts, backoff: "fixed", baseSeconds: seconds, maxSeconds: seconds, jitter: false });

beforeAll(async () => {
  stack = await startLocalStack({ callbacks: { statusDelayMs: 20 } });
  runner = await stack.startRunner();
  token = await signUserToken({ userId: seededUsers.demoOwner.id, email: seededUsers.demoOwner.email });
}, 60_000);

afterAll(async () => {
  await runner?.stop();
  await stack.stop();
});

beforeEach(() => stack.simulator.reset());

describe("retries by error class", () => {
  it("serverError (5xx): the fixed backoff is waited each time and maxAttempts ends it", async () => {
    const to = nextRecipient();
    stack.simulator.configure({ scriptedOutcomes: { [to]: [{ outcome: "error", status: 500, times: 5 }] } });
    const jobId = await send(to, { retryPolicy: { serverError: fixed(2, 3) } });
    expect(await untilSettled(jobId)).toMatchObject({ status: "failed", attempts: 3, status_reason: "retries_exhausted", last_error_code: "20500" });
    expect(stack.simulator.requests().filter((r) => r.to === to).map((r) => r.responseStatus)).toEqual([500, 500, 500]);
    for (const gap of gaps(to)) expect(gap).toBeGreaterThanOrEqual(2_000);
    expect(stack.simulator.messages({ to })).toHaveLength(0);
  });

  it("serverError (5xx), exponential: each wait doubles", async () => {
    const to = nextRecipient();
    stack.simulator.configure({ scriptedOutcomes: { [to]: [{ outcome: "error", status: 503, times: 2 }] } });
    const jobId = await send(to, { retryPolicy: { serverError: { maxAttempts: 4, backoff: "exponential", baseSeconds: 1, maxSeconds: 60, jitter: false } } });
    expect(await untilSettled(jobId)).toMatchObject({ status: "completed", attempts: 3 });
    const [first, second] = gaps(to);
    expect(first).toBeGreaterThanOrEqual(1_000);
    expect(first).toBeLessThan(2_000);
    expect(second).toBeGreaterThanOrEqual(2_000);
    expect(stack.simulator.messages({ to })).toHaveLength(1);
  });

  it("rateLimited (429): Retry-After is honoured when it is longer than the policy's backoff", async () => {
    const to = nextRecipient();
    stack.simulator.configure({ scriptedOutcomes: { [to]: [{ outcome: "error", status: 429, retryAfterSeconds: 3, times: 1 }] } });
    const jobId = await send(to, { retryPolicy: { rateLimited: fixed(1, 3) } });
    expect(await untilSettled(jobId)).toMatchObject({ status: "completed", attempts: 2 });
    expect(gaps(to)[0]).toBeGreaterThanOrEqual(3_000);
    const [retry] = await stack.sql<{ error_code: string }[]>`
      select error_code from public.sms_job_events where job_id = ${jobId} and event_type = 'retry_scheduled'`;
    expect(retry?.error_code).toBe("20429");
  });

  it("rateLimited: the class's own maxAttempts, not the server errors'", async () => {
    const to = nextRecipient();
    stack.simulator.configure({ scriptedOutcomes: { [to]: [{ outcome: "error", status: 429, retryAfterSeconds: 1, times: 5 }] } });
    const jobId = await send(to, { retryPolicy: { rateLimited: fixed(1, 2), serverError: fixed(1, 5) } });
    expect(await untilSettled(jobId)).toMatchObject({ status: "failed", attempts: 2, status_reason: "retries_exhausted", last_error_code: "20429" });
    expect(stack.simulator.requests().filter((r) => r.to === to)).toHaveLength(2);
  });

  it("carrier (30003, 30001): retried under the carrier rule", async () => {
    const to = nextRecipient();
    stack.simulator.configure({ scriptedOutcomes: { [to]: [
      { outcome: "error", status: 400, code: 30003, times: 1 }, { outcome: "error", status: 400, code: 30001, times: 1 },
    ] } });
    const jobId = await send(to, { retryPolicy: { carrier: fixed(2, 3), serverError: fixed(1, 1) } });
    expect(await untilSettled(jobId)).toMatchObject({ status: "completed", attempts: 3 });
    for (const gap of gaps(to)) expect(gap).toBeGreaterThanOrEqual(2_000);
    const retries = await stack.sql<{ error_code: string }[]>`
      select error_code from public.sms_job_events where job_id = ${jobId} and event_type = 'retry_scheduled' order by id`;
    expect(retries.map((r) => r.error_code)).toEqual(["30003", "30001"]);
  });

  it("a permanent error is never retried, whatever the policy", async () => {
    const to = "+15005550009"; // Twilio's magic number: not SMS-capable (21614)
    const jobId = await send(to, { retryPolicy: { rateLimited: fixed(1, 11), serverError: fixed(1, 11), carrier: fixed(1, 11) } });
    expect(await untilSettled(jobId)).toMatchObject({ status: "failed", attempts: 1, status_reason: "permanent_error", last_error_code: "21614" });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(stack.simulator.requests().filter((r) => r.to === to)).toHaveLength(1);
  });
});

describe("expiry", () => {
  it("ValidityPeriod is what remains of the expiry, capped at Twilio's 36000 s", async () => {
    const soon = nextRecipient();
    const later = nextRecipient();
    const none = nextRecipient();
    await Promise.all([send(soon, { validFor: 600 }), send(later, { validFor: 86_400 }), send(none, {})]);
    const [a, b, c] = await waitFor("three messages", async () => {
      const found = [soon, later, none].map((to) => stack.simulator.messages({ to })[0]);
      return found.every((m) => m !== undefined) ? found : undefined;
    });
    const validity = Number(a?.params.ValidityPeriod);
    expect(validity).toBeGreaterThanOrEqual(595);
    expect(validity).toBeLessThanOrEqual(600);
    expect(b?.params.ValidityPeriod).toBe("36000");
    expect(c?.params.ValidityPeriod).toBeUndefined();
  });

  it("between retries: no attempt after the expiry, the job ends failed with reason expired", async () => {
    const to = nextRecipient();
    stack.simulator.configure({ scriptedOutcomes: { [to]: [{ outcome: "error", status: 500, times: 10 }] } });
    const jobId = await send(to, { validFor: 5, retryPolicy: { serverError: fixed(3, 10) } });
    expect(await untilSettled(jobId)).toMatchObject({ status: "failed", status_reason: "expired", last_error_code: "expired" });
    const { expires_at: expiresAt } = await job(jobId);
    const attempts = stack.simulator.requests().filter((r) => r.to === to);
    expect(attempts).toHaveLength(2); // at 0 s and 3 s; a third at 6 s would be after the 5 s expiry
    for (const attempt of attempts) expect(attempt.receivedAt).toBeLessThan(expiresAt?.getTime() ?? 0);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(stack.simulator.requests().filter((r) => r.to === to)).toHaveLength(2);
  });

  it("before the first attempt (no runner, then the sweep or a claim): never sent, failed as expired", async () => {
    await runner?.stop();
    runner = null;
    const bySweep = nextRecipient();
    const byClaim = nextRecipient();
    const sweptId = await send(bySweep, { validFor: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await stack.sql`select private.expire_pending_jobs()`;
    expect(await job(sweptId)).toMatchObject({ status: "failed", status_reason: "expired", attempts: 0 });
    const claimedId = await send(byClaim, { validFor: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    runner = await stack.startRunner();
    expect(await untilSettled(claimedId)).toMatchObject({ status: "failed", status_reason: "expired", attempts: 0 });
    const [event] = await stack.sql<{ error_code: string }[]>`
      select error_code from public.sms_job_events where job_id = ${claimedId} and event_type = 'failed'`;
    expect(event?.error_code).toBe("expired");
    expect(stack.simulator.requests().filter((r) => r.to === bySweep || r.to === byClaim)).toHaveLength(0);
  });
});

describe("retry-job", () => {
  it("a job that failed after its retries is sent on a manual retry, its history kept", async () => {
    const to = nextRecipient();
    stack.simulator.configure({ scriptedOutcomes: { [to]: [{ outcome: "error", status: 500, times: 1 }] } });
    const jobId = await send(to, { retryPolicy: { serverError: fixed(1, 1) } });
    expect(await untilSettled(jobId)).toMatchObject({ status: "failed", status_reason: "retries_exhausted" });
    const retried = await stack.api(token, "POST", "retry-job", { jobId, workspaceId: "ws_demo" });
    expect(retried.status).toBe(200);
    expect(await untilSettled(jobId)).toMatchObject({ status: "completed", attempts: 1 });
    expect(stack.simulator.messages({ to })).toHaveLength(1);
    const log = await stack.sql<{ event_type: string }[]>`select event_type from public.sms_job_events where job_id = ${jobId} order by id`;
    // Twilio's reports (delivery statuses, the price with the final one) may be logged before the
    // runner records the send: callbacks race it.
    const twilioReports = new Set(["message_status", "price_reported"]);
    expect(log.map((e) => e.event_type).filter((type) => !twilioReports.has(type)))
      .toEqual(["created", "claimed", "failed", "retry_scheduled", "claimed", "completed"]);
    expect(log.filter((e) => e.event_type === "price_reported").length).toBeLessThanOrEqual(1);
  });
});
