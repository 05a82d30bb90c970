// The rules that keep a list live without moving it: which rows on screen may still change, how
// fresh copies replace them in place, and how many rows the list is missing at its top.
import type { InfiniteData } from "@tanstack/react-query";
import type { JobsPage, JobView, ScheduleView } from "../../../supabase/functions/_shared/api-types.ts";
import { finalDeliveryStatuses } from "../format/statuses.ts";

export type Row = JobView | ScheduleView;

/**
 * Nothing more will change: a failed or cancelled job, a completed one whose delivery status is
 * final, an ended or cancelled schedule. Everything else is polled while on screen.
 */
export function isSettled(row: Row): boolean {
  if (row.kind === "recurring") return row.status === "ended" || row.status === "cancelled";
  if (row.status === "failed" || row.status === "cancelled") return true;
  return row.status === "completed" && row.messageStatus !== null && finalDeliveryStatuses.includes(row.messageStatus);
}

/** The ids of the unsettled rows, in list order. */
export function unsettledIds(rows: readonly Row[]): string[] {
  return rows.filter((row) => !isSettled(row)).map((row) => row.jobId);
}

function sameRow(a: Row, b: Row): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The loaded pages with each row replaced by its fresh copy, in the same places: rows are never
 * added, removed or reordered here. Returns `pages` itself when nothing changed (no re-render).
 */
export function patchPages(pages: InfiniteData<JobsPage, string | undefined>, fresh: readonly Row[]):
  InfiniteData<JobsPage, string | undefined> {
  const byId = new Map(fresh.map((row) => [row.jobId, row]));
  let changed = false;
  const patched = pages.pages.map((page) => {
    let pageChanged = false;
    const jobs = page.jobs.map((row) => {
      const next = byId.get(row.jobId);
      if (next === undefined || sameRow(row, next)) return row;
      pageChanged = true;
      return next;
    });
    if (!pageChanged) return page;
    changed = true;
    return { ...page, jobs };
  });
  return changed ? { ...pages, pages: patched } : pages;
}

/** Rows of the latest first page that the loaded list does not show: new (or newly matching) rows. */
export function newRowCount(loaded: readonly Row[], latestFirstPage: readonly Row[]): number {
  const shown = new Set(loaded.map((row) => row.jobId));
  return latestFirstPage.filter((row) => !shown.has(row.jobId)).length;
}
