// What the dashboard reads: GET workspaces, GET job-events, GET stats, and GET jobs' search and ids.
// Every answer is checked against the OpenAPI document by `call`; jobs are moved through the
// service's own SQL functions, as a worker and Twilio's callbacks would move them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActivityBucket, StatsResult } from "../../supabase/functions/_shared/api-types.ts";
import { connect, seededUsers } from "../support/database.ts";
import { type ApiServer, call, startApiServer, tokens } from "./support/api-server.ts";

const sql = connect();
let api: ApiServer;
let base: string;
beforeAll(async () => {
  api = await startApiServer();
  base = api.baseUrls.spec;
});
afterAll(async () => {
  await api.stop();
  await sql.end();
});

async function send(to: string, body: string, extra: Record<string, unknown> = {}): Promise<string> {
  const answer = await call(base, "send-sms", { token: await tokens.owner(), json: { to, body, workspaceId: "ws_demo", ...extra } });
  expect(answer.status).toBe(200);
  return String(answer.body.data?.jobId);
}

/** A job as a worker leaves it: accepted by Twilio, then a delivery status from the callback. */
async function deliver(jobId: string, status: "delivered" | "undelivered", errorCode?: string): Promise<void> {
  const sid = `SM${jobId.slice(4, 36).padEnd(32, "0")}`;
  await sql`select private.claim_job(${jobId}, 'monitoring-test')`;
  await sql`select private.complete_job(${jobId}, 'monitoring-test', ${sid}, 'queued')`;
  await sql`select private.record_message_status(${jobId}, ${sid}, ${status}, ${errorCode ?? null}, ${errorCode === undefined ? null : "Unreachable destination handset"})`;
}

async function stats(): Promise<StatsResult> {
  const answer = await call(base, "stats", { token: await tokens.owner(), query: { workspaceId: "ws_demo" } });
  expect(answer.status).toBe(200);
  // call() checked the body against the documented StatsResult schema.
  return answer.body.data as unknown as StatsResult;
}

async function failPermanently(jobId: string): Promise<void> {
  await sql`select private.claim_job(${jobId}, 'monitoring-test')`;
  await sql`select private.fail_job(${jobId}, 'monitoring-test', '21211', 'Invalid To number')`;
}

describe("GET workspaces", () => {
  it("lists the caller's workspaces with its role, whether it may write, and the timezone", async () => {
    const owner = await call(base, "workspaces", { token: await tokens.owner() });
    expect(owner.status).toBe(200);
    expect(owner.body.data?.workspaces).toEqual([
      { workspaceId: "ws_demo", name: "Demo Coaching", role: "owner", canWrite: true, timezone: "Australia/Brisbane" },
    ]);
    const viewer = await call(base, "workspaces", { token: await tokens.viewer() });
    expect(viewer.body.data?.workspaces).toEqual([
      { workspaceId: "ws_demo", name: "Demo Coaching", role: "viewer", canWrite: false, timezone: "Australia/Brisbane" },
    ]);
  });

  it("lists every workspace for the service role, and refuses callers without a token or with parameters", async () => {
    const service = await call(base, "workspaces", { token: await tokens.service() });
    const ids = (service.body.data?.workspaces as { workspaceId: string; role: unknown }[]).map((w) => [w.workspaceId, w.role]);
    expect(ids).toEqual(expect.arrayContaining([["ws_demo", null], ["ws_other", null]]));
    expect((await call(base, "workspaces", { token: null })).status).toBe(401);
    const extra = await call(base, "workspaces", { token: await tokens.owner(), query: { workspaceId: "ws_demo" } });
    expect(extra.status).toBe(400);
    expect(extra.body.error?.details?.fields).toEqual([{ field: "workspaceId", message: "is not a known field" }]);
  });
});

describe("GET job-events", () => {
  it("shows a delivered message's whole timeline, oldest first", async () => {
    const jobId = await send("+61412345601", "Timeline: delivered");
    await deliver(jobId, "delivered");
    const answer = await call(base, "job-events", { token: await tokens.viewer(), query: { jobId, workspaceId: "ws_demo" } });
    expect(answer.status).toBe(200);
    const data = answer.body.data as { kind: string; truncated: boolean; events: { type: string; fromStatus: string | null; toStatus: string | null; attempt: number | null; time: string; details: Record<string, unknown> }[] };
    expect(data).toMatchObject({ jobId, kind: "job", truncated: false });
    expect(data.events.map((e) => [e.type, e.fromStatus, e.toStatus])).toEqual([
      ["created", null, "queued"],
      ["claimed", "queued", "processing"],
      ["completed", "processing", "completed"],
      ["message_status", "completed", "completed"],
    ]);
    expect(data.events[1]?.attempt).toBe(1);
    expect(data.events[3]?.details).toMatchObject({ from: "queued", to: "delivered" });
    expect(data.events[2]?.details.twilio_sid).toMatch(/^SM/);
    expect(data.events[0]?.time).toMatch(/\+10:00$/);
  });

  it("names what an error code means", async () => {
    const jobId = await send("+61412345602", "Timeline: failed");
    await failPermanently(jobId);
    const answer = await call(base, "job-events", { token: await tokens.owner(), query: { jobId, workspaceId: "ws_demo" } });
    const failed = (answer.body.data?.events as { type: string; errorCode: string | null; errorMessage: string | null; errorMeaning: string | null }[])
      .find((e) => e.type === "failed");
    expect(failed).toMatchObject({ errorCode: "21211", errorMessage: "Invalid To number", errorMeaning: "Invalid 'To' phone number" });
  });

  it("shows a schedule's own events for its sched_ id", async () => {
    const created = await call(base, "schedule-recurring", {
      token: await tokens.owner(),
      json: { to: "+61412345603", body: "Weekly", workspaceId: "ws_demo", cron: "0 9 * * MON" },
    });
    const scheduleId = String(created.body.data?.jobId);
    await call(base, "pause-job", { token: await tokens.owner(), json: { jobId: scheduleId, workspaceId: "ws_demo" } });
    const answer = await call(base, "job-events", { token: await tokens.owner(), query: { jobId: scheduleId, workspaceId: "ws_demo" } });
    expect(answer.body.data).toMatchObject({ jobId: scheduleId, kind: "recurring" });
    expect((answer.body.data?.events as { type: string }[]).map((e) => e.type)).toEqual(["created", "paused"]);
  });

  it("answers 404 for another workspace's job and 403 for a non-member", async () => {
    const jobId = await send("+61412345604", "Timeline: private");
    const foreign = await call(base, "job-events", { token: await tokens.otherOwner(), query: { jobId, workspaceId: "ws_other" } });
    expect([foreign.status, foreign.body.error?.code]).toEqual([404, "job_not_found"]);
    const stranger = await call(base, "job-events", { token: await tokens.otherOwner(), query: { jobId, workspaceId: "ws_demo" } });
    expect([stranger.status, stranger.body.error?.code]).toEqual([403, "forbidden"]);
  });
});

describe("GET stats", () => {
  it("counts jobs by status, as the jobs table has them", async () => {
    const answer = await call(base, "stats", { token: await tokens.viewer(), query: { workspaceId: "ws_demo" } });
    expect(answer.status).toBe(200);
    const rows = await sql<{ status: string; n: number }[]>`
      select status::text, count(*)::int as n from public.scheduled_sms_jobs where workspace_id = 'ws_demo' group by 1`;
    const expected = Object.fromEntries(["scheduled", "queued", "processing", "retrying", "completed", "failed", "cancelled"]
      .map((status) => [status, rows.find((r) => r.status === status)?.n ?? 0]));
    expect(answer.body.data?.counts).toEqual(expected);
    expect(answer.body.data?.retriesPending).toBe(expected.retrying);
  });

  it("shows this minute's sends, deliveries and failures, hourly buckets, and failures by code with their meaning", async () => {
    const before = await stats();
    await deliver(await send("+61412345611", "Stats: delivered"), "delivered");
    await deliver(await send("+61412345612", "Stats: undelivered"), "undelivered", "30003");
    await failPermanently(await send("+61412345613", "Stats: failed"));
    const after = await stats();

    expect(after.perMinute).toHaveLength(60);
    expect(after.perHour).toHaveLength(168);
    const sum = (buckets: ActivityBucket[], key: "sent" | "delivered" | "failed") => buckets.reduce((n, b) => n + b[key], 0);
    expect(sum(after.perMinute, "sent") - sum(before.perMinute, "sent")).toBe(2);
    expect(sum(after.perMinute, "delivered") - sum(before.perMinute, "delivered")).toBe(1);
    expect(sum(after.perMinute, "failed") - sum(before.perMinute, "failed")).toBe(2);
    expect(sum(after.perHour, "sent") - sum(before.perHour, "sent")).toBe(2);
    expect(after.failuresLastHour - before.failuresLastHour).toBe(2);
    // Minutes and hours run oldest first, one apart, the last being the current one.
    const times = after.perMinute.map((b) => Date.parse(b.time));
    expect(times.slice(1).map((t, i) => t - (times[i] ?? 0))).toEqual(Array(59).fill(60_000));
    expect(Date.parse(after.time) - (times.at(-1) ?? 0)).toBeLessThan(60_000);
    expect(after.perHour[0]?.time).toMatch(/:00:00\+10:00$/);

    const codes = Object.fromEntries(after.failuresByCode.map((f) => [f.code, f]));
    expect(codes["30003"]).toMatchObject({ meaning: "Unreachable destination handset" });
    expect(codes["21211"]).toMatchObject({ meaning: "Invalid 'To' phone number" });
    expect(after.failuresByCode.reduce((n, f) => n + f.share, 0)).toBeCloseTo(1, 6);
  });

  it("reports the oldest overdue message and whether the minute sweep is healthy", async () => {
    const jobId = await send("+61412345621", "Stats: overdue");
    await sql`insert into private.sweep_runs (started_at, finished_at) values (now(), now())`;
    const answer = await stats();
    const [job] = await sql<{ scheduled_time: Date }[]>`select scheduled_time from public.scheduled_sms_jobs where id = ${jobId}`;
    const [oldest] = await sql<{ due: Date }[]>`
      select min(next_attempt_at) as due from public.scheduled_sms_jobs where workspace_id = 'ws_demo' and is_pending and next_attempt_at <= now()`;
    expect(answer.oldestOverdue).not.toBeNull();
    expect(Date.parse(answer.oldestOverdue?.time ?? "")).toBe(oldest?.due.getTime());
    expect(Date.parse(answer.oldestOverdue?.time ?? "")).toBeLessThanOrEqual(job?.scheduled_time.getTime() ?? 0);
    expect(answer.oldestOverdue?.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(answer.sweep.healthy).toBe(true);
    await sql`select private.cancel_job(${jobId})`;
  });

  it("refuses a non-member", async () => {
    const answer = await call(base, "stats", { token: await tokens.otherOwner(), query: { workspaceId: "ws_demo" } });
    expect([answer.status, answer.body.error?.code]).toEqual([403, "forbidden"]);
  });
});

describe("GET jobs: search and ids", () => {
  it("finds jobs by the start of the recipient's number, formatting ignored, and one job by its id", async () => {
    const first = await send("+61412777001", "Search: first");
    const second = await send("+61412777002", "Search: second");
    await send("+61412888003", "Search: other");
    const byPrefix = await call(base, "jobs", { token: await tokens.viewer(), query: { workspaceId: "ws_demo", search: "61 412 777" } });
    expect(byPrefix.status).toBe(200);
    expect((byPrefix.body.data?.jobs as { jobId: string }[]).map((j) => j.jobId).sort()).toEqual([first, second].sort());
    const byId = await call(base, "jobs", { token: await tokens.viewer(), query: { workspaceId: "ws_demo", search: second } });
    expect((byId.body.data?.jobs as { jobId: string }[]).map((j) => j.jobId)).toEqual([second]);
  });

  it("returns exactly the ids asked for, still within the workspace", async () => {
    const mine = await send("+61412777011", "Ids: mine");
    const [foreign] = await sql<{ id: string }[]>`
      insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, created_by)
      values ('ws_other', '+61412777012', 'Ids: foreign', ${seededUsers.otherOwner.id}) returning id`;
    const answer = await call(base, "jobs", { token: await tokens.owner(), query: { workspaceId: "ws_demo", ids: `${mine},${foreign?.id}` } });
    expect((answer.body.data?.jobs as { jobId: string }[]).map((j) => j.jobId)).toEqual([mine]);
    await sql`delete from public.scheduled_sms_jobs where id = ${foreign?.id ?? ""}`;
  });

  it("refuses a search that is neither an id nor the start of a number, and too many ids", async () => {
    for (const search of ["abc", "+61", "drop table", "x".repeat(65)]) {
      const answer = await call(base, "jobs", { token: await tokens.owner(), query: { workspaceId: "ws_demo", search } });
      expect([answer.status, answer.body.error?.details?.fields?.[0]?.field]).toEqual([400, "search"]);
    }
    const ids = Array.from({ length: 201 }, (_, i) => `job_${i}`).join(",");
    const tooMany = await call(base, "jobs", { token: await tokens.owner(), query: { workspaceId: "ws_demo", ids } });
    expect([tooMany.status, tooMany.body.error?.details?.fields?.[0]?.field]).toEqual([400, "ids"]);
  });
});
