// Property test of the one cron evaluator, the database's (private.cron_next), on random
// (expression, timezone, instant) cases: it agrees with croner, except on the documented DST edge
// cases. There croner's "interval" jobs (a wildcard, step, range or list in minute or hour) run on
// both passes of a repeated hour and skip a gap, where our policy runs each wall time once and a
// gap's times at the gap's end; a case counts as one when a DST transition lies within 3 hours of
// the window from the instant to the next run. On those the database must give the instant the
// documented policy names (policyNextRun: croner's wall-clock matches placed by the policy).
// cron-dst.test.ts pins the policy on hand-checked instants.
import { Cron } from "croner";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { connect } from "../support/database.ts";
import { cronExpression, hasTransition, isCronerFixedTime, policyNextRun, timezones, transitions } from "./cron-cases.ts";

const sql = connect({ max: 4 });
afterAll(() => sql.end());

const SEED = 20261128;
const CASES = 4_000;
const MIN_COMPARED = 2_500;
const MIN_EDGE_CASES = 400;
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

describe("cron evaluation (private.cron_next)", () => {
  it(`matches croner on ${MIN_COMPARED}+ random cases, and the DST policy on the edge cases`, { timeout: 300_000 }, async () => {
    const started = Date.now();
    const cases = fc.sample(caseArbitrary, { numRuns: CASES, seed: SEED });
    const fromSql = await sqlNextRuns(cases);

    let compared = 0;
    let edgeCases = 0;
    const disagreements: unknown[] = [];
    const policyViolations: unknown[] = [];
    cases.forEach((c, i) => {
      const inSql = fromSql[i] ?? null;
      const report = { ...c, instant: c.instant.toISOString(), sql: iso(inSql) };
      const croner = new Cron(c.expression, { timezone: c.timezone }).nextRun(c.instant);
      const windowEnd = Math.max(croner?.getTime() ?? c.instant.getTime(), inSql?.getTime() ?? c.instant.getTime());
      if (!isCronerFixedTime(c.expression)
          && hasTransition(c.timezone, c.instant.getTime() - 3 * HOUR, windowEnd + 3 * HOUR)) {
        edgeCases++;
        const policy = policyNextRun(c.expression, c.timezone, c.instant);
        if (iso(inSql) !== iso(policy)) policyViolations.push({ ...report, policy: iso(policy), croner: iso(croner) });
        return;
      }
      compared++;
      if (iso(inSql) !== iso(croner)) disagreements.push({ ...report, croner: iso(croner) });
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`cron property test: ${cases.length} cases (seed ${SEED}), ${compared} compared with croner, ${edgeCases} DST edge cases compared with the policy, ${disagreements.length + policyViolations.length} disagreements, ${seconds} s`);
    expect(disagreements.slice(0, 5)).toEqual([]);
    expect(policyViolations.slice(0, 5)).toEqual([]);
    expect(compared).toBeGreaterThanOrEqual(MIN_COMPARED);
    expect(edgeCases).toBeGreaterThanOrEqual(MIN_EDGE_CASES);
  });

  it("the policy oracle gives the documented instants where croner's interval jobs differ", () => {
    // America/New_York 2027: 03-14 02:00 EST -> 03:00 EDT; 11-07 02:00 EDT -> 01:00 EST.
    const next = (expression: string, after: string) => iso(policyNextRun(expression, "America/New_York", new Date(after)));
    // Fall-back: after 01:30 EDT, */30 runs at 02:00 EST, not again at 01:00 EST / 01:30 EST.
    expect(next("*/30 * * * *", "2027-11-07T05:30:00Z")).toBe("2027-11-07T07:00:00.000Z");
    // Spring-forward: 02:10, 02:30, 02:50 do not exist and collapse into one run at 03:00 EDT.
    expect(next("10-59/20 * * * *", "2027-03-14T06:59:00Z")).toBe("2027-03-14T07:00:00.000Z");
    expect(next("10-59/20 * * * *", "2027-03-14T07:00:00Z")).toBe("2027-03-14T07:10:00.000Z");
    // Inside the repeated hour's second pass, the next is the next wall time not yet passed.
    expect(next("*/20 1 * * *", "2027-11-07T06:10:00Z")).toBe("2027-11-08T06:00:00.000Z");
  });
});
