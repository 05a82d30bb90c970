// The Analytics page's controls as they live in the address (?range=30d&granularity=day&group=sender)
// and as the API's GET analytics query. Unknown values fall back to the defaults, so a hand-edited
// address still works.
import type { AnalyticsGranularity, AnalyticsGroupBy, AnalyticsQuery } from "../../../supabase/functions/_shared/api-schemas.ts";

export const analyticsRanges = {
  "24h": { label: "Last 24 hours", days: 1 },
  "7d": { label: "Last 7 days", days: 7 },
  "30d": { label: "Last 30 days", days: 30 },
  "90d": { label: "Last 90 days", days: 90 },
} as const satisfies Record<string, { label: string; days: number }>;
export type AnalyticsRange = keyof typeof analyticsRanges;

/** The groupings the page offers (the API also groups by recurring schedule). */
export const analyticsGroups = {
  sender: "Sender",
  template: "Template",
  batch: "Bulk batch",
} as const satisfies Partial<Record<AnalyticsGroupBy, string>>;
export type AnalyticsGroup = keyof typeof analyticsGroups;

export interface AnalyticsControls {
  range: AnalyticsRange;
  granularity: AnalyticsGranularity;
  /** "" when not grouped. */
  group: AnalyticsGroup | "";
}

const defaultRange: AnalyticsRange = "7d";

export function readAnalyticsControls(search: URLSearchParams): AnalyticsControls {
  const range = search.get("range");
  const granularity = search.get("granularity");
  const group = search.get("group");
  const chosenRange = range !== null && Object.hasOwn(analyticsRanges, range) ? range as AnalyticsRange : defaultRange;
  return {
    range: chosenRange,
    // A day is best read by the hour; longer periods by the day.
    granularity: granularity === "hour" || granularity === "day" ? granularity : chosenRange === "24h" ? "hour" : "day",
    group: group !== null && Object.hasOwn(analyticsGroups, group) ? group as AnalyticsGroup : "",
  };
}

/** The address parameters for `controls` (all kept, so a shared link shows the same view). */
export function analyticsParams(controls: AnalyticsControls): Record<string, string | null> {
  return { range: controls.range, granularity: controls.granularity, group: controls.group === "" ? null : controls.group };
}

const hourMs = 60 * 60 * 1000;

/**
 * The GET analytics query: the period ends at the start of the next hour, so the query (and its
 * cache key) stays the same for an hour while polls refresh the figures.
 */
export function analyticsQuery(workspaceId: string, controls: AnalyticsControls, now: number): AnalyticsQuery {
  const to = Math.ceil((now + 1) / hourMs) * hourMs;
  const from = to - analyticsRanges[controls.range].days * 24 * hourMs;
  return {
    workspaceId,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    granularity: controls.granularity,
    ...(controls.group === "" ? {} : { groupBy: controls.group }),
  };
}
