// A list of jobs or schedules that stays live without ever moving under the reader:
// - the pages are fetched once (then "Load more" appends pages at the bottom);
// - the unsettled rows on screen are refetched by id (GET jobs?ids=…) at the user's interval and
//   patched in place: same rows, same order, fresher content;
// - the first page is polled with the same filters, and the rows it has that the list does not
//   show are counted for the "N new" banner; showing them reloads the list from the top.
// All polls are TanStack Query refetchIntervals, so they pause while the tab is hidden.
import { keepPreviousData, useInfiniteQuery, useQuery, useQueryClient, type InfiniteData } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import type { JobsPage } from "../../../supabase/functions/_shared/api-types.ts";
import { useApi } from "../api/api-context.tsx";
import type { ApiClient } from "../api/api-client.ts";
import { queryKeys } from "../api/queries.ts";
import { useRefreshInterval } from "../live/refresh-interval.tsx";
import { jobsQuery, type ListFilters } from "./list-filters.ts";
import { newRowCount, patchPages, unsettledIds, type Row } from "./live-rows.ts";

/** The most ids one GET jobs takes (apiLimits.jobs_page_size_max). */
const idsPerRequest = 200;

/** When each list (workspace + filters) was loaded, so coming back to it shows the same list. */
const loadTimes = new Map<string, number>();

async function fetchRows(api: ApiClient, workspaceId: string, ids: readonly string[], signal: AbortSignal): Promise<Row[]> {
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += idsPerRequest) chunks.push(ids.slice(i, i + idsPerRequest));
  const pages = await Promise.all(chunks.map((chunk) =>
    api.get("jobs", { workspaceId, kind: "all", ids: chunk.join(","), limit: String(chunk.length) }, signal)));
  return pages.flatMap((page) => page.jobs);
}

export interface LiveList {
  rows: Row[];
  status: "pending" | "error" | "success";
  error: unknown;
  /** Rows matching the filters that the list does not show yet (at most a page). */
  newCount: number;
  /** newCount is a whole page: there may be more. */
  newCountIsLowerBound: boolean;
  /** Reloads the list from the top (the "N new" banner). */
  showNew(): void;
  hasMore: boolean;
  loadingMore: boolean;
  loadMore(): void;
}

/** Use with a component keyed by the filters: a new filter is a new list. */
export function useLiveList(workspaceId: string, filters: ListFilters, pageSize = 50): LiveList {
  const api = useApi();
  const queryClient = useQueryClient();
  const interval = useRefreshInterval();
  const listId = `${workspaceId}|${JSON.stringify(filters)}|${pageSize}`;
  const [loadedAt, setLoadedAt] = useState(() => loadTimes.get(listId) ?? Date.now());
  useEffect(() => {
    loadTimes.set(listId, loadedAt);
  }, [listId, loadedAt]);

  const request = useMemo(() => jobsQuery(workspaceId, filters, loadedAt, pageSize), [workspaceId, filters, loadedAt, pageSize]);
  // loadedAt names this loading of the list: showing new rows is a new list even with the same query.
  const pagesKey = useMemo(() => [...queryKeys.listPages(workspaceId), request, loadedAt] as const, [workspaceId, request, loadedAt]);

  const list = useInfiniteQuery({
    queryKey: pagesKey,
    queryFn: ({ pageParam, signal }) => api.get("jobs", { ...request, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: JobsPage) => last.nextCursor ?? undefined,
    // Fetched once: only the patches below and an explicit reload change it.
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
    // A reload keeps showing the old rows until the new ones are in.
    placeholderData: keepPreviousData,
  });
  const rows = useMemo(() => list.data?.pages.flatMap((page) => page.jobs) ?? [], [list.data]);
  const unsettled = useMemo(() => unsettledIds(rows), [rows]);
  // This loading's own pages are in (not the previous list shown while reloading).
  const loaded = list.isSuccess && !list.isPlaceholderData;

  useQuery({
    queryKey: [...queryKeys.listRows(workspaceId), unsettled.join(",")],
    queryFn: async ({ signal }) => {
      const fresh = await fetchRows(api, workspaceId, unsettled, signal);
      queryClient.setQueryData<InfiniteData<JobsPage, string | undefined>>(pagesKey, (data) => data && patchPages(data, fresh));
      return fresh.length;
    },
    enabled: loaded && unsettled.length > 0,
    refetchInterval: interval,
    // The page was just fetched: the first refresh is due one interval later.
    initialData: 0,
    initialDataUpdatedAt: list.dataUpdatedAt,
    staleTime: interval === false ? Number.POSITIVE_INFINITY : interval,
  });

  // Enabled once the list is in, so every answer here is at least as new as the list.
  const head = useQuery({
    queryKey: [...queryKeys.listHeads(workspaceId), request, loadedAt],
    queryFn: ({ signal }) => api.get("jobs", request, signal),
    enabled: loaded,
    refetchInterval: interval,
  });
  const newCount = head.data === undefined ? 0 : newRowCount(rows, head.data.jobs);

  return {
    rows,
    status: list.status,
    error: list.error,
    newCount,
    newCountIsLowerBound: head.data !== undefined && newCount >= pageSize,
    showNew: () => setLoadedAt(Date.now()),
    hasMore: list.hasNextPage,
    loadingMore: list.isFetchingNextPage,
    loadMore: () => void list.fetchNextPage(),
  };
}
