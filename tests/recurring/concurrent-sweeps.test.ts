// Two sweeps at once never materialise an occurrence twice: schedules are locked FOR UPDATE SKIP
// LOCKED, and (schedule, occurrence) is unique besides. The schedules start two days ahead and the
// sweeps run on that injected clock, so the real pg_cron sweep (every minute) never touches them.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { connect, type Sql } from "../support/database.ts";

const a = connect({ max: 1 });
const b = connect({ max: 1 });
const admin = connect({ max: 2 });
const marker = "concurrent-sweeps test";

async function clear(db: Sql): Promise<void> {
  await db`delete from public.scheduled_sms_jobs where recurring_schedule_id in
    (select id from public.recurring_sms_schedules where body like ${marker + "%"})`;
  await db`delete from public.recurring_sms_schedules where body like ${marker + "%"}`;
}

beforeEach(() => clear(admin));
afterAll(async () => {
  await clear(admin);
  await Promise.all([a.end(), b.end(), admin.end()]);
});

interface SweepResult { schedules: number; materialised: number; missed: number; skipped: number; ended: number }

/** 30 seconds into a minute two days from now: the clock of these tests. */
async function baseTime(): Promise<Date> {
  const [row] = await admin<{ b: Date }[]>`select date_trunc('minute', now()) + interval '2 days 30 seconds' as b`;
  if (row === undefined) throw new Error("no row");
  return row.b;
}

async function createSchedules(count: number, base: Date): Promise<void> {
  await admin`
    select private.create_recurring_schedule('ws_demo', '+614' || lpad(g::text, 8, '0'), ${marker} || ' ' || g,
      '* * * * *', 'UTC', null, '{}', ${base})
    from generate_series(1, ${count}) g`;
}

async function jobCounts(): Promise<{ jobs: number; distinct: number; counted: number }> {
  const [row] = await admin<{ jobs: number; distinct: number; counted: number }[]>`
    select count(j.id)::int as jobs,
           count(distinct (j.recurring_schedule_id, j.occurrence_at))::int as distinct,
           (select sum(occurrences_count)::int from public.recurring_sms_schedules where body like ${marker + "%"}) as counted
    from public.scheduled_sms_jobs j
    join public.recurring_sms_schedules s on s.id = j.recurring_schedule_id
    where s.body like ${marker + "%"}`;
  if (row === undefined) throw new Error("no row");
  return row;
}

const sweepAt = (db: Sql, base: Date, offsetSeconds: number) => db<SweepResult[]>`
  select * from private.materialise_recurring(${base}::timestamptz + make_interval(secs => ${offsetSeconds}))`;

describe("two sweeps at once", () => {
  it("two connections sweeping 150 schedules at the same moment create each occurrence once", async () => {
    const base = await baseTime();
    await createSchedules(150, base);
    const results = await Promise.all([sweepAt(a, base, 0), sweepAt(b, base, 0)]);
    const total = results.reduce((n, [r]) => n + (r?.materialised ?? 0), 0);
    const counts = await jobCounts();
    expect(counts.jobs).toBe(450); // 3 minutes of lookahead x 150 schedules
    expect(counts.distinct).toBe(counts.jobs);
    expect(total).toBe(450);
    expect(counts.counted).toBe(450);

    // Again, repeatedly and overlapping, a minute later: one more occurrence each, still once.
    await Promise.all([sweepAt(a, base, 60), sweepAt(b, base, 60), sweepAt(a, base, 61), sweepAt(b, base, 62)]);
    const later = await jobCounts();
    expect(later.jobs).toBe(600);
    expect(later.distinct).toBe(600);
    expect(later.counted).toBe(600);
  });

  it("a sweep skips schedules another sweep holds, and materialises nothing twice after it commits", async () => {
    const base = await baseTime();
    await createSchedules(10, base);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => { release = resolve; });
    let signal: () => void = () => undefined;
    const swept = new Promise<void>((resolve) => { signal = resolve; });

    const first = a.begin(async (tx) => {
      const [r] = await tx<SweepResult[]>`select * from private.materialise_recurring(${base})`;
      signal();
      await held;
      return r;
    });
    await swept;
    const [second] = await sweepAt(b, base, 0); // the first transaction still holds all ten schedules
    release();
    const [firstResult] = [await first];
    const [third] = await sweepAt(b, base, 0); // after the first committed: nothing left to do

    expect(firstResult?.schedules).toBe(10);
    expect(firstResult?.materialised).toBe(30);
    expect(second?.schedules).toBe(0);
    expect(second?.materialised).toBe(0);
    expect(third?.materialised).toBe(0);
    const counts = await jobCounts();
    expect(counts).toEqual({ jobs: 30, distinct: 30, counted: 30 });
  });
});
