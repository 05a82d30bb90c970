// The workspace's messages, newest first, filtered by what the address says; live, never moving.
import { useMemo, useRef } from "react";
import type { WorkspaceView } from "../../../supabase/functions/_shared/api-types.ts";
import { useStats } from "../api/queries.ts";
import { ListToolbar } from "../components/list-toolbar.tsx";
import { MessagesTable } from "../components/message-tables.tsx";
import { NewRowsBanner } from "../components/new-rows-banner.tsx";
import { usePageTitle } from "../components/page-title.ts";
import { QueryNotice } from "../components/query-notice.tsx";
import { StatusFilter } from "../components/status-counts.tsx";
import { jobStatuses, scheduleStatuses } from "../format/statuses.ts";
import { filterParams, readFilters, type ListFilters, type ListKind } from "../messages/list-filters.ts";
import { useLiveList } from "../messages/use-live-list.ts";
import { Link, navigate, useLocation, withSearch } from "../router/router.tsx";
import { paths } from "../router/paths.ts";

const kinds = [
  { value: "job", label: "Messages" },
  { value: "all", label: "Messages and schedules" },
  { value: "recurring", label: "Schedules" },
] as const satisfies readonly { value: ListKind; label: string }[];

export function MessagesPage({ workspace }: { workspace: WorkspaceView }) {
  usePageTitle(`Messages · ${workspace.name}`);
  const { search } = useLocation();
  const filters = useMemo(() => readFilters(search, "job"), [search]);
  const stats = useStats(workspace.workspaceId);
  const path = paths.messages(workspace.workspaceId);
  const change = (next: ListFilters) => navigate(withSearch(path, filterParams(next, "job")));
  const statuses = filters.kind === "job" ? jobStatuses : filters.kind === "recurring" ? scheduleStatuses : [...jobStatuses, "active", "paused", "ended"];

  return (
    <>
      <div className="page-head">
        <h1>Messages</h1>
        <p className="muted">Newest first by scheduled time, in {workspace.timezone}. Rows still in flight update in place.</p>
      </div>
      <StatusFilter
        statuses={statuses}
        selected={filters.status}
        counts={filters.kind === "job" && filters.batch === "" ? stats.data?.counts : undefined}
        onChange={(status) => change({ ...filters, status })}
      />
      {filters.batch !== "" && (
        <p className="filter-chip">
          Only batch <Link to={paths.batch(workspace.workspaceId, filters.batch)}><code>{filters.batch}</code></Link>{" "}
          <button type="button" className="link-button" onClick={() => change({ ...filters, batch: "" })}>Show all messages</button>
        </p>
      )}
      <ListToolbar key={filters.search} filters={filters} kinds={kinds} onChange={change} />
      <MessageList key={`${workspace.workspaceId}|${JSON.stringify(filters)}`} workspace={workspace} filters={filters} />
    </>
  );
}

function MessageList({ workspace, filters }: { workspace: WorkspaceView; filters: ListFilters }) {
  const list = useLiveList(workspace.workspaceId, filters);
  const table = useRef<HTMLDivElement>(null);
  return (
    <section aria-label="Message list">
      <NewRowsBanner
        count={list.newCount}
        lowerBound={list.newCountIsLowerBound}
        noun={["message", "messages"]}
        onShow={() => {
          list.showNew();
          table.current?.focus();
        }}
      />
      <QueryNotice status={list.status} error={list.error} what="messages" />
      {list.status === "success" && list.rows.length === 0 && <p className="empty">No messages match these filters.</p>}
      <div ref={table} tabIndex={-1} className="list-body">
        {list.rows.length > 0 && <MessagesTable rows={list.rows} workspace={workspace} caption="Messages, newest first" />}
      </div>
      {list.hasMore && (
        <button type="button" className="button load-more" disabled={list.loadingMore} onClick={list.loadMore}>
          {list.loadingMore ? "Loading…" : "Load more"}
        </button>
      )}
    </section>
  );
}
