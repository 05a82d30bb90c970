// Property test: the SQL evaluator (private.cron_next) and the TypeScript one (cron-schedule.ts)
// agree with croner on random (expression, timezone, instant) cases, and with each other on all
// of them. The only cases not compared with croner are the documented DST edge cases: croner's
// "interval" jobs (a wildcard, step, range or list in minute or hour) run on both passes of a
// repeated hour and skip a gap, where our policy runs each wall time once and a gap's times at
// the gap's end. Those are excluded only when a DST transition lies within 3 hours of the window
// from the instant to the next run; the SQL and TS evaluators must still agree on them.
import { Cron } from "croner";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { nextRun } from "../../supabase/functions/_shared/cron-schedule.ts";
import { connect } from "../support/database.ts";
import { cronExpression, hasTransition, isCronerFixedTime, timezones, transitions } from "./cron-cases.ts";

const sql = connect({ max: 4 });
afterAll(() => sql.end());

const SEED = 20261128;
const CASES = 14_000;
const MIN_COMPARED = 10_000;
const HOUR = 3_600_000;
const FROM = Date.UTC(2024, 0, 1);
const TO = Date.UTC(2033, 0, 1);

interface Case { expression: string; timezone: string; instant: Date }

// A third of the instants fall within a few hours of a DST transition of their zone.
const transitionsByZone = new Map(timezones.map((tz) => [tz, transitions(tz, FROM, TO)]));
const instantNear = (tz: string) => {
  const list = transitionsByZone.get(tz as (typeof timezones)[number]) ?? [];
  if (list.length === 0) return fc.integer({ min: FROM, max: TO });
  return fc.tuple(fc.integer({ min: 0, max: list.length - 1 }), fc.integer({ min: -6 * HOUR, max: 6 * HOUR }))
    .map(([i, delta]) => (list[i] as number) + delta);
};
const caseArbitrary: fc.Arbitrary<Case> = fc.tuple(cronExpression, fc.constantFrom(...timezones))
  .chain(([expression, timezone]) => fc.oneof(
    { arbitrary: fc.integer({ min: FROM, max: TO }), weight: 2 },
    { arbitrary: instantNear(timezone), weight: 1 },
  ).map((ms) => ({ expression, timezone, instant: new Date(ms) })));

async function sqlNextRuns(cases: Case[]): Promise<(Date | null)[]> {
  const chunks: Case[][] = [];
  for (let i = 0; i < cases.length; i += 1000) chunks.push(cases.slice(i, i + 1000));
  const results = await Promise.all(chunks.map(async (chunk) => {
    const rows = await sql<{ n: number; next: Date | null }[]>`
      select c.n::int as n, private.cron_next(c.expr, c.tz, c.instant) as next
      from unnest(${chunk.map((c) => c.expression)}::text[], ${chunk.map((c) => c.timezone)}::text[],
                  ${chunk.map((c) => c.instant.toISOString())}::timestamptz[]) with ordinality as c(expr, tz, instant, n)
      order by c.n`;
    return rows.map((r) => r.next);
  }));
  return results.flat();
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

describe("cron evaluation agrees with croner", () => {
  it(`SQL and TypeScript match croner on ${MIN_COMPARED}+ random cases outside the DST edge cases`, { timeout: 300_000 }, async () => {
    const started = Date.now();
    const cases = fc.sample(caseArbitrary, { numRuns: CASES, seed: SEED });
    const fromSql = await sqlNextRuns(cases);

    let compared = 0;
    let excluded = 0;
    const disagreements: unknown[] = [];
    const sqlVsTs: unknown[] = [];
    cases.forEach((c, i) => {
      const ours = nextRun(c.expression, c.timezone, c.instant);
      const inSql = fromSql[i] ?? null;
      if (iso(ours) !== iso(inSql)) sqlVsTs.push({ ...c, instant: c.instant.toISOString(), ts: iso(ours), sql: iso(inSql) });
      const croner = new Cron(c.expression, { timezone: c.timezone }).nextRun(c.instant);
      const windowEnd = Math.max(croner?.getTime() ?? c.instant.getTime(), ours?.getTime() ?? c.instant.getTime());
      if (!isCronerFixedTime(c.expression)
          && hasTransition(c.timezone, c.instant.getTime() - 3 * HOUR, windowEnd + 3 * HOUR)) {
        excluded++;
        return;
      }
      compared++;
      if (iso(ours) !== iso(croner) || iso(inSql) !== iso(croner)) {
        disagreements.push({ ...c, instant: c.instant.toISOString(), croner: iso(croner), ts: iso(ours), sql: iso(inSql) });
      }
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`cron property test: ${cases.length} cases (seed ${SEED}), ${compared} compared with croner, ${excluded} DST edge cases compared SQL-vs-TS only, ${disagreements.length} disagreements, ${seconds} s`);
    expect(sqlVsTs.slice(0, 5)).toEqual([]);
    expect(disagreements.slice(0, 5)).toEqual([]);
    expect(compared).toBeGreaterThanOrEqual(MIN_COMPARED);
  });
});
