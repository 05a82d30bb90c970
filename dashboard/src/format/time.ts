// Times as people read them: in the workspace's timezone (the API's times carry its offset), with
// the distance from now alongside.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string, withYear: boolean, withMs = false): Intl.DateTimeFormat {
  const key = `${timeZone}|${withYear}|${withMs}`;
  let format = formatters.get(key);
  if (format === undefined) {
    format = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      day: "numeric",
      month: "short",
      year: withYear ? "numeric" : undefined,
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      fractionalSecondDigits: withMs ? 3 : undefined,
      hourCycle: "h23",
    });
    formatters.set(key, format);
  }
  return format;
}

/**
 * "28 Nov, 14:05:09" in `timeZone` (the year only when it is not this year; milliseconds when asked,
 * for timelines whose steps are a few ms apart); "—" for null.
 */
export function formatTime(iso: string | null | undefined, timeZone: string, options: { ms?: boolean; now?: number } = {}): string {
  if (iso === null || iso === undefined) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const thisYear = new Date(options.now ?? Date.now()).getUTCFullYear() === date.getUTCFullYear();
  try {
    return formatter(timeZone, !thisYear, options.ms).format(date);
  } catch {
    return formatter("UTC", !thisYear, options.ms).format(date);
  }
}

/** "3 min 20 s", "2 h 5 min", "1 d 3 h". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 === 0 ? "" : ` ${s % 60} s`}`;
  if (s < 86400) return `${Math.floor(s / 3600)} h${Math.floor((s % 3600) / 60) === 0 ? "" : ` ${Math.floor((s % 3600) / 60)} min`}`;
  return `${Math.floor(s / 86400)} d${Math.floor((s % 86400) / 3600) === 0 ? "" : ` ${Math.floor((s % 86400) / 3600)} h`}`;
}

/** "in 5 min", "12 s ago", "now". */
export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (iso === null || iso === undefined) return "";
  const ms = new Date(iso).getTime() - now;
  if (Number.isNaN(ms)) return "";
  if (Math.abs(ms) < 1000) return "now";
  const text = formatDuration(Math.abs(ms) / 1000).split(" ").slice(0, 2).join(" ");
  return ms > 0 ? `in ${text}` : `${text} ago`;
}
