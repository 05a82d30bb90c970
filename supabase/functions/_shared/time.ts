// Times in API responses: ISO-8601 with the workspace timezone's UTC offset, e.g.
// 2025-05-11T16:00:00+10:00 for Australia/Brisbane. Uses Intl only (available in Deno and Node).

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, "0");
}

/** `date` as local wall-clock time in `timeZone` with its offset; milliseconds only when non-zero. */
export function formatInTimeZone(date: Date, timeZone: string): string {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(date)) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  const wall = Date.UTC(parts.year ?? 0, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0,
    parts.minute ?? 0, parts.second ?? 0);
  const millis = date.getUTCMilliseconds();
  // The offset is the wall clock minus the instant, in whole minutes.
  const offsetMinutes = Math.round((wall - (date.getTime() - millis)) / 60_000);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  const fraction = millis === 0 ? "" : `.${pad(millis, 3)}`;
  return `${pad(parts.year ?? 0, 4)}-${pad(parts.month ?? 1)}-${pad(parts.day ?? 1)}` +
    `T${pad(parts.hour ?? 0)}:${pad(parts.minute ?? 0)}:${pad(parts.second ?? 0)}${fraction}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** ISO-8601 date-time with an explicit offset (`Z` or ±hh:mm); a bare local time is ambiguous. */
export const isoWithOffsetPattern =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The instant, or null. Impossible dates (2027-02-30: Date would roll it over to March) and instants
 * outside years 1 to 9999 (which the database cannot read back from an ISO string) are refused.
 */
export function parseIsoWithOffset(value: string): Date | null {
  if (!isoWithOffsetPattern.test(value)) return null;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return null;
  const [year, month, day] = value.slice(0, 10).split("-").map(Number);
  if (year === undefined || month === undefined || day === undefined) return null;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (daysInMonth === undefined || day < 1 || day > daysInMonth) return null;
  const utcYear = date.getUTCFullYear();
  return utcYear >= 1 && utcYear <= 9999 ? date : null;
}
