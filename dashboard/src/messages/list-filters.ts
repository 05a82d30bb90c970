// A list's filters as they live in the address (?status=failed,retrying&kind=job&range=24h&q=+61412)
// and as the API's GET jobs query.
import type { JobsQuery } from "../../../supabase/functions/_shared/api-schemas.ts";
import { isJobStatus, isScheduleStatus } from "../format/statuses.ts";

export type ListKind = "job" | "recurring" | "all";

export const timeRanges = {
  any: { label: "Any time", fromOffsetMs: null },
  "1h": { label: "Since 1 hour ago", fromOffsetMs: -3_600_000 },
  "24h": { label: "Since 24 hours ago", fromOffsetMs: -86_400_000 },
  "7d": { label: "Since 7 days ago", fromOffsetMs: -7 * 86_400_000 },
  upcoming: { label: "Due from now on", fromOffsetMs: 0 },
} as const satisfies Record<string, { label: string; fromOffsetMs: number | null }>;
export type TimeRange = keyof typeof timeRanges;

export interface ListFilters {
  kind: ListKind;
  status: string[];
  range: TimeRange;
  /** A job or schedule id, or the start of a recipient's number. */
  search: string;
  /** A schedule-bulk batch's id (its jobs only), or "". */
  batch: string;
}

function isTimeRange(value: string | null): value is TimeRange {
  return value !== null && Object.hasOwn(timeRanges, value);
}

/** The filters in `search`; unknown values are dropped, so a hand-edited address still works. */
export function readFilters(search: URLSearchParams, defaultKind: ListKind): ListFilters {
  const kindParam = search.get("kind");
  const kind: ListKind = kindParam === "job" || kindParam === "recurring" || kindParam === "all" ? kindParam : defaultKind;
  const statusOf = kind === "job" ? isJobStatus : kind === "recurring" ? isScheduleStatus : (s: string) => isJobStatus(s) || isScheduleStatus(s);
  const status = [...new Set((search.get("status") ?? "").split(",").filter(statusOf))];
  const range = search.get("range");
  const batch = (search.get("batch") ?? "").trim();
  return {
    kind, status, range: isTimeRange(range) ? range : "any", search: (search.get("q") ?? "").trim(),
    batch: /^batch_[A-Za-z0-9]{1,96}$/.test(batch) ? batch : "",
  };
}

/** The address parameters for `filters` (defaults left out). */
export function filterParams(filters: ListFilters, defaultKind: ListKind): Record<string, string | null> {
  return {
    kind: filters.kind === defaultKind ? null : filters.kind,
    status: filters.status.length === 0 ? null : filters.status.join(","),
    range: filters.range === "any" ? null : filters.range,
    q: filters.search === "" ? null : filters.search,
    batch: filters.batch === "" ? null : filters.batch,
  };
}

/** The GET jobs query for `filters`, with relative ranges anchored at `loadedAt` (ms). */
export function jobsQuery(workspaceId: string, filters: ListFilters, loadedAt: number, pageSize: number): JobsQuery {
  const offset = timeRanges[filters.range].fromOffsetMs;
  return {
    workspaceId,
    kind: filters.kind,
    status: filters.status.length === 0 ? undefined : filters.status.join(","),
    from: offset === null ? undefined : new Date(loadedAt + offset).toISOString(),
    search: filters.search === "" ? undefined : filters.search,
    batchId: filters.batch === "" ? undefined : filters.batch,
    limit: String(pageSize),
  };
}
