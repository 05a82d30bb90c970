// End to end over the whole local stack: API (real Deno) -> database -> runner -> Twilio simulator
// -> signed status callbacks -> twilio-status (real Deno) -> database.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { signUserToken } from "../../dev/access-token.ts";
import { seededUsers } from "../support/database.ts";
import { startLocalStack, waitFor, type ApiAnswer, type InProcessRunner, type LocalStack } from "../support/local-stack.ts";

let stack: LocalStack;
let runner: InProcessRunner;
let token: string;
let recipientSeq = 0;

/** A fresh recipient per test, so simulator messages can be told apart. */
function nextRecipient(): string {
  recipientSeq += 1;
  // +61 412 is an allocated Australian mobile range, so the API's strict number check accepts it.
  return `+61412${String(Date.now() % 1000).padStart(3, "0")}${String(recipientSeq).padStart(3, "0")}`;
}

function api(method: "GET" | "POST", route: string, body?: unknown): Promise<ApiAnswer> {
  return stack.api(token, method, route, body);
}

interface JobRow { status: string; attempts: number; message_status: string | null; last_error_code: string | null;
  status_reason: string | null; scheduled_time: Date }

async function job(jobId: string): Promise<JobRow> {
  const [row] = await stack.sql<JobRow[]>`
    select status, attempts, message_status, last_error_code, status_reason, scheduled_time
    from public.scheduled_sms_jobs where id = ${jobId}`;
  if (!row) throw new Error(`no job ${jobId}`);
  return row;
}

async function events(jobId: string): Promise<{ event_type: string; error_code: string | null; details: Record<string, unknown>; created_at: Date }[]> {
  return stack.sql`select event_type, error_code, details, created_at from public.sms_job_events where job_id = ${jobId} order by id`;
}

function untilSettled(jobId: string, timeoutMs = 20_000): Promise<JobRow> {
  return waitFor(`job ${jobId} to settle`, async () => {
    const row = await job(jobId);
    return ["completed", "failed", "cancelled"].includes(row.status) ? row : undefined;
  }, timeoutMs);
}

beforeAll(async () => {
  stack = await startLocalStack({ callbacks: { statusDelayMs: 20 } });
  // Short backoff so retry scenarios take seconds, not minutes.
  await stack.sql`update public.workspace_settings set retry_base_seconds = 1, retry_max_seconds = 2 where workspace_id = 'ws_demo'`;
  runner = await stack.startRunner();
  token = await signUserToken({ userId: seededUsers.demoOwner.id, email: seededUsers.demoOwner.email });
}, 60_000);

afterAll(async () => {
  await stack.sql`update public.workspace_settings set retry_base_seconds = 30, retry_max_seconds = 3600 where workspace_id = 'ws_demo'`;
  await stack.stop();
});

beforeEach(() => stack.simulator.reset());

describe("sending through the whole local stack", () => {
  it("send-sms: sent once, completed, then delivered via signed status callbacks", async () => {
    const to = nextRecipient();
    const created = await api("POST", "send-sms", { to, body: "Hello now", workspaceId: "ws_demo", fromNumber: "+15005550006" });
    expect(created.status).toBe(200);
    const jobId: string = created.json.data.jobId;

    const status = await waitFor("delivered", async () => {
      const s = await api("GET", `job-status?jobId=${jobId}&workspaceId=ws_demo`);
      return s.json.data.messageStatus === "delivered" ? s.json.data : undefined;
    });
    expect(status).toMatchObject({ jobId, status: "completed", messageStatus: "delivered" });
    expect(status.completedTime).toMatch(/\+10:00$/);
    const sent = stack.simulator.messages({ to });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ body: "Hello now", from: "+15005550006" });
    // "delivered" is committed before its callback's answer reaches the simulator: wait for the answers.
    await stack.simulator.idle();
    expect(sent[0]?.callbacks.map((c) => c.status)).toEqual(["queued", "sent", "delivered"]);
    expect(sent[0]?.callbacks.every((c) => c.responseStatus === 200)).toBe(true);
  });

  it("schedule-until: sent once, not before its time and within a second after it", async () => {
    const to = nextRecipient();
    const due = new Date(Date.now() + 3_000);
    const created = await api("POST", "schedule-until", {
      to, body: "On the dot", workspaceId: "ws_demo", scheduledTime: due.toISOString().replace("Z", "+00:00"),
    });
    expect(created.json.data.status).toBe("scheduled");
    const settled = await untilSettled(created.json.data.jobId);
    expect(settled.status).toBe("completed");
    const sent = stack.simulator.messages({ to });
    expect(sent).toHaveLength(1);
    const lateness = (sent[0]?.receivedAt ?? 0) - due.getTime();
    expect(lateness).toBeGreaterThanOrEqual(0);
    expect(lateness).toBeLessThan(1_000);
  });

  it("schedule-delay with delayMinutes 1: a minute later completed, delivered, one message", async () => {
    const to = nextRecipient();
    const asked = Date.now();
    const created = await api("POST", "schedule-delay", { to, body: "In a minute", workspaceId: "ws_demo", delayMinutes: 1 });
    expect(created.json).toMatchObject({ success: true, data: { status: "scheduled" } });
    const jobId: string = created.json.data.jobId;
    const due = Date.parse(created.json.data.scheduledTime);
    expect(due - asked).toBeGreaterThanOrEqual(59_000);
    expect(due - asked).toBeLessThan(62_000);

    const status = await waitFor("delivered", async () => {
      const s = await api("GET", `job-status?jobId=${jobId}&workspaceId=ws_demo`);
      return s.json.data.messageStatus === "delivered" ? s.json.data : undefined;
    }, 75_000, 250);
    expect(status).toMatchObject({ status: "completed", messageStatus: "delivered" });
    const sent = stack.simulator.messages({ to });
    expect(sent).toHaveLength(1);
    expect((sent[0]?.receivedAt ?? 0) - due).toBeGreaterThanOrEqual(0);
    expect((sent[0]?.receivedAt ?? 0) - due).toBeLessThan(1_000);
  }, 90_000);

  it("a job cancelled before it is due is never sent", async () => {
    const to = nextRecipient();
    const created = await api("POST", "schedule-until", {
      to, body: "Never", workspaceId: "ws_demo", scheduledTime: new Date(Date.now() + 2_000).toISOString(),
    });
    expect(created.json).toMatchObject({ success: true, data: { status: "scheduled" } });
    const jobId: string = created.json.data.jobId;
    const cancelled = await api("POST", "cancel-job", { jobId, workspaceId: "ws_demo" });
    expect(cancelled.json.data).toEqual({ jobId, status: "cancelled" });
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    expect(stack.simulator.requests().filter((r) => r.to === to)).toHaveLength(0);
    expect((await job(jobId)).status).toBe("cancelled");
  });

  it("two transient failures then success: three attempts, completed, each failure in the log", async () => {
    const to = nextRecipient();
    stack.simulator.configure({ scriptedOutcomes: { [to]: [{ outcome: "error", status: 500, times: 2 }] } });
    const [created] = await stack.sql<{ id: string }[]>`select id from private.create_job('ws_demo', ${to}, 'third time lucky')`;
    const settled = await untilSettled(created?.id ?? "");
    expect(settled).toMatchObject({ status: "completed", attempts: 3 });
    const log = await events(created?.id ?? "");
    expect(log.filter((e) => e.event_type === "retry_scheduled").map((e) => e.error_code)).toEqual(["20500", "20500"]);
    expect(stack.simulator.requests().filter((r) => r.to === to).map((r) => r.responseStatus)).toEqual([500, 500, 201]);
    expect(stack.simulator.messages({ to })).toHaveLength(1);
  });

  it("a permanent failure fails after one attempt with its reason", async () => {
    const to = "+15005550009"; // Twilio's magic number: not SMS-capable (21614)
    const [created] = await stack.sql<{ id: string }[]>`select id from private.create_job('ws_demo', ${to}, 'to a landline')`;
    const settled = await untilSettled(created?.id ?? "");
    expect(settled).toMatchObject({ status: "failed", attempts: 1, last_error_code: "21614", status_reason: "permanent_error" });
    const log = await events(created?.id ?? "");
    expect(log.map((e) => e.event_type)).toEqual(["created", "claimed", "failed"]);
  });

  it("21610 (recipient replied STOP) fails the job, records an opt-out and refuses later sends", async () => {
    const to = "+15005550004";
    await stack.sql`delete from public.sms_opt_outs where workspace_id = 'ws_demo' and phone = ${to}`;
    const [created] = await stack.sql<{ id: string }[]>`select id from private.create_job('ws_demo', ${to}, 'promo')`;
    expect(await untilSettled(created?.id ?? "")).toMatchObject({ status: "failed", last_error_code: "21610" });
    const [optOut] = await stack.sql<{ source: string }[]>`
      select source from public.sms_opt_outs where workspace_id = 'ws_demo' and phone = ${to}`;
    expect(optOut?.source).toBe("twilio_21610");
    await expect(stack.sql`select private.create_job('ws_demo', ${to}, 'again')`)
      .rejects.toMatchObject({ hint: "recipient_opted_out" });
    await stack.sql`delete from public.sms_opt_outs where workspace_id = 'ws_demo' and phone = ${to}`;
  });

  it("a 429 storm: retries wait at least Retry-After, then the message goes out once", async () => {
    const to = nextRecipient();
    stack.simulator.configure({ scriptedOutcomes: { [to]: [{ outcome: "error", status: 429, retryAfterSeconds: 2, times: 2 }] } });
    const [created] = await stack.sql<{ id: string }[]>`select id from private.create_job('ws_demo', ${to}, 'busy line')`;
    expect(await untilSettled(created?.id ?? "", 30_000)).toMatchObject({ status: "completed", attempts: 3 });
    const attempts = stack.simulator.requests().filter((r) => r.to === to);
    expect(attempts.map((r) => r.responseStatus)).toEqual([429, 429, 201]);
    for (let i = 1; i < attempts.length; i++) {
      expect((attempts[i]?.receivedAt ?? 0) - (attempts[i - 1]?.receivedAt ?? 0)).toBeGreaterThanOrEqual(2_000);
    }
    const retries = (await events(created?.id ?? "")).filter((e) => e.event_type === "retry_scheduled");
    expect(retries.map((e) => e.error_code)).toEqual(["20429", "20429"]);
  });

  it("duplicated and reordered status callbacks still end at delivered", async () => {
    const to = nextRecipient();
    stack.simulator.configure({ callbacks: { order: "reversed", duplicateRate: 1, statusDelayMs: 10 } });
    const [created] = await stack.sql<{ id: string }[]>`select id from private.create_job('ws_demo', ${to}, 'shuffle')`;
    const jobId = created?.id ?? "";
    await untilSettled(jobId);
    await waitFor("callbacks", async () => {
      const callbacks = stack.simulator.messages({ to })[0]?.callbacks ?? [];
      return callbacks.length >= 6 && callbacks.every((c) => c.completedAt !== null) ? callbacks : undefined;
    });
    const callbacks = stack.simulator.messages({ to })[0]?.callbacks ?? [];
    expect(callbacks.map((c) => c.status)[0]).toBe("delivered");
    expect(callbacks.every((c) => c.responseStatus === 200)).toBe(true);
    expect((await job(jobId)).message_status).toBe("delivered");
    // Only forward moves were recorded: the first callback (delivered) was the only change.
    const statusEvents = (await events(jobId)).filter((e) => e.event_type === "message_status");
    expect(statusEvents.map((e) => e.details.to)).toEqual(["delivered"]);
  });

  it("a callback with a bad signature is refused with 403 and changes nothing", async () => {
    const to = nextRecipient();
    const [created] = await stack.sql<{ id: string }[]>`select id from private.create_job('ws_demo', ${to}, 'signed')`;
    const jobId = created?.id ?? "";
    await untilSettled(jobId);
    await waitFor("delivered", async () => ((await job(jobId)).message_status === "delivered" ? true : undefined));
    const [{ twilio_sid: sid } = { twilio_sid: "" }] = await stack.sql<{ twilio_sid: string }[]>`
      select twilio_sid from public.scheduled_sms_jobs where id = ${jobId}`;
    const response = await fetch(`${stack.statusCallbackUrl}?job=${jobId}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": "forged" },
      body: new URLSearchParams({ MessageSid: sid, MessageStatus: "failed", ErrorCode: "30008" }).toString(),
    });
    expect(response.status).toBe(403);
    expect((await job(jobId)).message_status).toBe("delivered");
  });
});

describe("a runner killed mid-batch", () => {
  it("loses nothing: every message ends sent, and every resend is preceded by an in-doubt event", async () => {
    await runner.stop();
    stack.simulator.configure({ latencyMs: 300 });
    const count = 40;
    const prefix = `kill-${Date.now()}`;
    const ids = (await stack.sql<{ id: string }[]>`
      insert into public.scheduled_sms_jobs (workspace_id, to_phone, body)
      select 'ws_demo', '+6149' || lpad(g::text, 7, '0'), ${prefix} || ' #' || g from generate_series(1, ${count}) g
      returning id`).map((r) => r.id);

    const doomed = await stack.startRunnerProcess({ RUNNER_LEASE_SECONDS: "2", RUNNER_CONCURRENCY: "10", RUNNER_CLAIM_BATCH: "10" });
    await waitFor("some sends in flight", async () =>
      stack.simulator.requests().length >= 5 ? true : undefined, 20_000, 20);
    await doomed.kill("SIGKILL");

    await new Promise((resolve) => setTimeout(resolve, 2_500)); // the dead runner's leases run out
    await stack.sql`select private.run_sweep()`;
    stack.simulator.configure({ latencyMs: 0 });
    runner = await stack.startRunner();

    const final = await waitFor("all settled", async () => {
      const rows = await stack.sql<{ id: string; status: string }[]>`
        select id, status from public.scheduled_sms_jobs where id = any(${ids})`;
      return rows.every((r) => r.status === "completed") ? rows : undefined;
    }, 30_000);
    expect(final).toHaveLength(count);

    const sendsPerBody = new Map<string, number>();
    for (const m of stack.simulator.messages()) {
      if (m.body.startsWith(prefix)) sendsPerBody.set(m.body, (sendsPerBody.get(m.body) ?? 0) + 1);
    }
    expect(sendsPerBody.size).toBe(count); // none lost
    const duplicated = [...sendsPerBody].filter(([, n]) => n > 1).map(([body]) => body);
    for (const body of duplicated) {
      const [row] = await stack.sql<{ in_doubt: number }[]>`
        select count(*)::int as in_doubt from public.sms_job_events e
        join public.scheduled_sms_jobs j on j.id = e.job_id
        where j.body = ${body} and e.error_code = 'lease_expired'`;
      expect({ body, inDoubt: (row?.in_doubt ?? 0) > 0 }).toEqual({ body, inDoubt: true });
    }
  });
});
