// API rate limits as a client sees them: RateLimit-Policy and RateLimit on every answer, 429
// rate_limited with Retry-After once a burst is spent (and success again after waiting), a refused
// request that did nothing, budgets per workspace and caller (another tenant is not slowed), bulk
// counted by recipients, owners' overrides within bounds, and no fresh budgets for invented
// workspace ids. Every answer is checked against the OpenAPI document by `call`.
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { databaseLimits } from "../../supabase/functions/_shared/limits.ts";
import { connect } from "../support/database.ts";
import { type ApiAnswer, type ApiServer, call, type CallOptions, startApiServer, tokens } from "./support/api-server.ts";

const sql = connect();
let api: ApiServer;
let base: string;
let jobId: string;

/** Every bucket full again (another file's calls, or this file's previous test, spent them). */
const refillAll = async () => { await sql`delete from private.api_rate_buckets`; };
const setLimits = async (workspaceId: string, limits: Record<string, number>) => {
  await sql`update public.workspace_settings set api_limits = ${sql.json(limits)} where workspace_id = ${workspaceId}`;
};

beforeAll(async () => {
  api = await startApiServer();
  base = api.baseUrls.spec;
  await setLimits("ws_demo", {});
  await setLimits("ws_other", {});
  await refillAll();
  const sent = await call(base, "schedule-delay", {
    token: await tokens.owner(),
    json: { workspaceId: "ws_demo", to: "+61412345678", body: "Rate limits", delayMinutes: 60 },
  });
  expect(sent.status).toBe(200);
  jobId = String(sent.body.data?.jobId);
});
afterEach(async () => {
  await setLimits("ws_demo", {});
  await setLimits("ws_other", {});
  await refillAll();
});
afterAll(async () => {
  await api.stop();
  await sql.end();
});

const policy = (answer: ApiAnswer) => answer.headers.get("ratelimit-policy");
const state = (answer: ApiAnswer) => answer.headers.get("ratelimit");
/** The `r` (remaining) of a policy in the RateLimit field. */
const remainingOf = (answer: ApiAnswer, name: string): number | undefined => {
  const match = new RegExp(`"${name}";r=(\\d+);t=(\\d+)`).exec(state(answer) ?? "");
  return match === null ? undefined : Number(match[1]);
};

/** `n` calls at once (the server takes them as fast as it can), with their answers and how long they took. */
async function burst(n: number, route: string, options: () => Promise<CallOptions>): Promise<{ answers: ApiAnswer[]; ms: number }> {
  const prepared = await Promise.all(Array.from({ length: n }, options));
  const started = performance.now();
  const answers = await Promise.all(prepared.map((o) => call(base, route, o)));
  return { answers, ms: performance.now() - started };
}
const count = (answers: ApiAnswer[], status: number) => answers.filter((a) => a.status === status).length;

describe("every answer of a token route carries the RateLimit fields", () => {
  it("on 200, 400, 403 and 404 answers, reads and writes each with their own policy", async () => {
    const owner = await tokens.owner();
    const ok = await call(base, "job-status", { token: owner, query: { workspaceId: "ws_demo", jobId } });
    expect(ok.status).toBe(200);
    expect(policy(ok)).toBe(`"reads";q=${databaseLimits.api_read_burst};w=2`);
    expect(state(ok)).toMatch(/^"reads";r=\d+;t=\d+$/);
    expect(remainingOf(ok, "reads")).toBeLessThan(databaseLimits.api_read_burst);

    const notFound = await call(base, "job-status", { token: owner, query: { workspaceId: "ws_demo", jobId: "job_00000000000000000000000000" } });
    expect([400, 404]).toContain(notFound.status);
    expect(policy(notFound)).toBe(`"reads";q=${databaseLimits.api_read_burst};w=2`);

    const invalid = await call(base, "send-sms", { token: owner, json: { workspaceId: "ws_demo", to: "nope" } });
    expect(invalid.status).toBe(400);
    expect(policy(invalid)).toBe(`"writes";q=${databaseLimits.api_write_burst};w=2`);
    expect(remainingOf(invalid, "writes")).toBeLessThan(databaseLimits.api_write_burst);

    const malformed = await call(base, "send-sms", { token: owner, rawBody: "{not json", headers: { "Content-Type": "application/json" } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error?.code).toBe("malformed_json");
    expect(state(malformed)).toMatch(/^"writes";r=\d+;t=\d+$/);

    const forbidden = await call(base, "job-status", { token: await tokens.otherOwner(), query: { workspaceId: "ws_demo", jobId } });
    expect(forbidden.status).toBe(403);
    expect(policy(forbidden)).not.toBeNull();

    // A browser app may read them (and Retry-After).
    const exposed = ok.headers.get("access-control-expose-headers") ?? "";
    for (const header of ["ratelimit-policy", "ratelimit", "retry-after"]) expect(exposed).toContain(header);
  });

  it("but not on health (no token, not limited) nor on 401 (no caller to charge)", async () => {
    const health = await call(base, "health");
    expect(health.status).toBe(200);
    expect(policy(health)).toBeNull();
    const unauthorized = await call(base, "job-status", { query: { workspaceId: "ws_demo", jobId } });
    expect(unauthorized.status).toBe(401);
    expect(policy(unauthorized)).toBeNull();
  });
});

describe("a burst over the limit", () => {
  it("gets 429 rate_limited with Retry-After after the burst, and succeeds again after waiting Retry-After", async () => {
    const owner = await tokens.owner();
    // More rapid job-status calls than the read burst (40): the first ones pass, then 429s.
    const { answers, ms } = await burst(250, "job-status", async () => ({ token: owner, query: { workspaceId: "ws_demo", jobId } }));
    const allowed = count(answers, 200);
    const refused = answers.filter((a) => a.status === 429);
    expect(allowed + refused.length).toBe(250);
    expect(allowed).toBeGreaterThanOrEqual(databaseLimits.api_read_burst);
    expect(allowed).toBeLessThanOrEqual(databaseLimits.api_read_burst + Math.ceil(databaseLimits.api_read_rate_per_second * ms / 1000) + 1);
    expect(refused.length).toBeGreaterThan(0);
    const first = refused[0];
    expect(first?.body.error?.code).toBe("rate_limited");
    expect(first?.body.error?.message).toMatch(/reads/);
    const retryAfter = Number(first?.headers.get("retry-after"));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
    expect(first && policy(first)).toBe(`"reads";q=${databaseLimits.api_read_burst};w=2`);
    expect(first && remainingOf(first, "reads")).toBe(0);

    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
    const again = await call(base, "job-status", { token: owner, query: { workspaceId: "ws_demo", jobId } });
    expect(again.status).toBe(200);
  });

  it("a loop of 100 job-status calls, one after another, gets 429s with Retry-After after the burst", async () => {
    const viewer = await tokens.viewer();
    const statuses: number[] = [];
    let firstRefusal: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 100; i++) {
      const answer = await call(base, "job-status", { token: viewer, query: { workspaceId: "ws_demo", jobId } });
      statuses.push(answer.status);
      if (answer.status === 429) firstRefusal ??= answer;
    }
    // The burst passes (40), then the loop outruns the refill (20/s) and is refused, with the wait.
    expect(statuses.slice(0, databaseLimits.api_read_burst).every((s) => s === 200)).toBe(true);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    expect(Number(firstRefusal?.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(firstRefusal?.body.error?.code).toBe("rate_limited");
    // The viewer's reads are full again for the tests after this one (40 at 20/s: 2 s).
    await new Promise((resolve) => setTimeout(resolve, 2_100));
  });

  it("a refused send-sms created no job, and a refused request with an Idempotency-Key stored no key", async () => {
    await setLimits("ws_demo", { writeBurst: 3, writeRatePerSecond: 1 });
    const member = await tokens.member();
    const spent = await burst(6, "send-sms", async () => ({ token: member, json: { workspaceId: "ws_demo" } }));
    expect(count(spent.answers, 429)).toBeGreaterThan(0);

    const body = `Refused ${randomUUID()}`;
    const key = randomUUID();
    const refused = await call(base, "send-sms", {
      token: member, json: { workspaceId: "ws_demo", to: "+61412345678", body }, headers: { "Idempotency-Key": key },
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    const [jobs] = await sql<{ n: number }[]>`select count(*)::int as n from public.scheduled_sms_jobs where body = ${body}`;
    expect(jobs?.n).toBe(0);
    const [keys] = await sql<{ n: number }[]>`select count(*)::int as n from private.idempotency_keys where key = ${key}`;
    expect(keys?.n).toBe(0);

    // Safe to retry: after Retry-After the same request (same key) is done once.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const retried = await call(base, "send-sms", {
      token: member, json: { workspaceId: "ws_demo", to: "+61412345678", body }, headers: { "Idempotency-Key": key },
    });
    expect(retried.status).toBe(200);
    const [after] = await sql<{ n: number }[]>`select count(*)::int as n from public.scheduled_sms_jobs where body = ${body}`;
    expect(after?.n).toBe(1);
  });
});

describe("budgets are per workspace and caller", () => {
  it("while one tenant is held at its limit, the other tenant's calls all succeed, at normal latency", async () => {
    const owner = await tokens.owner();
    const otherOwner = await tokens.otherOwner();
    const member = await tokens.member();
    const otherJob = await call(base, "schedule-delay", {
      token: otherOwner, json: { workspaceId: "ws_other", to: "+61412345678", body: "Other tenant", delayMinutes: 60 },
    });
    expect(otherJob.status).toBe(200);
    const otherCall = async () => {
      const started = performance.now();
      const answer = await call(base, "job-status", { token: otherOwner, query: { workspaceId: "ws_other", jobId: String(otherJob.body.data?.jobId) } });
      return { answer, ms: performance.now() - started };
    };
    const quiet: number[] = [];
    for (let i = 0; i < 20; i++) quiet.push((await otherCall()).ms);

    // ws_demo's owner hammers (its read bucket soon empty) while ws_other's owner works.
    let stop = false;
    const hammered: ApiAnswer[] = [];
    const hammer = (async () => {
      while (!stop) {
        hammered.push(...(await Promise.all(Array.from({ length: 10 }, () =>
          call(base, "job-status", { token: owner, query: { workspaceId: "ws_demo", jobId } })))));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const busy: { answer: ApiAnswer; ms: number }[] = [];
    for (let i = 0; i < 20; i++) busy.push(await otherCall());
    // Another caller of the limited workspace has its own budget too.
    const sameWorkspace = await call(base, "job-status", { token: member, query: { workspaceId: "ws_demo", jobId } });
    stop = true;
    await hammer;

    expect(count(hammered, 429)).toBeGreaterThan(0);
    expect(busy.every((b) => b.answer.status === 200)).toBe(true);
    expect(sameWorkspace.status).toBe(200);
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    // Generous (the test machine is shared and the hammering runs on it): not held up by the other's refusals.
    expect(median(busy.map((b) => b.ms))).toBeLessThan(median(quiet) * 4 + 50);
  });

  it("inventing or naming foreign workspace ids does not mint fresh budgets", async () => {
    const otherOwner = await tokens.otherOwner();
    let n = 0;
    const { answers, ms } = await burst(120, "send-sms", async () => ({
      token: otherOwner, json: { workspaceId: n++ % 2 === 0 ? `ws_invented_${n}` : "ws_demo", to: "+61412345678", body: "x" },
    }));
    const refused = count(answers, 429);
    expect(count(answers, 403) + refused).toBe(120);
    expect(120 - refused).toBeLessThanOrEqual(databaseLimits.api_write_burst + Math.ceil(databaseLimits.api_write_rate_per_second * ms / 1000) + 1);
    expect(refused).toBeGreaterThan(0);
  });
});

describe("schedule-bulk", () => {
  it("is counted by recipients against their own budget too, both or neither", async () => {
    await setLimits("ws_demo", { bulkRecipientsBurst: 5, bulkRecipientsPerMinute: 60 });
    const member = await tokens.member();
    const recipients = (n: number) => Array.from({ length: n }, (_, i) => ({ to: `+6141200${String(1000 + i)}` }));
    const first = await call(base, "schedule-bulk", {
      token: member, json: { workspaceId: "ws_demo", body: "Bulk limits", delayMinutes: 60, recipients: recipients(4) },
    });
    expect(first.status).toBe(200);
    expect(policy(first)).toBe(`"writes";q=${databaseLimits.api_write_burst};w=2, "bulk-recipients";q=5;w=5`);
    expect(remainingOf(first, "bulk-recipients")).toBe(1);
    const writesLeft = remainingOf(first, "writes");

    const second = await call(base, "schedule-bulk", {
      token: member, json: { workspaceId: "ws_demo", body: "Bulk limits refused", delayMinutes: 60, recipients: recipients(3) },
    });
    expect(second.status).toBe(429);
    expect(second.body.error?.message).toMatch(/bulk-recipients/);
    expect(Number(second.headers.get("retry-after"))).toBe(2);
    // The refused request spent no write either.
    expect(remainingOf(second, "writes")).toBeGreaterThanOrEqual(writesLeft ?? 0);
    const [batches] = await sql<{ n: number }[]>`
      select count(*)::int as n from public.scheduled_sms_jobs where body = 'Bulk limits refused'`;
    expect(batches?.n).toBe(0);
  });
});

describe("a workspace's own limits", () => {
  it("an owner changes them (in force at once); null restores a default; GET rate-limits shows limits and usage", async () => {
    const owner = await tokens.owner();
    const changed = await call(base, "update-rate-limits", {
      token: owner, json: { workspaceId: "ws_demo", limits: { readBurst: 3, readRatePerSecond: 1, writeBurst: 100 } },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.data?.overrides).toEqual({ readBurst: 3, readRatePerSecond: 1, writeBurst: 100 });
    expect(changed.body.data?.limits).toMatchObject({ readBurst: 3, readRatePerSecond: 1, writeBurst: 100, writeRatePerSecond: 20 });

    const reads = await burst(5, "job-status", async () => ({ token: owner, query: { workspaceId: "ws_demo", jobId } }));
    expect(count(reads.answers, 200)).toBe(3);
    expect(count(reads.answers, 429)).toBe(2);
    expect(policy(reads.answers[0] as ApiAnswer)).toBe('"reads";q=3;w=3');

    const viewer = await tokens.viewer();
    const shown = await call(base, "rate-limits", { token: viewer, query: { workspaceId: "ws_demo" } });
    expect(shown.status).toBe(200);
    expect(shown.body.data).toMatchObject({
      workspaceId: "ws_demo",
      defaults: {
        writeRatePerSecond: databaseLimits.api_write_rate_per_second, writeBurst: databaseLimits.api_write_burst,
        readRatePerSecond: databaseLimits.api_read_rate_per_second, readBurst: databaseLimits.api_read_burst,
        bulkRecipientsPerMinute: databaseLimits.api_bulk_recipients_per_minute, bulkRecipientsBurst: databaseLimits.api_bulk_recipients_burst,
      },
      maximums: { writeRatePerSecond: databaseLimits.api_rate_per_second_max, writeBurst: databaseLimits.api_burst_max },
    });
    // The viewer's own budgets: this GET spent one read of 3.
    expect(shown.body.data?.usage).toEqual([
      { policy: "writes", quota: 100, windowSeconds: 5, remaining: 100, resetSeconds: 0 },
      { policy: "reads", quota: 3, windowSeconds: 3, remaining: 2, resetSeconds: 1 },
      { policy: "bulk-recipients", quota: databaseLimits.api_bulk_recipients_burst, windowSeconds: 120, remaining: databaseLimits.api_bulk_recipients_burst, resetSeconds: 0 },
    ]);

    const restored = await call(base, "update-rate-limits", {
      token: await tokens.service(), json: { workspaceId: "ws_demo", limits: { readBurst: null, readRatePerSecond: null } },
    });
    expect(restored.status).toBe(200);
    expect(restored.body.data?.overrides).toEqual({ writeBurst: 100 });
  });

  it("members and viewers may not change them, and values out of bounds are refused", async () => {
    for (const token of [await tokens.member(), await tokens.viewer()]) {
      const refused = await call(base, "update-rate-limits", { token, json: { workspaceId: "ws_demo", limits: { writeBurst: 1000 } } });
      expect(refused.status).toBe(403);
      expect(refused.body.error?.code).toBe("forbidden");
    }
    const owner = await tokens.owner();
    for (const limits of [{ writeBurst: databaseLimits.api_burst_max + 1 }, { readRatePerSecond: 0 }]) {
      const refused = await call(base, "update-rate-limits", { token: owner, json: { workspaceId: "ws_demo", limits } });
      expect(refused.status).toBe(400);
      expect(refused.body.error?.code).toBe("invalid_rate_limits");
      expect(refused.body.error?.details?.fields?.[0]?.field).toBe("limits");
    }
    const [row] = await sql<{ api_limits: unknown }[]>`select api_limits from public.workspace_settings where workspace_id = 'ws_demo'`;
    expect(row?.api_limits).toEqual({});
    const other = await call(base, "update-rate-limits", { token: await tokens.otherOwner(), json: { workspaceId: "ws_demo", limits: { writeBurst: 1000 } } });
    expect(other.status).toBe(403);
  });
});
