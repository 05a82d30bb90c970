// GET analytics: the figures a user reads must equal what the jobs and the event log say. A
// workspace of its own (America/New_York) gets a mixed workload moved through the service's SQL
// functions, as workers and Twilio's callbacks move it; its totals are compared with counts taken
// directly from the tables. Some jobs are then moved to the DST change of 8 March 2026 (a 23-hour
// local day) with SQL, and the rollup rebuilt from the log, as an operator would after moving rows.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnalyticsResult } from "../../supabase/functions/_shared/api-types.ts";
import { apiLimits, databaseLimits } from "../../supabase/functions/_shared/limits.ts";
import { connect, seededUsers } from "../support/database.ts";
import { type ApiServer, call, startApiServer, tokens } from "./support/api-server.ts";

const sql = connect();
let api: ApiServer;
let base: string;
const workspaceId = "ws_analytics";
const mainSender = "+15005550021";
const secondSender = "+15005550022";
const worker = "analytics-test";

beforeAll(async () => {
  await sql`insert into public.workspaces (id, name) values (${workspaceId}, 'Analytics Test') on conflict do nothing`;
  await sql`insert into public.workspace_members (workspace_id, user_id, role) values
    (${workspaceId}, ${seededUsers.demoOwner.id}, 'owner'), (${workspaceId}, ${seededUsers.demoViewer.id}, 'viewer')
    on conflict do nothing`;
  // The test claims its jobs back to back: its senders run at sender_rate_max, so send slots
  // (pacing, tests/delivery/sender-pacing.test.ts) never hold a claim back here.
  await sql`insert into public.workspace_senders (sender, workspace_id, label, messages_per_second) values
    (${mainSender}, ${workspaceId}, 'Main', ${databaseLimits.sender_rate_max}),
    (${secondSender}, ${workspaceId}, 'Second', ${databaseLimits.sender_rate_max}) on conflict do nothing`;
  await sql`update public.workspace_settings set timezone = 'America/New_York', default_sender = ${mainSender}
    where workspace_id = ${workspaceId}`;
  api = await startApiServer();
  base = api.baseUrls.spec;
});
afterAll(async () => {
  await api.stop();
  // The workspace goes with everything in it (jobs, events, rollup, members), so later files see
  // the seeded workspaces only.
  await sql`delete from public.workspaces where id = ${workspaceId}`;
  await sql.end();
});

async function send(to: string, body: string, extra: Record<string, unknown> = {}): Promise<string> {
  const answer = await call(base, "send-sms", { token: await tokens.owner(), json: { to, body, workspaceId, ...extra } });
  expect(answer.status).toBe(200);
  return String(answer.body.data?.jobId);
}

const sidOf = (jobId: string) => `SM${jobId.slice(4, 36).padEnd(32, "0")}`;

async function accept(jobId: string): Promise<void> {
  await sql`select private.claim_job(${jobId}, ${worker})`;
  await sql`select private.complete_job(${jobId}, ${worker}, ${sidOf(jobId)}, 'queued')`;
}

async function callback(jobId: string, status: "delivered" | "undelivered" | "failed", errorCode: string | null = null): Promise<void> {
  await sql`select private.record_message_status(${jobId}, ${sidOf(jobId)}, ${status}, ${errorCode}, ${errorCode === null ? null : "carrier said no"})`;
}

async function failOurs(jobId: string, errorCode: string): Promise<void> {
  await sql`select private.claim_job(${jobId}, ${worker})`;
  await sql`select private.fail_job(${jobId}, ${worker}, ${errorCode}, 'refused')`;
}

/** A transient error, then the retry (made due at once) accepted and delivered. */
async function retryThenDeliver(jobId: string): Promise<void> {
  await sql`select private.claim_job(${jobId}, ${worker})`;
  await sql`select private.retry_job(${jobId}, ${worker}, '20429', 'rate limited')`;
  await sql.begin(async (tx) => {
    await tx`set local session_replication_role = replica`;
    await tx`update public.scheduled_sms_jobs set next_attempt_at = now() where id = ${jobId}`;
  });
  await accept(jobId);
  await callback(jobId, "delivered");
}

async function analytics(query: Record<string, string>, token?: string): Promise<AnalyticsResult> {
  const answer = await call(base, "analytics", { token: token ?? await tokens.owner(), query: { workspaceId, ...query } });
  expect(answer.status).toBe(200);
  // call() checked the body against the documented schema.
  return answer.body.data as unknown as AnalyticsResult;
}

/** The same figures counted directly from the event log and the jobs of the workspace, for a period. */
async function countedFromTables(from: Date, to: Date) {
  const [row] = await sql<Record<string, number>[]>`
    select count(*) filter (where e.event_type = 'completed')::int as sent,
           count(*) filter (where e.event_type = 'failed')::int as failed_ours,
           count(*) filter (where e.event_type = 'message_status' and e.details ->> 'to' = 'delivered')::int as delivered,
           count(*) filter (where e.event_type = 'message_status' and e.details ->> 'to' = 'undelivered')::int as undelivered,
           count(*) filter (where e.event_type = 'message_status' and e.details ->> 'to' = 'failed')::int as failed_twilio,
           count(*) filter (where e.event_type = 'cancelled')::int as cancelled,
           count(*) filter (where e.event_type = 'completed'
                              or (e.event_type = 'failed' and e.error_code is distinct from 'expired'))::int as attempted,
           coalesce(sum(j.segments) filter (where e.event_type = 'completed'), 0)::int as segments,
           coalesce(sum(j.segments) filter (where e.event_type = 'completed' and j.encoding = 'UCS-2'), 0)::int as ucs2
    from public.sms_job_events e join public.scheduled_sms_jobs j on j.id = e.job_id
    where e.workspace_id = ${workspaceId} and e.created_at >= ${from} and e.created_at < ${to}`;
  if (row === undefined) throw new Error("no counts");
  return row;
}

const hourMs = 60 * 60 * 1000;

describe("GET analytics: a mixed workload", () => {
  let jobs: Record<string, string>;
  let from: Date;
  let to: Date;

  beforeAll(async () => {
    from = new Date(Date.now() - 2 * hourMs);
    const template = await call(base, "create-template", {
      token: await tokens.owner(),
      json: { workspaceId, name: "Analytics reminder", body: "See you {{ day }}", variables: [{ name: "day" }] },
    });
    expect(template.status).toBe(200);
    const templateId = String(template.body.data?.templateId);
    jobs = {
      delivered: await send("+61412300001", "Delivered one"),
      deliveredUcs2: await send("+61412300002", "Délivré 😀 unicode"),
      deliveredTemplate: await send("+61412300003", "", { body: undefined, templateId, variables: { day: "Monday" } }),
      undelivered: await send("+61412300004", "Undelivered", { fromNumber: secondSender }),
      failedTwilio: await send("+61412300005", "Failed at Twilio", { fromNumber: secondSender }),
      failedInvalid: await send("+61412300006", "Invalid number"),
      failedOptedOut: await send("+61412300007", "Opted out at Twilio"),
      retried: await send("+61412300008", "Retried then delivered"),
      awaiting: await send("+61412300009", "Accepted, no callback yet"),
    };
    const delayed = await call(base, "schedule-delay", {
      token: await tokens.owner(), json: { to: "+61412300010", body: "Cancelled", delayMinutes: 60, workspaceId },
    });
    jobs.cancelled = String(delayed.body.data?.jobId);
    await call(base, "cancel-job", { token: await tokens.owner(), json: { jobId: jobs.cancelled, workspaceId } });

    for (const name of ["delivered", "deliveredUcs2", "deliveredTemplate"] as const) {
      await accept(jobs[name] ?? "");
      await callback(jobs[name] ?? "", "delivered");
    }
    await accept(jobs.undelivered ?? "");
    await callback(jobs.undelivered ?? "", "undelivered", "30003");
    await accept(jobs.failedTwilio ?? "");
    await callback(jobs.failedTwilio ?? "", "failed", "30007");
    await failOurs(jobs.failedInvalid ?? "", "21211");
    await failOurs(jobs.failedOptedOut ?? "", "21610");
    await retryThenDeliver(jobs.retried ?? "");
    await accept(jobs.awaiting ?? "");
    await sql`select private.record_message_price(${jobs.delivered ?? ""}, ${sidOf(jobs.delivered ?? "")}, -0.0079, 'USD')`;
    await sql`select private.record_message_price(${jobs.deliveredUcs2 ?? ""}, ${sidOf(jobs.deliveredUcs2 ?? "")}, -0.0158, 'USD')`;
    await sql`select private.record_message_price(${jobs.undelivered ?? ""}, ${sidOf(jobs.undelivered ?? "")}, -0.05, 'AUD')`;
    // A second report of the same price is not a second cost.
    await sql`select private.record_message_price(${jobs.delivered ?? ""}, ${sidOf(jobs.delivered ?? "")}, -0.0079, 'USD')`;
    await sql`insert into public.sms_opt_outs (workspace_id, phone, source) values (${workspaceId}, '+61412300007', 'twilio_21610')`;
    to = new Date(Date.now() + hourMs);
  });

  it("answers totals equal to counts taken from the jobs and the event log", async () => {
    const result = await analytics({ from: from.toISOString(), to: to.toISOString(), granularity: "hour" });
    const counted = await countedFromTables(new Date(Date.parse(result.from)), new Date(Date.parse(result.to)));
    const { totals } = result;
    expect({
      attempted: totals.attempted, sent: totals.sent, delivered: totals.delivered, undelivered: totals.undelivered,
      failedOurs: totals.failedOurs, failedTwilio: totals.failedTwilio, cancelled: totals.cancelled, segments: totals.segments,
    }).toEqual({
      attempted: counted.attempted, sent: counted.sent, delivered: counted.delivered, undelivered: counted.undelivered,
      failedOurs: counted.failed_ours, failedTwilio: counted.failed_twilio, cancelled: counted.cancelled, segments: counted.segments,
    });
    // What this workload is, as a user would count it.
    expect(totals).toMatchObject({
      attempted: 9, sent: 7, delivered: 4, undelivered: 1, failed: 3, failedOurs: 2, failedTwilio: 1, cancelled: 1,
      optOuts: 1, stuck: 0,
    });
    expect(totals.deliveryRate).toBeCloseTo(4 / (4 + 1 + 3), 10);
    expect(totals.ucs2SegmentShare).toBeCloseTo((counted.ucs2 ?? 0) / (counted.segments ?? 1), 10);
    expect(totals.ucs2SegmentShare).toBeGreaterThan(0);
    expect(totals.optOutRate).toBeCloseTo(1 / 7, 10);
    expect(totals.cost).toEqual([{ currency: "AUD", amount: 0.05 }, { currency: "USD", amount: 0.0237 }]);
    expect(totals.sendLagMs.p50).not.toBeNull();
    expect(totals.sendLagMs.max).toBeGreaterThanOrEqual(totals.sendLagMs.p95 ?? 0);
    expect(totals.latencyMs.p50).not.toBeNull();
    // The buckets add up to the totals, and run one hour apart.
    expect(result.buckets.reduce((n, b) => n + b.sent, 0)).toBe(totals.sent);
    const times = result.buckets.map((b) => Date.parse(b.time));
    expect(times.slice(1).map((t, i) => t - (times[i] ?? 0))).toEqual(Array(times.length - 1).fill(hourMs));
  });

  it("lists failures by error code with their share and meaning", async () => {
    const result = await analytics({ from: from.toISOString(), to: to.toISOString() });
    expect(result.failuresByCode.map((f) => [f.code, f.count])).toEqual([["21211", 1], ["21610", 1], ["30003", 1], ["30007", 1]]);
    expect(result.failuresByCode.find((f) => f.code === "21610")).toMatchObject({
      share: 0.25, meaning: "The recipient replied STOP: unsubscribed from this sender",
    });
    expect(result.failuresByCode.find((f) => f.code === "30003")?.meaning).toBe("Unreachable destination handset");
  });

  it("groups by sender and by template", async () => {
    const bySender = await analytics({ from: from.toISOString(), to: to.toISOString(), groupBy: "sender" });
    expect(bySender.groups.map((g) => [g.key, g.totals.sent, g.totals.delivered, g.totals.failed])).toEqual([
      [mainSender, 5, 4, 2],
      [secondSender, 2, 0, 1],
    ]);
    expect(bySender.groups[1]?.failuresByCode.map((f) => f.code)).toEqual(["30003", "30007"]);
    expect(bySender.groups.every((g) => g.totals.optOuts === null)).toBe(true);
    const byTemplate = await analytics({ from: from.toISOString(), to: to.toISOString(), groupBy: "template" });
    const templated = byTemplate.groups.filter((g) => g.key !== null);
    expect(templated.map((g) => [g.totals.sent, g.totals.delivered])).toEqual([[1, 1]]);
    expect(byTemplate.groups.find((g) => g.key === null)?.totals.sent).toBe(6);
  });

  it("counts a message accepted more than 24 hours ago without a final status as stuck", async () => {
    await sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await tx`update public.scheduled_sms_jobs set completed_at = now() - interval '25 hours' where id = ${jobs.awaiting ?? ""}`;
    });
    const result = await analytics({ from: new Date(Date.now() - 2 * 24 * hourMs).toISOString(), to: to.toISOString() });
    expect(result.totals.stuck).toBe(1);
  });

  it("lets a viewer read, and refuses another workspace's owner and callers without a token", async () => {
    const query = { workspaceId, from: from.toISOString(), to: to.toISOString() };
    expect((await analytics(query, await tokens.viewer())).totals.sent).toBe(7);
    const stranger = await call(base, "analytics", { token: await tokens.otherOwner(), query });
    expect([stranger.status, stranger.body.error?.code]).toEqual([403, "forbidden"]);
    const anonymous = await call(base, "analytics", { token: null, query });
    expect(anonymous.status).toBe(401);
  });
});

describe("GET analytics: expired and manually retried messages", () => {
  it("counts an expiry as a failure never attempted, and a manual retry as a new attempt", async () => {
    const window = { from: new Date(Date.now() - 2 * hourMs).toISOString(), to: new Date(Date.now() + hourMs).toISOString(), granularity: "hour" };
    const before = await analytics(window);

    const expired = await send("+61412300011", "Expired before it could go", { validFor: 3600 });
    await sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await tx`update public.scheduled_sms_jobs set expires_at = now() - interval '1 second' where id = ${expired}`;
    });
    await sql`select private.expire_pending_jobs()`;
    const retried = await send("+61412300012", "Failed, retried by hand, delivered");
    await failOurs(retried, "30008");
    await sql`select private.manual_retry_job(${retried})`;
    await accept(retried);
    await callback(retried, "delivered");

    const after = await analytics(window);
    const counted = await countedFromTables(new Date(Date.parse(after.from)), new Date(Date.parse(after.to)));
    expect({ attempted: after.totals.attempted, sent: after.totals.sent, failedOurs: after.totals.failedOurs, delivered: after.totals.delivered })
      .toEqual({ attempted: counted.attempted, sent: counted.sent, failedOurs: counted.failed_ours, delivered: counted.delivered });
    expect({
      attempted: after.totals.attempted - before.totals.attempted,
      sent: after.totals.sent - before.totals.sent,
      delivered: after.totals.delivered - before.totals.delivered,
      failedOurs: after.totals.failedOurs - before.totals.failedOurs,
    }).toEqual({ attempted: 2, sent: 1, delivered: 1, failedOurs: 2 });
    expect(after.failuresByCode.find((f) => f.code === "expired")).toMatchObject({
      count: 1, meaning: expect.stringMatching(/expired .* before it could be handed to Twilio/),
    });
  });
});

describe("GET analytics: local days across a DST change", () => {
  it("puts 8 March 2026 (23 hours in New York) in one bucket from local midnight to local midnight", async () => {
    // 00:30 EST and 23:30 EDT on 8 March, then 00:30 EDT on 9 March.
    const targets = ["2026-03-08T05:30:00Z", "2026-03-09T03:30:00Z", "2026-03-09T04:30:00Z"];
    for (const [i, target] of targets.entries()) {
      const jobId = await send(`+6141230010${i}`, `DST ${i}`);
      await accept(jobId);
      await callback(jobId, "delivered");
      await sql.begin(async (tx) => {
        await tx`set local session_replication_role = replica`;
        const [job] = await tx<{ shift: string }[]>`
          select (${target}::timestamptz - completed_at)::text as shift from public.scheduled_sms_jobs where id = ${jobId}`;
        const shift = job?.shift ?? "0";
        await tx`update public.scheduled_sms_jobs
          set created_at = created_at + ${shift}::interval, scheduled_time = scheduled_time + ${shift}::interval,
              next_attempt_at = next_attempt_at + ${shift}::interval, completed_at = completed_at + ${shift}::interval
          where id = ${jobId}`;
        await tx`update public.sms_job_events set created_at = created_at + ${shift}::interval where job_id = ${jobId}`;
      });
    }
    await sql`select private.rebuild_delivery_statistics()`;

    const byDay = await analytics({ from: "2026-03-07T00:00:00-05:00", to: "2026-03-10T00:00:00-04:00" });
    expect(byDay.buckets.map((b) => [b.time, b.sent, b.delivered])).toEqual([
      ["2026-03-07T00:00:00-05:00", 0, 0],
      ["2026-03-08T00:00:00-05:00", 2, 2],
      ["2026-03-09T00:00:00-04:00", 1, 1],
    ]);
    expect(byDay.to).toBe("2026-03-10T00:00:00-04:00");
    const counted = await countedFromTables(new Date("2026-03-08T05:00:00Z"), new Date("2026-03-09T04:00:00Z"));
    expect(counted.sent).toBe(2);

    const byHour = await analytics({ from: "2026-03-08T00:00:00-05:00", to: "2026-03-09T00:00:00-04:00", granularity: "hour" });
    expect(byHour.buckets).toHaveLength(23);
    expect(byHour.totals.sent).toBe(2);
  });
});

describe("GET analytics: bad parameters", () => {
  const now = Date.now();
  const cases: [string, Record<string, string>, string][] = [
    ["to before from", { from: new Date(now).toISOString(), to: new Date(now - hourMs).toISOString() }, "to"],
    ["more hours than allowed", {
      from: new Date(now - (apiLimits.analytics_hourly_range_max_days + 1) * 24 * hourMs).toISOString(),
      to: new Date(now).toISOString(), granularity: "hour",
    }, "to"],
    ["older than the rollup keeps", {
      from: new Date(now - (databaseLimits.analytics_retention_days + 2) * 24 * hourMs).toISOString(),
      to: new Date(now - (databaseLimits.analytics_retention_days + 1) * 24 * hourMs).toISOString(),
    }, "from"],
    ["an unknown granularity", { from: new Date(now - hourMs).toISOString(), to: new Date(now).toISOString(), granularity: "week" }, "granularity"],
    ["an unknown grouping", { from: new Date(now - hourMs).toISOString(), to: new Date(now).toISOString(), groupBy: "recipient" }, "groupBy"],
    ["a time without offset", { from: "2026-03-08T00:00:00", to: new Date(now).toISOString() }, "from"],
    ["no from", { to: new Date(now).toISOString() }, "from"],
  ];
  it.each(cases)("answers 400 validation_failed for %s, naming the field", async (_name, query, field) => {
    const answer = await call(base, "analytics", { token: await tokens.owner(), query: { workspaceId, ...query } });
    expect([answer.status, answer.body.error?.code]).toEqual([400, "validation_failed"]);
    expect(answer.body.error?.details?.fields?.map((f) => f.field)).toContain(field);
  });
});
