// The DST policy, case by case, in the one cron evaluator (the database's private.cron_next_runs),
// for both transitions in each zone: a wall time skipped by spring-forward runs once at the first
// valid instant after the gap; a wall time repeated by fall-back runs once, at its first
// occurrence. The same hand-checked instants pin the policy oracle of the property test. Then the
// evaluator's grammar and search, through SQL.
import { Cron } from "croner";
import { afterAll, describe, expect, it } from "vitest";
import { connect, databaseLimit, errorCodeOf } from "../support/database.ts";
import { policyNextRun } from "./cron-cases.ts";

const sql = connect();
afterAll(() => sql.end());

interface DstCase {
  zone: string;
  what: string;
  expression: string;
  after: string;
  /** The next runs, in order (UTC). */
  runs: string[];
}

const cases: DstCase[] = [
  // America/New_York: 2027-03-14 02:00 EST -> 03:00 EDT; 2027-11-07 02:00 EDT -> 01:00 EST.
  { zone: "America/New_York", what: "02:30 skipped by spring-forward runs at 03:00 EDT, then daily at 02:30 EDT",
    expression: "30 2 * * *", after: "2027-03-14T05:00:00Z",
    runs: ["2027-03-14T07:00:00.000Z", "2027-03-15T06:30:00.000Z"] },
  { zone: "America/New_York", what: "gap times and the gap's end collapse into one run at 03:00 EDT",
    expression: "*/15 2-3 * * *", after: "2027-03-14T06:50:00Z",
    runs: ["2027-03-14T07:00:00.000Z", "2027-03-14T07:15:00.000Z"] },
  { zone: "America/New_York", what: "01:30 repeated by fall-back runs once, at 01:30 EDT",
    expression: "30 1 * * *", after: "2027-11-07T04:00:00Z",
    runs: ["2027-11-07T05:30:00.000Z", "2027-11-08T06:30:00.000Z"] },
  { zone: "America/New_York", what: "an every-30-minutes schedule does not repeat the fall-back hour",
    expression: "*/30 * * * *", after: "2027-11-07T05:00:00Z",
    runs: ["2027-11-07T05:30:00.000Z", "2027-11-07T07:00:00.000Z", "2027-11-07T07:30:00.000Z"] },
  { zone: "America/New_York", what: "asked from inside the repeated hour's second pass, the next is the next wall time",
    expression: "30 1 * * *", after: "2027-11-07T06:10:00Z",
    runs: ["2027-11-08T06:30:00.000Z"] },
  // Europe/London: 2027-03-28 01:00 GMT -> 02:00 BST; 2027-10-31 02:00 BST -> 01:00 GMT.
  { zone: "Europe/London", what: "01:30 skipped by spring-forward runs at 02:00 BST",
    expression: "30 1 * * *", after: "2027-03-27T12:00:00Z",
    runs: ["2027-03-28T01:00:00.000Z", "2027-03-29T00:30:00.000Z"] },
  { zone: "Europe/London", what: "01:30 repeated by fall-back runs once, at 01:30 BST",
    expression: "30 1 * * *", after: "2027-10-30T12:00:00Z",
    runs: ["2027-10-31T00:30:00.000Z", "2027-11-01T01:30:00.000Z"] },
  // Australia/Sydney: 2027-10-03 02:00 AEST -> 03:00 AEDT; 2027-04-04 03:00 AEDT -> 02:00 AEST.
  { zone: "Australia/Sydney", what: "02:30 skipped by spring-forward runs at 03:00 AEDT",
    expression: "30 2 * * *", after: "2027-10-02T00:00:00Z",
    runs: ["2027-10-02T16:00:00.000Z", "2027-10-03T15:30:00.000Z"] },
  { zone: "Australia/Sydney", what: "02:30 repeated by fall-back runs once, at 02:30 AEDT",
    expression: "30 2 * * *", after: "2027-04-03T00:00:00Z",
    runs: ["2027-04-03T15:30:00.000Z", "2027-04-04T16:30:00.000Z"] },
  // Australia/Lord_Howe (30-minute shift): 2027-10-03 02:00 +10:30 -> 02:30 +11;
  // 2027-04-04 02:00 +11 -> 01:30 +10:30.
  { zone: "Australia/Lord_Howe", what: "02:15 skipped by the half-hour spring-forward runs at 02:30 +11",
    expression: "15 2 * * *", after: "2027-10-02T00:00:00Z",
    runs: ["2027-10-02T15:30:00.000Z", "2027-10-03T15:15:00.000Z"] },
  { zone: "Australia/Lord_Howe", what: "01:45 repeated by the half-hour fall-back runs once, at 01:45 +11",
    expression: "45 1 * * *", after: "2027-04-03T00:00:00Z",
    runs: ["2027-04-03T14:45:00.000Z", "2027-04-04T15:15:00.000Z"] },
  { zone: "Australia/Lord_Howe", what: "01:00 before the repeated half hour is unaffected by fall-back",
    expression: "0 1 * * *", after: "2027-04-03T00:00:00Z",
    runs: ["2027-04-03T14:00:00.000Z", "2027-04-04T14:30:00.000Z"] },
  // Asia/Kolkata: no DST; New York's and London's transition days change nothing.
  { zone: "Asia/Kolkata", what: "02:30 IST every day through March, always 21:00 UTC the day before",
    expression: "30 2 * * *", after: "2027-03-12T00:00:00Z",
    runs: ["2027-03-12T21:00:00.000Z", "2027-03-13T21:00:00.000Z", "2027-03-14T21:00:00.000Z",
      "2027-03-15T21:00:00.000Z"] },
  { zone: "Asia/Kolkata", what: "no repeated hour in November either",
    expression: "*/30 1 * * *", after: "2027-11-06T19:00:00Z",
    runs: ["2027-11-06T19:30:00.000Z", "2027-11-06T20:00:00.000Z", "2027-11-07T19:30:00.000Z"] },
  // UTC: plain.
  { zone: "UTC", what: "02:30 every day", expression: "30 2 * * *", after: "2027-03-14T00:00:00Z",
    runs: ["2027-03-14T02:30:00.000Z", "2027-03-15T02:30:00.000Z"] },
];

async function sqlRuns(expression: string, zone: string, after: string, count: number, endAt: string | null = null): Promise<string[]> {
  const [row] = await sql<{ runs: Date[] }[]>`
    select private.cron_next_runs(${expression}, ${zone}, ${after}::timestamptz, ${count}, ${endAt}::timestamptz) as runs`;
  return (row?.runs ?? []).map((d) => new Date(d).toISOString());
}

async function sqlNextRun(expression: string, zone: string, after: string): Promise<string | null> {
  const [row] = await sql<{ next: Date | null }[]>`select private.cron_next(${expression}, ${zone}, ${after}::timestamptz) as next`;
  return row?.next == null ? null : new Date(row.next).toISOString();
}

/** The values whose bits are set in a mask (the database's int8 as text). */
function bitsOf(mask: string): number[] {
  const value = BigInt(mask);
  return Array.from({ length: 64 }, (_, bit) => bit).filter((bit) => (value >> BigInt(bit)) & 1n);
}

describe("DST policy", () => {
  for (const c of cases) {
    it(`${c.zone}: ${c.what}`, async () => {
      expect(await sqlRuns(c.expression, c.zone, c.after, c.runs.length)).toEqual(c.runs);
      // The property test's oracle gives the same instants.
      const fromPolicy: string[] = [];
      let after = new Date(c.after);
      for (let i = 0; i < c.runs.length; i++) {
        const next = policyNextRun(c.expression, c.zone, after);
        if (next === null) break;
        fromPolicy.push(next.toISOString());
        after = next;
      }
      expect(fromPolicy).toEqual(c.runs);
    });
  }
});

describe("the documented edge cases: where croner's interval jobs differ", () => {
  const croner = (e: string, tz: string, after: string) => new Cron(e, { timezone: tz }).nextRun(new Date(after))?.toISOString();
  it("fall-back: croner repeats the doubled hour for */30, we run each wall time once", async () => {
    // After 01:30 EDT (05:30Z): croner's next is 01:00 EST (06:00Z), ours 02:00 EST (07:00Z).
    expect(croner("*/30 * * * *", "America/New_York", "2027-11-07T05:30:00Z")).toBe("2027-11-07T06:00:00.000Z");
    expect(await sqlNextRun("*/30 * * * *", "America/New_York", "2027-11-07T05:30:00Z")).toBe("2027-11-07T07:00:00.000Z");
  });
  it("spring-forward: croner skips gap times of 10-59/20, we run them once at the gap's end", async () => {
    // After 01:59 EST (06:59Z): 02:10, 02:30, 02:50 do not exist. croner's next is 03:10 EDT, ours 03:00 EDT.
    expect(croner("10-59/20 * * * *", "America/New_York", "2027-03-14T06:59:00Z")).toBe("2027-03-14T07:10:00.000Z");
    expect(await sqlNextRun("10-59/20 * * * *", "America/New_York", "2027-03-14T06:59:00Z")).toBe("2027-03-14T07:00:00.000Z");
  });
  it("Lord Howe's half-hour fall-back: */15 runs 01:30-01:45 once, at +11", async () => {
    // 2027-04-04 02:00 +11 -> 01:30 +10:30. After 01:45 +11 (14:45Z) croner repeats 01:30 +10:30 (15:00Z); ours is 02:00 +10:30.
    expect(croner("*/15 * * * *", "Australia/Lord_Howe", "2027-04-03T14:45:00Z")).toBe("2027-04-03T15:00:00.000Z");
    expect(await sqlNextRun("*/15 * * * *", "Australia/Lord_Howe", "2027-04-03T14:45:00Z")).toBe("2027-04-03T15:30:00.000Z");
  });
  it("fixed-time jobs: croner and we agree on both transitions", async () => {
    for (const [expression, after, expected] of [
      ["30 2 * * *", "2027-03-14T05:00:00Z", "2027-03-14T07:00:00.000Z"],
      ["30 1 * * *", "2027-11-07T04:00:00Z", "2027-11-07T05:30:00.000Z"],
    ] as const) {
      expect(croner(expression, "America/New_York", after)).toBe(expected);
      expect(await sqlNextRun(expression, "America/New_York", after)).toBe(expected);
    }
  });
});

describe("the evaluator's grammar and search (SQL)", () => {
  it("parses lists, ranges, steps and names; 7 is Sunday; n/step runs to the field's end", async () => {
    const [spec] = await sql<Record<"minutes" | "hours" | "days" | "months" | "weekdays", string>[]>`
      select s.minutes::text, s.hours::text, s.days::text, s.months::text, s.weekdays::text
      from private.parse_cron('5,10-12 */6 1-10/3 jan,JUN-aug mon-FRI,7') s`;
    expect(bitsOf(spec?.minutes ?? "0")).toEqual([5, 10, 11, 12]);
    expect(bitsOf(spec?.hours ?? "0")).toEqual([0, 6, 12, 18]);
    expect(bitsOf(spec?.days ?? "0")).toEqual([1, 4, 7, 10]);
    expect(bitsOf(spec?.months ?? "0")).toEqual([1, 6, 7, 8]);
    expect(bitsOf(spec?.weekdays ?? "0")).toEqual([0, 1, 2, 3, 4, 5]);
    const [step] = await sql<{ minutes: string }[]>`select (private.parse_cron('50/5 * * * *')).minutes::text as minutes`;
    expect(bitsOf(step?.minutes ?? "0")).toEqual([50, 55]);
  });

  it("refuses what is not a standard 5-field expression", async () => {
    const verdicts: [string, boolean][] = [
      ["* * * *", false], ["0 0 9 * * *", false], ["60 * * * *", false], ["* 24 * * *", false], ["* * 0 * *", false],
      ["* * 32 * *", false], ["* * * 13 *", false], ["* * * * 8", false], ["*/0 * * * *", false], ["5-1 * * * *", false],
      ["@daily", false], ["0 9 * * MON#1", false], ["L * * * *", false], ["x".repeat(201), false],
      ["0 9 * * 1", true], [" 0  9 * *  1 ", true], ["0 0 1,15 * *", true], ["*/5 * * * *", true], ["0 9 * JAN-MAR SUN", true],
    ];
    const rows = await sql<{ valid: boolean }[]>`
      select private.is_valid_cron(e) as valid from unnest(${verdicts.map(([e]) => e)}::text[]) with ordinality as t(e, n) order by n`;
    expect(rows.map((r) => r.valid)).toEqual(verdicts.map(([, valid]) => valid));
  });

  it("day of month and day of week: OR when both are restricted, AND when either is *", async () => {
    // 2027-03-01 is a Monday. "1st or any Friday" vs "Fridays" vs "the 1st".
    const days = async (e: string) => (await sqlRuns(e, "UTC", "2027-02-28T00:00:00Z", 3)).map((d) => d.slice(0, 10));
    expect(await days("0 9 1 * FRI")).toEqual(["2027-03-01", "2027-03-05", "2027-03-12"]);
    expect(await days("0 9 * * FRI")).toEqual(["2027-03-05", "2027-03-12", "2027-03-19"]);
    expect(await days("0 9 1 * *")).toEqual(["2027-03-01", "2027-04-01", "2027-05-01"]);
    expect(await days("0 9 */1 * FRI")).toEqual(["2027-02-28", "2027-03-01", "2027-03-02"]);
  });

  it("29 February is found years ahead; 31 February never (null)", async () => {
    expect(await sqlNextRun("0 0 29 2 *", "UTC", "2097-03-01T00:00:00Z")).toBe("2104-02-29T00:00:00.000Z");
    expect(await sqlNextRun("0 0 31 2 *", "Europe/London", "2027-01-01T00:00:00Z")).toBeNull();
  });

  it("is strictly after the given instant, also mid-minute", async () => {
    expect(await sqlNextRun("* * * * *", "UTC", "2027-01-01T10:00:00.000Z")).toBe("2027-01-01T10:01:00.000Z");
    expect(await sqlNextRun("* * * * *", "UTC", "2027-01-01T10:00:30.500Z")).toBe("2027-01-01T10:01:00.000Z");
    expect(await sqlNextRun("0 10 * * *", "UTC", "2027-01-01T09:59:59.999Z")).toBe("2027-01-01T10:00:00.000Z");
  });

  it("stops at endAt (exclusive) and refuses an invalid expression with invalid_cron", async () => {
    expect(await sqlRuns("0 9 * * *", "UTC", "2027-01-01T00:00:00Z", 5, "2027-01-03T09:00:00Z"))
      .toEqual(["2027-01-01T09:00:00.000Z", "2027-01-02T09:00:00.000Z"]);
    const refusal = await sql`select private.cron_next('0 9 * *', 'UTC', now())`.catch((e: unknown) => e);
    expect(errorCodeOf(refusal)).toBe("invalid_cron");
  });
});

describe("recurring limits (private.limit_value)", () => {
  it("the lookahead exceeds the minute sweep with margin, stays within the dispatch horizon, and the missed tolerance exceeds it", async () => {
    const lookahead = await databaseLimit(sql, "recurring_lookahead_seconds");
    expect(lookahead).toBeGreaterThanOrEqual(2 * 60);
    expect(lookahead).toBeLessThanOrEqual(await databaseLimit(sql, "dispatch_horizon_seconds"));
    expect(await databaseLimit(sql, "recurring_missed_tolerance_seconds")).toBeGreaterThan(lookahead);
  });
});
