// Recurring messages through the HTTP API: schedule-recurring, job-status of a schedule, pause-job,
// resume-job, cancel-job of a schedule, and GET jobs by kind. Occurrences are materialised by
// calling the sweep's step (private.materialise_recurring) and driven through the delivery
// functions, as the lifecycle tests do for jobs. Every answer is checked against openapi.yaml.
import { Cron } from "croner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatInTimeZone } from "../../supabase/functions/_shared/time.ts";
import { connect, seededUsers } from "../support/database.ts";
import { type ApiAnswer, type ApiServer, call, startApiServer, tokens } from "./support/api-server.ts";

const sql = connect();
let api: ApiServer;
let owner: string;
let otherScheduleId: string;
beforeAll(async () => {
  // Many schedule changes in quick succession by one owner: more than the default 20 writes a second.
  api = await startApiServer({}, { generousRateLimits: true });
  owner = await tokens.owner();
  // ws_other's schedule, far ahead: owner@demo.test may neither see nor change it.
  const [other] = await sql<{ id: string }[]>`
    select id from private.create_recurring_schedule('ws_other', '+61412345678', 'ws_other''s reminder', '0 9 * * MON',
      p_start_at => now() + interval '200 days')`;
  otherScheduleId = other?.id ?? "";
});
afterAll(async () => {
  await sql`delete from public.recurring_sms_schedules where id = ${otherScheduleId}`;
  await api.stop();
  await sql.end();
});

const message = { to: "+61412345678", body: "Weekly reminder", workspaceId: "ws_demo" };
const worker = "recurring-api-test-worker";
const brisbane = /\+10:00$/;
/** The next runs after `after` in Brisbane, per croner (no DST there, so no policy edge cases). */
const brisbaneRuns = (cron: string, after: Date, count: number) =>
  new Cron(cron, { timezone: "Australia/Brisbane" }).nextRuns(count, after).map((date) => formatInTimeZone(date, "Australia/Brisbane"));
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

const schedule = (json: Record<string, unknown>, token = owner) =>
  call(api.baseUrls.spec, "schedule-recurring", { token, json: { ...message, ...json } });
const status = (jobId: string, token = owner, workspaceId = "ws_demo") =>
  call(api.baseUrls.spec, "job-status", { token, query: { jobId, workspaceId } });
const act = (route: "cancel-job" | "pause-job" | "resume-job", jobId: string, token = owner, workspaceId = "ws_demo") =>
  call(api.baseUrls.functions, route, { token, json: { jobId, workspaceId } });

async function created(json: Record<string, unknown>): Promise<string> {
  const answer = await schedule(json);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return String(answer.body.data?.jobId);
}

const scheduleCount = async () => (await sql<{ n: number }[]>`select count(*)::int as n from public.recurring_sms_schedules`)[0]?.n;

/**
 * Materialises occurrences as the minute sweep's recurring step would two minutes from now (the
 * next five minutes' occurrences, their jobs due no earlier than then), so that the real pg_cron
 * sweep adds none to these schedules while a test runs.
 */
const materialise = () => sql`select private.materialise_recurring(now() + interval '2 minutes')`;

async function occurrenceJobs(scheduleId: string) {
  return await sql<{ id: string; status: string; status_reason: string | null; occurrence_at: Date }[]>`
    select id, status::text, status_reason, occurrence_at from public.scheduled_sms_jobs
    where recurring_schedule_id = ${scheduleId} order by occurrence_at`;
}

/** Makes an occurrence due now and takes it as a worker would. */
async function claim(jobId: string): Promise<void> {
  await sql`update public.scheduled_sms_jobs set next_attempt_at = now() - interval '1 second' where id = ${jobId}`;
  await sql`select private.claim_job(${jobId}, ${worker})`;
}

function expectRefused(answer: ApiAnswer, httpStatus: number, code: string, field?: string): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(httpStatus);
  expect(answer.body.error?.code).toBe(code);
  if (field !== undefined) expect(answer.body.error?.details?.fields?.map((f) => f.field)).toContain(field);
  // The database's refusals name exactly their one field.
  if (code !== "validation_failed" && field !== undefined) expect(answer.body.error?.details?.fields?.map((f) => f.field)).toEqual([field]);
}

/** The first instant after `from` at which `timeZone` changes its UTC offset (searched by the hour). */
function nextOffsetChange(timeZone: string, from: number): number {
  const offset = (ms: number) => formatInTimeZone(new Date(ms), timeZone).slice(-6);
  const first = offset(from);
  for (let ms = from; ms < from + 366 * 86_400_000; ms += 3_600_000) if (offset(ms) !== first) return ms;
  throw new Error(`${timeZone} has no offset change within a year`);
}

describe("schedule-recurring", () => {
  it("creates an active schedule in the workspace's timezone and answers its next 5 runs with that offset", async () => {
    const before = Date.now();
    const answer = await schedule({ cron: "0 9 * * MON", metadata: { client: "c-1" } });
    expect(answer.status).toBe(200);
    const data = answer.body.data ?? {};
    expect(data).toMatchObject({ kind: "recurring", workspaceId: "ws_demo", status: "active", cron: "0 9 * * MON",
      timezone: "Australia/Brisbane", endAt: null, maxOccurrences: null });
    expect(String(data.jobId)).toMatch(/^sched_/);
    const runs = data.nextRuns as string[];
    expect(runs).toEqual(brisbaneRuns("0 9 * * MON", new Date(before - 1), 5));
    for (const run of runs) expect(run).toMatch(/T09:00:00\+10:00$/);
    expect(new Set(runs.map((run) => new Date(run).getUTCDay()))).toEqual(new Set([0])); // Monday 09:00 +10:00 is Sunday UTC
    expect(data.nextRun).toBe(runs[0]);
    expect(data.startAt).toMatch(brisbane);
    expect(data.createdTime).toMatch(brisbane);
    const [row] = await sql<{ created_by: string; metadata: unknown; from_number: string }[]>`
      select created_by, metadata, from_number from public.recurring_sms_schedules where id = ${String(data.jobId)}`;
    expect(row).toEqual({ created_by: seededUsers.demoOwner.id, metadata: { client: "c-1" }, from_number: "+15005550006" });
  });

  it("an explicit timezone: runs at its wall-clock time across a DST change, shown with each run's offset", async () => {
    const change = nextOffsetChange("America/New_York", Date.now() + 2 * 86_400_000);
    const startAt = new Date(change - 2 * 86_400_000).toISOString();
    const answer = await schedule({ cron: "0 9 * * *", timezone: "America/New_York", startAt });
    expect(answer.status).toBe(200);
    const runs = answer.body.data?.nextRuns as string[];
    expect(runs).toHaveLength(5);
    for (const run of runs) expect(run).toMatch(/T09:00:00-0[45]:00$/);
    expect(new Set(runs.map((run) => run.slice(-6))).size).toBe(2);
    expect(answer.body.data).toMatchObject({ timezone: "America/New_York", startAt: formatInTimeZone(new Date(startAt), "America/New_York") });
  });

  it("endAt and maxOccurrences bound the next runs", async () => {
    const startAt = inDays(3);
    const bounded = await schedule({ cron: "30 8 * * *", startAt, endAt: new Date(Date.parse(startAt) + 3 * 86_400_000).toISOString() });
    expect(bounded.status).toBe(200);
    expect(bounded.body.data?.nextRuns).toHaveLength(3);
    expect(bounded.body.data?.endAt).toMatch(brisbane);
    const limited = await schedule({ cron: "30 8 * * *", maxOccurrences: 2, mediaUrl: "https://example.com/a.jpg" });
    expect(limited.body.data).toMatchObject({ maxOccurrences: 2 });
    expect(limited.body.data?.nextRuns).toHaveLength(2);
  });

  it("members and the service role may create schedules; viewers and non-members may not", async () => {
    expect((await schedule({ cron: "0 9 * * *" }, await tokens.member())).status).toBe(200);
    const service = await schedule({ cron: "0 9 * * *" }, await tokens.service());
    expect(service.status).toBe(200);
    const [row] = await sql<{ created_by: string | null }[]>`
      select created_by from public.recurring_sms_schedules where id = ${String(service.body.data?.jobId)}`;
    expect(row?.created_by).toBeNull();
    const before = await scheduleCount();
    expectRefused(await schedule({ cron: "0 9 * * *" }, await tokens.viewer()), 403, "forbidden");
    expectRefused(await schedule({ cron: "0 9 * * *" }, await tokens.otherOwner()), 403, "forbidden");
    expectRefused(await schedule({ cron: "0 9 * * *", workspaceId: "ws_other" }), 403, "forbidden");
    expectRefused(await schedule({ cron: "0 9 * * *", fromNumber: "+15017122661" }), 400, "sender_not_allowed", "fromNumber");
    expect(await scheduleCount()).toBe(before);
  });
});

describe("schedule-recurring validation", () => {
  const startAt = inDays(10);
  const farMonth = ((new Date().getUTCMonth() + 6) % 12) + 1;
  // name, fields, status, code, field
  const cases: [string, Record<string, unknown>, number, string, string | undefined][] = [
    ["missing cron", {}, 400, "validation_failed", "cron"],
    ["cron not a string", { cron: 5 }, 400, "validation_failed", "cron"],
    ["cron over 200 characters", { cron: `0 9 * * ${"1,".repeat(100)}1` }, 400, "validation_failed", "cron"],
    ["NUL in cron", { cron: "0 9 * * MON\u0000" }, 400, "validation_failed", "cron"],
    // The database evaluates cron: what it refuses is invalid_cron, naming the field.
    ["cron of four fields", { cron: "* * * *" }, 400, "invalid_cron", "cron"],
    ["cron of six fields", { cron: "0 * * * * *" }, 400, "invalid_cron", "cron"],
    ["minute 60", { cron: "60 * * * *" }, 400, "invalid_cron", "cron"],
    ["hour 24", { cron: "0 24 * * *" }, 400, "invalid_cron", "cron"],
    ["range backwards", { cron: "0 9 * * 5-1" }, 400, "invalid_cron", "cron"],
    ["step of 0", { cron: "*/0 * * * *" }, 400, "invalid_cron", "cron"],
    ["macro", { cron: "@daily" }, 400, "invalid_cron", "cron"],
    ["quartz ?", { cron: "0 9 ? * MON" }, 400, "invalid_cron", "cron"],
    ["SQL in cron", { cron: "0 9 * * MON; drop table x" }, 400, "invalid_cron", "cron"],
    ["empty cron", { cron: "" }, 400, "invalid_cron", "cron"],
    ["31 February", { cron: "0 0 31 2 *" }, 400, "invalid_cron", "cron"],
    ["unknown timezone", { cron: "0 9 * * *", timezone: "Mars/Olympus_Mons" }, 400, "invalid_timezone", "timezone"],
    ["timezone of another shape", { cron: "0 9 * * *", timezone: "Etc/Nowhere+99" }, 400, "invalid_timezone", "timezone"],
    ["offset as timezone", { cron: "0 9 * * *", timezone: "+05:30" }, 400, "validation_failed", "timezone"],
    ["abbreviation with a space", { cron: "0 9 * * *", timezone: "EST 5" }, 400, "validation_failed", "timezone"],
    ["empty timezone", { cron: "0 9 * * *", timezone: "" }, 400, "validation_failed", "timezone"],
    ["timezone not a string", { cron: "0 9 * * *", timezone: 10 }, 400, "validation_failed", "timezone"],
    ["startAt without offset", { cron: "0 9 * * *", startAt: startAt.replace("Z", "") }, 400, "validation_failed", "startAt"],
    ["startAt as a date", { cron: "0 9 * * *", startAt: startAt.slice(0, 10) }, 400, "validation_failed", "startAt"],
    ["startAt in the past", { cron: "0 9 * * *", startAt: inDays(-1) }, 400, "validation_failed", "startAt"],
    ["startAt over a year ahead", { cron: "0 9 * * *", startAt: inDays(366) }, 400, "validation_failed", "startAt"],
    ["impossible startAt", { cron: "0 9 * * *", startAt: "2027-02-30T09:00:00+10:00" }, 400, "validation_failed", "startAt"],
    ["endAt without offset", { cron: "0 9 * * *", endAt: inDays(20).replace("Z", "") }, 400, "validation_failed", "endAt"],
    ["startAt without offset, endAt valid", { cron: "0 9 * * *", startAt: startAt.replace("Z", ""), endAt: inDays(20) }, 400, "validation_failed", "startAt"],
    ["endAt not a date, startAt valid", { cron: "0 9 * * *", startAt, endAt: "tomorrow" }, 400, "validation_failed", "endAt"],
    ["endAt before startAt", { cron: "0 9 * * *", startAt, endAt: inDays(5) }, 400, "validation_failed", "endAt"],
    ["endAt equal to startAt", { cron: "0 9 * * *", startAt, endAt: startAt }, 400, "validation_failed", "endAt"],
    ["endAt in the past", { cron: "0 9 * * *", endAt: inDays(-2) }, 400, "validation_failed", "endAt"],
    ["maxOccurrences 0", { cron: "0 9 * * *", maxOccurrences: 0 }, 400, "validation_failed", "maxOccurrences"],
    ["maxOccurrences negative", { cron: "0 9 * * *", maxOccurrences: -3 }, 400, "validation_failed", "maxOccurrences"],
    ["maxOccurrences fractional", { cron: "0 9 * * *", maxOccurrences: 1.5 }, 400, "validation_failed", "maxOccurrences"],
    ["maxOccurrences as text", { cron: "0 9 * * *", maxOccurrences: "3" }, 400, "validation_failed", "maxOccurrences"],
    ["maxOccurrences too large", { cron: "0 9 * * *", maxOccurrences: 2 ** 31 }, 400, "validation_failed", "maxOccurrences"],
    ["unknown field", { cron: "0 9 * * *", interval: "weekly" }, 400, "validation_failed", "interval"],
    ["bad recipient", { cron: "0 9 * * *", to: "+1234567890" }, 400, "validation_failed", "to"],
    ["no occurrence before endAt (the database's check)", { cron: `0 0 1 ${farMonth} *`, endAt: inDays(7) }, 400, "invalid_schedule", undefined],
  ];

  it.each(cases)("%s", async (_name, fields, httpStatus, code, field) => {
    const before = await scheduleCount();
    expectRefused(await schedule(fields), httpStatus, code, field);
    expect(await scheduleCount()).toBe(before);
  });
});

describe("job-status of a schedule", () => {
  it("shows status, next runs, counts by outcome and the last occurrence", async () => {
    const id = await created({ cron: "* * * * *", timezone: "Asia/Kolkata" });
    const fresh = await status(id);
    expect(fresh.status).toBe(200);
    expect(fresh.body.data).toMatchObject({
      jobId: id, kind: "recurring", status: "active", endedReason: null, cron: "* * * * *", timezone: "Asia/Kolkata",
      to: "+61412345678", fromNumber: "+15005550006", body: "Weekly reminder", mediaUrls: [], metadata: {},
      counts: { occurrences: 0, sent: 0, failed: 0, pending: 0, cancelled: 0, missed: 0, skipped: 0 }, lastOccurrence: null,
    });
    expect(fresh.body.data?.nextRuns).toHaveLength(5);
    for (const run of fresh.body.data?.nextRuns as string[]) expect(run).toMatch(/:00\+05:30$/);

    await materialise();
    const jobs = await occurrenceJobs(id);
    expect(jobs.length).toBeGreaterThanOrEqual(3);
    const [sent, failed] = jobs;
    await claim(sent?.id ?? "");
    await sql`select private.complete_job(${sent?.id ?? ""}, ${worker}, 'SM00000000000000000000000000000001', 'delivered')`;
    await claim(failed?.id ?? "");
    await sql`select private.fail_job(${failed?.id ?? ""}, ${worker}, '21211', 'Invalid To number')`;

    const later = (await status(id, await tokens.viewer())).body.data ?? {};
    expect(later.counts).toEqual({ occurrences: jobs.length, sent: 1, failed: 1, pending: jobs.length - 2, cancelled: 0, missed: 0, skipped: 0 });
    const last = jobs.at(-1);
    expect(later.lastOccurrence).toEqual({
      time: formatInTimeZone(last?.occurrence_at ?? new Date(), "Asia/Kolkata"), jobId: last?.id, status: "scheduled", messageStatus: null,
    });
    // The next run is the first occurrence not yet materialised.
    expect(Date.parse(String(later.nextRun))).toBe((last?.occurrence_at.getTime() ?? 0) + 60_000);

    const occurrence = (await status(sent?.id ?? "")).body.data;
    expect(occurrence).toMatchObject({ kind: "job", scheduleId: id, status: "completed", messageStatus: "delivered" });
  });

  it("another workspace's schedule answers 404, an unknown one too", async () => {
    expectRefused(await status(otherScheduleId), 404, "job_not_found");
    expectRefused(await status("sched_ffffffffffffffffffffffffffffffff"), 404, "job_not_found");
    expectRefused(await status(otherScheduleId, owner, "ws_other"), 403, "forbidden");
    expect((await status(otherScheduleId, await tokens.otherOwner(), "ws_other")).body.data).toMatchObject({ kind: "recurring", status: "active" });
  });
});

describe("pause-job, resume-job, cancel-job of a schedule", () => {
  it("pause and resume: idempotent in their own state; resuming continues from the next occurrence after now", async () => {
    const id = await created({ cron: "0 9 * * MON" });
    const paused = await act("pause-job", id);
    expect(paused.status).toBe(200);
    expect(paused.body.data).toEqual({ jobId: id, status: "paused", nextRun: null });
    expect((await act("pause-job", id)).body.data).toEqual({ jobId: id, status: "paused", nextRun: null });
    expect((await status(id)).body.data).toMatchObject({ status: "paused", nextRun: null, nextRuns: [] });

    const resumed = await act("resume-job", id);
    expect(resumed.status).toBe(200);
    const expected = brisbaneRuns("0 9 * * MON", new Date(), 1)[0];
    expect(resumed.body.data).toEqual({ jobId: id, status: "active", nextRun: expected });
    expect((await act("resume-job", id)).body.data).toEqual({ jobId: id, status: "active", nextRun: expected });
    expect((await status(id)).body.data).toMatchObject({ status: "active", nextRun: expected });

    const events = await sql<{ event_type: string; actor: string | null }[]>`
      select event_type, actor from public.recurring_sms_schedule_events where schedule_id = ${id} order by id`;
    expect(events).toEqual([
      { event_type: "created", actor: seededUsers.demoOwner.id },
      { event_type: "paused", actor: seededUsers.demoOwner.id },
      { event_type: "resumed", actor: seededUsers.demoOwner.id },
    ]);
  });

  it("pausing cancels occurrences already materialised for later", async () => {
    const id = await created({ cron: "* * * * *" });
    await materialise();
    expect((await occurrenceJobs(id)).length).toBeGreaterThan(0);
    expect((await act("pause-job", id)).status).toBe(200);
    const jobs = await occurrenceJobs(id);
    expect(jobs.every((job) => job.status === "cancelled" && job.status_reason === "schedule_paused")).toBe(true);
    await materialise();
    expect(await occurrenceJobs(id)).toHaveLength(jobs.length);
  });

  it("cancel stops a schedule for good and cancels its pending occurrences; cancelling again succeeds", async () => {
    const id = await created({ cron: "* * * * *" });
    await materialise();
    const pending = await occurrenceJobs(id);
    expect(pending.length).toBeGreaterThanOrEqual(3);
    const cancelled = await act("cancel-job", id);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.data).toEqual({ jobId: id, status: "cancelled" });
    const jobs = await occurrenceJobs(id);
    expect(jobs.map((job) => [job.status, job.status_reason])).toEqual(pending.map(() => ["cancelled", "schedule_cancelled"]));
    await materialise();
    expect(await occurrenceJobs(id)).toHaveLength(pending.length);
    expect((await status(id)).body.data).toMatchObject({
      status: "cancelled", nextRun: null, nextRuns: [],
      counts: { occurrences: pending.length, sent: 0, failed: 0, pending: 0, cancelled: pending.length },
      lastOccurrence: { status: "cancelled" },
    });
    expect((await act("cancel-job", id)).body.data).toEqual({ jobId: id, status: "cancelled" });
    expectRefused(await act("pause-job", id), 409, "invalid_transition");
    expectRefused(await act("resume-job", id), 409, "invalid_transition");
  });

  it("an ended schedule can be neither paused, resumed nor cancelled", async () => {
    const id = await created({ cron: "* * * * *", maxOccurrences: 1 });
    await materialise();
    expect((await status(id)).body.data).toMatchObject({
      status: "ended", endedReason: "max_occurrences", nextRun: null, counts: { occurrences: 1, pending: 1 },
    });
    for (const route of ["pause-job", "resume-job", "cancel-job"] as const) {
      expectRefused(await act(route, id), 409, "invalid_transition");
    }
    expect((await status(id)).body.data).toMatchObject({ status: "ended" });
  });

  it("a one-off job cannot be paused or resumed (409 invalid_transition); an unknown id is 404", async () => {
    const job = await call(api.baseUrls.spec, "schedule-delay", { token: owner, json: { ...message, delayMinutes: 30 } });
    const jobId = String(job.body.data?.jobId);
    expectRefused(await act("pause-job", jobId), 409, "invalid_transition");
    expectRefused(await act("resume-job", jobId), 409, "invalid_transition");
    expect((await status(jobId)).body.data).toMatchObject({ status: "scheduled" });
    for (const route of ["pause-job", "resume-job"] as const) {
      expectRefused(await act(route, "job_ffffffffffffffffffffffffffffffff"), 404, "job_not_found");
      expectRefused(await act(route, "sched_ffffffffffffffffffffffffffffffff"), 404, "job_not_found");
    }
  });

  it("viewers may not change a schedule; another workspace's schedule is 404 and stays as it was", async () => {
    const id = await created({ cron: "0 9 * * MON" });
    const viewer = await tokens.viewer();
    for (const route of ["pause-job", "resume-job", "cancel-job"] as const) {
      expectRefused(await act(route, id, viewer), 403, "forbidden");
      expectRefused(await act(route, otherScheduleId), 404, "job_not_found");
      expectRefused(await act(route, otherScheduleId, owner, "ws_other"), 403, "forbidden");
    }
    expect((await status(id)).body.data).toMatchObject({ status: "active" });
    const [other] = await sql<{ status: string }[]>`select status::text from public.recurring_sms_schedules where id = ${otherScheduleId}`;
    expect(other?.status).toBe("active");
  });
});

describe("jobs by kind", () => {
  it("kind=job (the default) lists jobs only, kind=recurring schedules only, kind=all both, in one order and pages", async () => {
    // A window of its own, far ahead: jobs at minutes 1 and 3, schedules starting at minutes 2 and 4.
    const start = Date.now() + 250 * 86_400_000;
    const at = (minute: number) => new Date(start + minute * 60_000).toISOString();
    const jobIds: string[] = [];
    for (const minute of [1, 3]) {
      const answer = await call(api.baseUrls.spec, "schedule-until", { token: owner, json: { ...message, scheduledTime: at(minute) } });
      jobIds.push(String(answer.body.data?.jobId));
    }
    const scheduleIds = [await created({ cron: "* * * * *", startAt: at(2) }), await created({ cron: "* * * * *", startAt: at(4) })];
    const window = { workspaceId: "ws_demo", from: at(0), to: at(10) };
    const list = async (query: Record<string, string>) => {
      const answer = await call(api.baseUrls.spec, "jobs", { token: await tokens.viewer(), query: { ...window, ...query } });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      return answer.body.data as { jobs: { jobId: string; kind: string }[]; nextCursor: string | null };
    };
    expect((await list({})).jobs.map((j) => j.jobId)).toEqual([jobIds[1], jobIds[0]]);
    expect((await list({ kind: "job" })).jobs.map((j) => j.jobId)).toEqual([jobIds[1], jobIds[0]]);
    const recurring = await list({ kind: "recurring" });
    expect(recurring.jobs.map((j) => [j.jobId, j.kind])).toEqual([[scheduleIds[1], "recurring"], [scheduleIds[0], "recurring"]]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { jobs: { jobId: string }[]; nextCursor: string | null } =
        await list(cursor === null ? { kind: "all", limit: "1" } : { kind: "all", limit: "1", cursor });
      expect(page.jobs).toHaveLength(1);
      seen.push(...page.jobs.map((j) => j.jobId));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual([scheduleIds[1], jobIds[1], scheduleIds[0], jobIds[0]]);

    await act("pause-job", scheduleIds[0] ?? "");
    expect((await list({ kind: "recurring", status: "paused" })).jobs.map((j) => j.jobId)).toEqual([scheduleIds[0]]);
    expect((await list({ kind: "all", status: "scheduled,active" })).jobs.map((j) => j.jobId))
      .toEqual([scheduleIds[1], jobIds[1], jobIds[0]]);
    expect((await list({ kind: "all", status: "paused" })).jobs.map((j) => j.jobId)).toEqual([scheduleIds[0]]);
  });

  it("refuses an unknown kind, and statuses of another kind", async () => {
    const refused = (query: Record<string, string>) =>
      call(api.baseUrls.spec, "jobs", { token: owner, query: { workspaceId: "ws_demo", ...query } });
    expectRefused(await refused({ kind: "schedule" }), 400, "validation_failed", "kind");
    expectRefused(await refused({ kind: "" }), 400, "validation_failed", "kind");
    expectRefused(await refused({ status: "active" }), 400, "validation_failed", "status");
    expectRefused(await refused({ kind: "job", status: "paused" }), 400, "validation_failed", "status");
    expectRefused(await refused({ kind: "recurring", status: "scheduled" }), 400, "validation_failed", "status");
    expectRefused(await refused({ kind: "all", status: "active,sent" }), 400, "validation_failed", "status");
    expectRefused(await refused({ status: "sent" }), 400, "validation_failed", "status");
    expectRefused(await refused({ kind: "schedules", status: "active" }), 400, "validation_failed", "kind");
  });
});
