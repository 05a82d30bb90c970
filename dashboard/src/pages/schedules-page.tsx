// Recurring schedules: when they run next, what they have sent, and pause / resume / cancel.
import { useMemo } from "react";
import type { ScheduleView, WorkspaceView } from "../../../supabase/functions/_shared/api-types.ts";
import { ListToolbar } from "../components/list-toolbar.tsx";
import { SchedulesTable } from "../components/message-tables.tsx";
import { NewRowsBanner } from "../components/new-rows-banner.tsx";
import { usePageTitle } from "../components/page-title.ts";
import { QueryNotice } from "../components/query-notice.tsx";
import { StatusFilter } from "../components/status-counts.tsx";
import { scheduleStatuses } from "../format/statuses.ts";
import { filterParams, readFilters, type ListFilters } from "../messages/list-filters.ts";
import { useLiveList } from "../messages/use-live-list.ts";
import { navigate, useLocation, withSearch } from "../router/router.tsx";
import { paths } from "../router/paths.ts";

export function SchedulesPage({ workspace }: { workspace: WorkspaceView }) {
  usePageTitle(`Schedules · ${workspace.name}`);
  const { search } = useLocation();
  const filters = useMemo<ListFilters>(() => ({ ...readFilters(search, "recurring"), kind: "recurring" }), [search]);
  const path = paths.schedules(workspace.workspaceId);
  const change = (next: ListFilters) => navigate(withSearch(path, filterParams(next, "recurring")));

  return (
    <>
      <div className="page-head">
        <h1>Schedules</h1>
        <p className="muted">Recurring messages, newest first by start time. Next runs are in each schedule's own timezone.</p>
      </div>
      <StatusFilter statuses={scheduleStatuses} selected={filters.status} onChange={(status) => change({ ...filters, status })} />
      <ListToolbar key={filters.search} filters={filters} kinds={null} onChange={change} />
      <ScheduleList key={`${workspace.workspaceId}|${JSON.stringify(filters)}`} workspace={workspace} filters={filters} />
    </>
  );
}

function ScheduleList({ workspace, filters }: { workspace: WorkspaceView; filters: ListFilters }) {
  const list = useLiveList(workspace.workspaceId, filters);
  const schedules = list.rows.filter((row): row is ScheduleView => row.kind === "recurring");
  return (
    <section aria-label="Schedule list">
      <NewRowsBanner count={list.newCount} lowerBound={list.newCountIsLowerBound} noun={["schedule", "schedules"]} onShow={list.showNew} />
      <QueryNotice status={list.status} error={list.error} what="schedules" />
      {list.status === "success" && schedules.length === 0 && <p className="empty">No schedules match these filters.</p>}
      {schedules.length > 0 && <SchedulesTable rows={schedules} workspace={workspace} caption="Recurring schedules" />}
      {list.hasMore && (
        <button type="button" className="button load-more" disabled={list.loadingMore} onClick={list.loadMore}>
          {list.loadingMore ? "Loading…" : "Load more"}
        </button>
      )}
    </section>
  );
}
