// Cron evaluation for recurring messages: a standard 5-field expression names WALL-CLOCK times in
// an IANA timezone. The database's copy is private.parse_cron / private.cron_next (migration
// 20261128000900_recurring.sql); tests/recurring keeps both in agreement, and with croner.
//
// DST policy (README "Recurring messages"): every wall time the expression matches runs exactly
// once. A wall time skipped by spring-forward runs at the first valid instant after the gap (the
// transition instant: 02:30 America/New_York on the spring-forward day runs at 03:00 EDT, and all
// matches in the gap collapse into that one run). A wall time repeated by fall-back runs once, at
// its first occurrence (01:30 EDT, not again at 01:30 EST).
//
// Runtime-neutral (Intl only): used by the Edge Functions, trigger/ and the tests.

import { recurringLimits } from "./limits.ts";

/** A parsed expression: one bit set per field (bit n set when value n matches). */
export interface CronSpec {
  readonly minutes: readonly boolean[]; // 0..59
  readonly hours: readonly boolean[]; // 0..23
  readonly days: readonly boolean[]; // 1..31 (index 0 unused)
  readonly months: readonly boolean[]; // 1..12 (index 0 unused)
  readonly weekdays: readonly boolean[]; // 0..6, 0 = Sunday (7 in the expression is Sunday)
  /** The day-of-month field is exactly `*`. */
  readonly dayStar: boolean;
  /** The day-of-week field is exactly `*`. */
  readonly weekdayStar: boolean;
}

/** How many years ahead a matching date is searched for (31 February never comes). */
export const cronSearchYears = recurringLimits.search_years;

const MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const FIELD_BOUNDS: ReadonlyArray<readonly [number, number]> = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 7]];
const PART = /^(\*|([0-9]{1,2})(-([0-9]{1,2}))?)(\/([0-9]{1,2}))?$/;

/**
 * Parses a standard 5-field expression (minute hour day-of-month month day-of-week): `*`, `n`,
 * `a-b`, each with an optional `/step` (`n/step` runs from n to the field's maximum, as in Vixie
 * cron), comma-separated lists, JAN-DEC and SUN-SAT in any case. The same grammar as
 * private.is_valid_cron. Returns null when the expression is not valid.
 */
export function parseCron(expression: string): CronSpec | null {
  if (expression.length > 200) return null;
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return null;
  const sets: boolean[][] = [];
  for (let i = 0; i < 5; i++) {
    const [lowBound, highBound] = FIELD_BOUNDS[i] as readonly [number, number];
    const set = new Array<boolean>(highBound + 1).fill(false);
    let field = (fields[i] as string).toUpperCase();
    if (i === 3) MONTH_NAMES.forEach((name, k) => { field = field.replaceAll(name, String(k + 1)); });
    if (i === 4) DAY_NAMES.forEach((name, k) => { field = field.replaceAll(name, String(k)); });
    for (const part of field.split(",")) {
      const match = PART.exec(part);
      if (match === null) return null;
      const step = match[6] === undefined ? 1 : Number(match[6]);
      if (step < 1) return null;
      let low = lowBound;
      let high = highBound;
      if (match[1] !== "*") {
        low = Number(match[2]);
        high = match[4] !== undefined ? Number(match[4]) : match[6] !== undefined ? highBound : low;
        if (low < lowBound || high > highBound || low > high) return null;
      }
      for (let v = low; v <= high; v += step) set[v] = true;
    }
    sets.push(set);
  }
  const weekdays = (sets[4] as boolean[]).slice(0, 7);
  if ((sets[4] as boolean[])[7] === true) weekdays[0] = true;
  return {
    minutes: sets[0] as boolean[],
    hours: sets[1] as boolean[],
    days: sets[2] as boolean[],
    months: sets[3] as boolean[],
    weekdays,
    dayStar: fields[2] === "*",
    weekdayStar: fields[4] === "*",
  };
}

export function isValidCron(expression: string): boolean {
  return parseCron(expression) !== null;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
      hour: "numeric", minute: "numeric", second: "numeric",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * Whether the runtime knows the timezone name. The database's private.is_valid_timezone (an IANA
 * name in pg_timezone_names) has the last word on inserts; Intl may also accept aliases.
 */
export function isValidTimezone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Wall-clock time in `timeZone` at instant `ms`, as milliseconds of the same fields read as UTC. */
function wallClockMs(ms: number, timeZone: string): number {
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(ms))) {
    if (part.type !== "literal") fields[part.type] = Number(part.value);
  }
  const second = Math.floor(ms / 1000) * 1000;
  return Date.UTC(fields.year ?? 0, (fields.month ?? 1) - 1, fields.day ?? 1, fields.hour ?? 0,
    fields.minute ?? 0, fields.second ?? 0) + (ms - second);
}

/** The zone's UTC offset at instant `ms`, in milliseconds. */
function offsetMs(ms: number, timeZone: string): number {
  return wallClockMs(ms, timeZone) - ms;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/**
 * The instant a wall time (given as the UTC milliseconds of its fields) names in `timeZone`, under
 * the DST policy: the only instant; the first of two (fall-back); the first valid instant after
 * the gap (spring-forward). Mirrors private.wall_time_instant.
 */
export function wallTimeInstant(wallMs: number, timeZone: string): number {
  const before = offsetMs(wallMs - DAY, timeZone);
  const after = offsetMs(wallMs + DAY, timeZone);
  const first = Math.min(wallMs - before, wallMs - after);
  const second = Math.max(wallMs - before, wallMs - after);
  if (wallClockMs(first, timeZone) === wallMs) return first;
  if (wallClockMs(second, timeZone) === wallMs) return second;
  for (let k = 1; k <= 1440; k++) {
    const candidate = wallMs + k * MINUTE - after;
    if (wallClockMs(candidate, timeZone) === wallMs + k * MINUTE) return candidate;
  }
  throw new Error(`no valid wall time after ${new Date(wallMs).toISOString()} in ${timeZone}`);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * The first occurrence strictly after `after`, or null if none within cronSearchYears. Walks the
 * wall-clock fields, skipping whole months, days and hours that cannot match. Mirrors
 * private.cron_next_from_spec step for step.
 */
export function nextOccurrence(spec: CronSpec, timeZone: string, after: Date): Date | null {
  const afterMs = after.getTime();
  const wall = new Date(Math.floor(wallClockMs(afterMs, timeZone) / MINUTE) * MINUTE);
  let y = wall.getUTCFullYear();
  let mo = wall.getUTCMonth() + 1;
  let d = wall.getUTCDate();
  let h = wall.getUTCHours();
  let mi = wall.getUTCMinutes();
  const lastYear = y + cronSearchYears;
  for (;;) {
    if (y > lastYear) return null;
    while (mo <= 12 && spec.months[mo] !== true) {
      mo++; d = 1; h = 0; mi = 0;
    }
    if (mo > 12) {
      y++; mo = 1; d = 1; h = 0; mi = 0;
      continue;
    }
    if (d > daysInMonth(y, mo)) {
      mo++; d = 1; h = 0; mi = 0;
      if (mo > 12) { y++; mo = 1; }
      continue;
    }
    const weekday = new Date(Date.UTC(y, mo - 1, d)).getUTCDay();
    const dayOk = spec.days[d] === true;
    const weekdayOk = spec.weekdays[weekday] === true;
    if (!(spec.dayStar || spec.weekdayStar ? dayOk && weekdayOk : dayOk || weekdayOk)) {
      d++; h = 0; mi = 0;
      continue;
    }
    while (h <= 23 && spec.hours[h] !== true) {
      h++; mi = 0;
    }
    if (h > 23) {
      d++; h = 0; mi = 0;
      continue;
    }
    while (mi <= 59 && spec.minutes[mi] !== true) mi++;
    if (mi > 59) {
      h++; mi = 0;
      if (h > 23) { d++; h = 0; }
      continue;
    }
    const instant = wallTimeInstant(Date.UTC(y, mo - 1, d, h, mi), timeZone);
    if (instant > afterMs) return new Date(instant);
    // Not after `after` (a repeated hour's second pass, or a gap's end already used): next minute.
    mi++;
    if (mi > 59) {
      h++; mi = 0;
      if (h > 23) { d++; h = 0; }
    }
  }
}

export class CronExpressionError extends Error {
  constructor(readonly code: "invalid_cron" | "invalid_timezone", message: string) {
    super(message);
    this.name = "CronExpressionError";
  }
}

export interface NextRunsOptions {
  /** Occurrences at or after this instant are not returned (exclusive, like a schedule's end_at). */
  endAt?: Date;
}

/**
 * Up to `count` occurrences of `expression` in `timeZone` strictly after `after` (and before
 * `endAt`). Throws CronExpressionError (invalid_cron / invalid_timezone) like private.cron_next.
 */
export function nextRuns(
  expression: string,
  timeZone: string,
  after: Date,
  count: number,
  options: NextRunsOptions = {},
): Date[] {
  const spec = parseCron(expression);
  if (spec === null) {
    throw new CronExpressionError("invalid_cron",
      `cron expression ${JSON.stringify(expression.slice(0, 100))} is not a valid 5-field expression (minute hour day month weekday)`);
  }
  if (!isValidTimezone(timeZone)) {
    throw new CronExpressionError("invalid_timezone", `timezone ${JSON.stringify(timeZone)} is not an IANA timezone name`);
  }
  const runs: Date[] = [];
  let cursor = after;
  while (runs.length < count) {
    const next = nextOccurrence(spec, timeZone, cursor);
    if (next === null || (options.endAt !== undefined && next.getTime() >= options.endAt.getTime())) break;
    runs.push(next);
    cursor = next;
  }
  return runs;
}

/** The next occurrence strictly after `after`, or null if there is none. */
export function nextRun(expression: string, timeZone: string, after: Date): Date | null {
  return nextRuns(expression, timeZone, after, 1)[0] ?? null;
}
