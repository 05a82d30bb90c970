// Shared generators and helpers of the recurring tests: random cron expressions croner accepts
// too, the timezones under test, where their UTC offset changes, and the DST policy as an oracle.
import { Cron } from "croner";
import fc from "fast-check";

/** Zones of the property test: DST north and south, a 30-minute shift, no DST, odd offsets. */
export const timezones = [
  "America/New_York",
  "Europe/London",
  "Australia/Sydney",
  "Australia/Lord_Howe", // DST moves the clock by 30 minutes
  "Asia/Kolkata", // +05:30, no DST
  "UTC",
  "America/Los_Angeles",
  "Europe/Berlin",
  "Pacific/Auckland",
  "Pacific/Chatham", // +12:45 / +13:45
  "America/St_Johns", // -03:30 / -02:30
  "Asia/Kathmandu", // +05:45
  "America/Sao_Paulo", // no DST since 2019
] as const;

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/** One comma-free part of a field with values low..high (croner's grammar: no `n/step`). */
function part(low: number, high: number, names?: readonly string[]): fc.Arbitrary<string> {
  const value = fc.integer({ min: low, max: high });
  const range = fc.tuple(value, value).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`);
  // croner refuses a step larger than the field's number of values (7 for day of week).
  const step = fc.integer({ min: 1, max: Math.min(high - low + 1, 30, high === 7 ? 7 : 60) });
  const options: fc.Arbitrary<string>[] = [
    value.map(String),
    range,
    step.map((s) => `*/${s}`),
    fc.tuple(range, step).map(([r, s]) => `${r}/${s}`),
  ];
  if (names !== undefined) {
    options.push(fc.integer({ min: 0, max: names.length - 1 }).map((i) => {
      const name = names[i] as string;
      return i % 2 === 0 ? name : name.toLowerCase();
    }));
  }
  return fc.oneof(...options);
}

function field(low: number, high: number, starWeight: number, names?: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constant("*"), weight: starWeight },
    { arbitrary: part(low, high, names), weight: 4 },
    { arbitrary: fc.array(part(low, high, names), { minLength: 2, maxLength: 3 }).map((p) => p.join(",")), weight: 2 },
  );
}

/** Random 5-field expressions: lists, ranges, steps, names, both day fields restricted at times. */
export const cronExpression: fc.Arbitrary<string> = fc.tuple(
  field(0, 59, 2),
  field(0, 23, 3),
  field(1, 31, 6),
  field(1, 12, 6, MONTHS),
  field(0, 7, 6, DAYS),
).map((fields) => fields.join(" "));

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock minute in `timeZone` at instant `ms`, as the UTC milliseconds of its fields (Intl only). */
export function wallClockMinute(ms: number, timeZone: string): number {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
      hour: "numeric", minute: "numeric",
    });
    formatters.set(timeZone, formatter);
  }
  const parts = formatter.formatToParts(new Date(ms));
  const f: Record<string, number> = {};
  for (const p of parts) if (p.type !== "literal") f[p.type] = Number(p.value);
  return Date.UTC(f.year ?? 0, (f.month ?? 1) - 1, f.day ?? 1, f.hour ?? 0, f.minute ?? 0);
}

/** Offset of `timeZone` at `ms` in minutes. */
export function offsetMinutes(ms: number, timeZone: string): number {
  return Math.round((wallClockMinute(ms, timeZone) - Math.floor(ms / MINUTE) * MINUTE) / MINUTE);
}

/** The instants (ms) in [fromMs, toMs) where the zone's offset changes, found by bisection. */
export function transitions(timeZone: string, fromMs: number, toMs: number): number[] {
  const found: number[] = [];
  const stepMs = 6 * HOUR;
  let previous = offsetMinutes(fromMs, timeZone);
  for (let t = fromMs; t < toMs; t += stepMs) {
    const end = Math.min(t + stepMs, toMs);
    const next = offsetMinutes(end, timeZone);
    if (next !== previous) {
      let lo = t;
      let hi = end;
      while (hi - lo > 60_000) {
        const mid = Math.floor((lo + hi) / 120_000) * 60_000;
        if (offsetMinutes(mid, timeZone) === previous) lo = mid; else hi = mid;
      }
      found.push(hi);
    }
    previous = next;
  }
  return found;
}

const INDEX_FROM = Date.UTC(2023, 0, 1);
const INDEX_TO = Date.UTC(2036, 0, 1);
const transitionIndex = new Map<string, number[]>();

/**
 * Whether the zone changes offset anywhere in [fromMs, toMs], from a per-zone list of its
 * transitions in 2023-2035 (found once). A window reaching outside that range counts as holding a
 * transition if the zone has any (conservative: the case is then treated as a DST edge case).
 */
export function hasTransition(timeZone: string, fromMs: number, toMs: number): boolean {
  let list = transitionIndex.get(timeZone);
  if (list === undefined) {
    list = transitions(timeZone, INDEX_FROM, INDEX_TO);
    transitionIndex.set(timeZone, list);
  }
  if (fromMs < INDEX_FROM || toMs >= INDEX_TO) return list.length > 0;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as number) < fromMs) lo = mid + 1; else hi = mid;
  }
  return lo < list.length && (list[lo] as number) <= toMs;
}

/**
 * The values a minute or hour field without `*` or `/` names: a list of numbers and ranges (the
 * generator's grammar; names occur only in the month and weekday fields).
 */
function listedValues(field: string): Set<number> {
  const values = new Set<number>();
  for (const part of field.split(",")) {
    const [low, high = low] = part.split("-").map(Number);
    for (let v = low ?? 0; v <= (high ?? -1); v++) values.add(v);
  }
  return values;
}

/**
 * croner's fixed-time jobs (option fixedTimeRule "single-value"): one value, no `*` or step, in
 * both minute and hour. croner applies our DST policy to them; other ("interval") jobs it runs on
 * both passes of a repeated hour and skips in a gap, which our policy deliberately does not.
 */
export function isCronerFixedTime(expression: string): boolean {
  const [minute = "*", hour = "*"] = expression.trim().split(/\s+/);
  const single = (text: string) => !text.includes("*") && !text.includes("/") && listedValues(text).size === 1;
  return single(minute) && single(hour);
}

/**
 * The instant a wall-clock minute (the UTC milliseconds of its fields) names in `timeZone` under the
 * documented DST policy: its only instant; the first of two (fall-back); in a spring-forward gap,
 * the transition instant, the first one whose wall clock is past it.
 */
export function policyInstant(wallMs: number, timeZone: string): number {
  const candidates = [offsetMinutes(wallMs - DAY, timeZone), offsetMinutes(wallMs + DAY, timeZone)]
    .map((offset) => wallMs - offset * MINUTE).sort((a, b) => a - b);
  const exact = candidates.find((instant) => wallClockMinute(instant, timeZone) === wallMs);
  if (exact !== undefined) return exact;
  // In the gap: between the two candidates the clock jumps from before wallMs to after it.
  let lo = candidates[0] ?? wallMs;
  let hi = candidates[1] ?? wallMs;
  while (hi - lo > MINUTE) {
    const mid = Math.floor((lo + hi) / (2 * MINUTE)) * MINUTE;
    if (wallClockMinute(mid, timeZone) < wallMs) lo = mid; else hi = mid;
  }
  return hi;
}

/**
 * The next run after `after` under the documented DST policy, independent of the SQL evaluator:
 * croner in UTC (no DST) lists the matching wall-clock minutes, policyInstant places each one, and
 * the first placed after `after` is the run. Wall times placed at or before it (a repeated hour's
 * second pass, a gap already used) are passed over.
 */
export function policyNextRun(expression: string, timeZone: string, after: Date): Date | null {
  const wallTimes = new Cron(expression, { timezone: "UTC" });
  let wall = wallTimes.nextRun(new Date(wallClockMinute(after.getTime(), timeZone) - 1));
  for (let i = 0; wall !== null && i < 10_000; i++) {
    const instant = policyInstant(wall.getTime(), timeZone);
    if (instant > after.getTime()) return new Date(instant);
    wall = wallTimes.nextRun(wall);
  }
  return null;
}
