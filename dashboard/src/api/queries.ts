// The dashboard's reads, as TanStack Query hooks. Live ones poll at the user's interval; TanStack
// Query skips those polls while the tab is hidden and refetches when it is shown again.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { ApiRequest } from "../../../supabase/functions/_shared/api-routes.ts";
import type { Row } from "../messages/live-rows.ts";
import { useRefreshInterval } from "../live/refresh-interval.tsx";
import { isSettled } from "../messages/live-rows.ts";
import { useApi } from "./api-context.tsx";

export const queryKeys = {
  workspaces: () => ["workspaces"] as const,
  stats: (workspaceId: string) => ["stats", workspaceId] as const,
  analytics: (workspaceId: string, query: unknown) => ["analytics", workspaceId, query] as const,
  item: (workspaceId: string, id: string) => ["item", workspaceId, id] as const,
  events: (workspaceId: string, id: string) => ["events", workspaceId, id] as const,
  /** A list's loaded pages: fetched once, then only patched in place. */
  listPages: (workspaceId: string) => ["jobs", workspaceId, "pages"] as const,
  /** Polls of a list's first page (to count new rows). */
  listHeads: (workspaceId: string) => ["jobs", workspaceId, "head"] as const,
  /** Refreshes of the unsettled rows on screen. */
  listRows: (workspaceId: string) => ["jobs", workspaceId, "rows"] as const,
  templates: (workspaceId: string) => ["templates", workspaceId] as const,
  batch: (workspaceId: string, batchId: string) => ["batch", workspaceId, batchId] as const,
  /** schedule-bulk's answer, kept for the batch page of the session that sent it. */
  bulkResult: (workspaceId: string, batchId: string) => ["bulk-result", workspaceId, batchId] as const,
  preview: (workspaceId: string, request: unknown) => ["preview", workspaceId, request] as const,
  senders: (workspaceId: string) => ["senders", workspaceId] as const,
  sendingLimits: (workspaceId: string) => ["sending-limits", workspaceId] as const,
  rateLimits: (workspaceId: string) => ["rate-limits", workspaceId] as const,
  optOuts: (workspaceId: string, phone: string) => ["opt-outs", workspaceId, phone] as const,
  inboundMessages: (workspaceId: string) => ["inbound-messages", workspaceId] as const,
  regions: (workspaceId: string) => ["regions", workspaceId] as const,
  quietHours: (workspaceId: string) => ["quiet-hours", workspaceId] as const,
};

/** The workspace's quiet hours and the messages waiting for the window, polled. */
export function useQuietHours(workspaceId: string) {
  const api = useApi();
  const interval = useRefreshInterval();
  return useQuery({
    queryKey: queryKeys.quietHours(workspaceId),
    queryFn: ({ signal }) => api.get("quiet-hours", { workspaceId }, signal),
    refetchInterval: interval,
  });
}

/** The workspace's Twilio region and edge and its Trigger.dev region (settings: read once, not polled). */
export function useRegions(workspaceId: string) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.regions(workspaceId),
    queryFn: ({ signal }) => api.get("regions", { workspaceId }, signal),
  });
}

/** The workspace's senders: rate, backlog and time to drain it, polled. */
export function useSenders(workspaceId: string) {
  const api = useApi();
  const interval = useRefreshInterval();
  return useQuery({
    queryKey: queryKeys.senders(workspaceId),
    queryFn: ({ signal }) => api.get("senders", { workspaceId }, signal),
    refetchInterval: interval,
  });
}

/** The workspace's daily cap and today's usage, polled. */
export function useSendingLimits(workspaceId: string) {
  const api = useApi();
  const interval = useRefreshInterval();
  return useQuery({
    queryKey: queryKeys.sendingLimits(workspaceId),
    queryFn: ({ signal }) => api.get("sending-limits", { workspaceId }, signal),
    refetchInterval: interval,
  });
}

export function useWorkspaces() {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.workspaces(),
    queryFn: ({ signal }) => api.get("workspaces", {}, signal),
    staleTime: 60_000,
  });
}

/** The overview figures, polled. */
export function useStats(workspaceId: string) {
  const api = useApi();
  const interval = useRefreshInterval();
  return useQuery({
    queryKey: queryKeys.stats(workspaceId),
    queryFn: ({ signal }) => api.get("stats", { workspaceId }, signal),
    refetchInterval: interval,
  });
}

/** Delivery analytics of a period, polled; the previous figures stay on screen while new controls load. */
export function useAnalytics(query: ApiRequest<"analytics">) {
  const api = useApi();
  const interval = useRefreshInterval();
  return useQuery({
    queryKey: queryKeys.analytics(query.workspaceId, query),
    queryFn: ({ signal }) => api.get("analytics", query, signal),
    refetchInterval: interval,
    placeholderData: keepPreviousData,
  });
}

/** One job or schedule, polled until nothing more can change. */
export function useJobOrSchedule(workspaceId: string, id: string) {
  const api = useApi();
  const interval = useRefreshInterval();
  return useQuery({
    queryKey: queryKeys.item(workspaceId, id),
    queryFn: ({ signal }) => api.get("job-status", { workspaceId, jobId: id }, signal),
    refetchInterval: (query) => (query.state.data !== undefined && isSettled(query.state.data) ? false : interval),
  });
}

/** What changes when a job or schedule gains events: its timeline is refetched when this does. */
export function eventsVersion(item: Row | undefined): string {
  if (item === undefined) return "";
  return item.kind === "job"
    ? `${item.updatedTime}|${item.status}|${item.messageStatus ?? ""}|${item.attempts}`
    : `${item.updatedTime}|${item.status}|${JSON.stringify(item.counts)}`;
}

/**
 * A job's or schedule's timeline, fetched again whenever the polled item changes (its `version`),
 * so the last event (say, delivered) arrives even though the item then stops polling.
 */
export function useEvents(workspaceId: string, id: string, version: string) {
  const api = useApi();
  return useQuery({
    queryKey: [...queryKeys.events(workspaceId, id), version],
    queryFn: ({ signal }) => api.get("job-events", { workspaceId, jobId: id }, signal),
    enabled: version !== "",
    staleTime: Number.POSITIVE_INFINITY,
    placeholderData: keepPreviousData,
  });
}

/** A workspace's templates, archived ones too (the page filters); they change only by this app or the API. */
export function useTemplates(workspaceId: string) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.templates(workspaceId),
    queryFn: ({ signal }) => api.get("templates", { workspaceId, archived: "all" }, signal),
    staleTime: 30_000,
  });
}

/**
 * What a message would be (preview-message, which creates nothing). `request` is null while there
 * is nothing to preview; the previous answer stays on screen while the next one loads.
 */
export function usePreview(workspaceId: string, request: Omit<ApiRequest<"preview-message">, "workspaceId"> | null) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.preview(workspaceId, request),
    queryFn: () => api.post("preview-message", { workspaceId, ...request }),
    enabled: request !== null,
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
    placeholderData: keepPreviousData,
  });
}

/** Twilio delivery statuses after which nothing more is reported ("none": never sent). */
const finalDeliveryStatuses = new Set(["none", "delivered", "undelivered", "failed", "canceled", "read"]);

/** A batch's counts, polled until none of its jobs is pending and every delivery status is final. */
export function useBatchStatus(workspaceId: string, batchId: string) {
  const api = useApi();
  const interval = useRefreshInterval();
  return useQuery({
    queryKey: queryKeys.batch(workspaceId, batchId),
    queryFn: ({ signal }) => api.get("batch-status", { workspaceId, batchId }, signal),
    refetchInterval: (query) => {
      const data = query.state.data;
      if (data === undefined) return interval;
      const { scheduled, queued, processing, retrying } = data.counts;
      const settled = scheduled + queued + processing + retrying === 0 &&
        Object.entries(data.messageStatuses).every(([status, n]) => n === 0 || finalDeliveryStatuses.has(status));
      return settled ? false : interval;
    },
  });
}

/** The workspace's API rate limits and the signed-in caller's usage of them, polled (each poll is one read of the budget). */
export function useRateLimits(workspaceId: string) {
  const api = useApi();
  const interval = useRefreshInterval();
  return useQuery({
    queryKey: queryKeys.rateLimits(workspaceId),
    queryFn: ({ signal }) => api.get("rate-limits", { workspaceId }, signal),
    refetchInterval: interval,
  });
}

/** The workspace's opt-outs (newest first; one number's when `phone` is given) and their latest changes, polled. */
export function useOptOuts(workspaceId: string, phone: string) {
  const api = useApi();
  const interval = useRefreshInterval();
  return useQuery({
    queryKey: queryKeys.optOuts(workspaceId, phone),
    queryFn: ({ signal }) => api.get("opt-outs", { workspaceId, ...(phone === "" ? {} : { phone }) }, signal),
    refetchInterval: interval,
    placeholderData: keepPreviousData,
  });
}

/** What recipients sent to the workspace's numbers lately, with the keyword action taken, polled. */
export function useInboundMessages(workspaceId: string) {
  const api = useApi();
  const interval = useRefreshInterval();
  return useQuery({
    queryKey: queryKeys.inboundMessages(workspaceId),
    queryFn: ({ signal }) => api.get("inbound-messages", { workspaceId, limit: "20" }, signal),
    refetchInterval: interval,
  });
}
