// A typed client of the SMS scheduler API for app developers, over supabase-js's
// functions.invoke (which adds the signed-in user's access token). Usage:
//   const sms = createSmsSchedulerClient(supabase);
//   const { jobId } = await sms.scheduleDelay({ to: "+61412345678", body: "Hi", workspaceId: "ws_demo", delayMinutes: 5 });
//   const weekly = await sms.scheduleRecurring({ to: "+61412345678", body: "Hi", workspaceId: "ws_demo", cron: "0 9 * * MON" });
//   const batch = await sms.scheduleBulk({ workspaceId: "ws_demo", body: "Hi", recipients: [{ to: "+61412345678" }] });
// Request and answer types are derived from the API contract's zod schemas (api-schemas.ts,
// api-types.ts, api-routes.ts in supabase/functions/_shared); only types are imported, and the
// Idempotency-Key header's name (idempotency-keys.ts, no dependencies but the limits).
import { FunctionsHttpError, type SupabaseClient } from "@supabase/supabase-js";
import type { ApiData, ApiMethod, ApiRequest, ApiRouteName } from "../supabase/functions/_shared/api-routes.ts";
import { idempotencyKeyHeader } from "../supabase/functions/_shared/idempotency-keys.ts";
import type {
  BatchStatusQuery, CancelJobRequest, JobsQuery, JobStatusQuery, PauseJobRequest, ResumeJobRequest, RetryJobRequest,
  ScheduleBulkRequest, ScheduleDelayRequest, ScheduleRecurringRequest, ScheduleUntilRequest, SendSmsRequest,
} from "../supabase/functions/_shared/api-schemas.ts";
import type {
  ApiErrorBody, ApiSuccess, BatchStatusResult, CancelJobResult, HealthResult, JobsPage, JobView, RetryJobResult,
  RetryPolicySettings, ScheduleBulkResult,
  ScheduleRecurringResult, ScheduleResult, ScheduleTransitionResult, ScheduleView, SendSmsResult,
} from "../supabase/functions/_shared/api-types.ts";

export type * from "../supabase/functions/_shared/api-types.ts";
export type {
  BatchStatusQuery, ScheduleBulkRequest, CancelJobRequest, JobKind, JobsQuery, JobStatusQuery, PauseJobRequest, ResumeJobRequest,
  RetryJobRequest, RetryPolicyOverrides, ScheduleDelayRequest,
  ScheduleRecurringRequest, ScheduleStatus, ScheduleUntilRequest, SendSmsRequest,
} from "../supabase/functions/_shared/api-schemas.ts";

/** The API refused or failed: HTTP status, the error code and message, and bad fields if any. */
export class SmsApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ApiErrorBody["error"]["details"],
    readonly requestId?: string,
  ) {
    super(message);
    this.name = "SmsApiError";
  }
}

/**
 * Options of a call that creates or changes something. `idempotencyKey` (1–255 printable ASCII
 * characters, a UUID for instance) makes a retry safe: send the same key with the same request
 * and the API answers what it answered the first time, creating nothing again.
 */
export interface WriteOptions {
  idempotencyKey?: string;
}

export interface SmsSchedulerClient {
  sendSms(request: SendSmsRequest, options?: WriteOptions): Promise<SendSmsResult>;
  scheduleDelay(request: ScheduleDelayRequest, options?: WriteOptions): Promise<ScheduleResult>;
  scheduleUntil(request: ScheduleUntilRequest, options?: WriteOptions): Promise<ScheduleResult>;
  /** A recurring message; its jobId (sched_…) works with cancelJob, pauseJob, resumeJob and jobStatus. */
  scheduleRecurring(request: ScheduleRecurringRequest, options?: WriteOptions): Promise<ScheduleRecurringResult>;
  /**
   * One message to up to 10,000 recipients as a batch; each recipient's item has its job id or its
   * error. With `atomic: true` any refusal throws SmsApiError batch_rejected (details.items) and nothing is created.
   */
  scheduleBulk(request: ScheduleBulkRequest, options?: WriteOptions): Promise<ScheduleBulkResult>;
  /** A batch's jobs by status and by delivery status. */
  batchStatus(query: BatchStatusQuery): Promise<BatchStatusResult>;
  /** Cancels a job, a schedule with its pending occurrences, or a batch's pending jobs (batch_…: answers how many). */
  cancelJob(request: CancelJobRequest, options?: WriteOptions): Promise<CancelJobResult>;
  /**
   * Retries a failed job (now or at scheduledTime, optionally with a new expiry), or a batch's
   * failed jobs (batch_…: answers how many). `force` (owners and admins) also retries opted-out
   * recipients and permanent number errors.
   */
  retryJob(request: RetryJobRequest, options?: WriteOptions): Promise<RetryJobResult>;
  /** The workspace's retry policy: its overrides per error class and what new messages get. */
  retryPolicy(query: ApiRequest<"retry-policy">): Promise<RetryPolicySettings>;
  /** Replaces the workspace's retry policy overrides (owners and admins). */
  updateRetryPolicy(request: ApiRequest<"update-retry-policy">, options?: WriteOptions): Promise<RetryPolicySettings>;
  /** The workspace's API rate limits (defaults, overrides, in force) and what is left of the caller's budgets. */
  rateLimits(query: ApiRequest<"rate-limits">): Promise<ApiData<"rate-limits">>;
  /** Changes the workspace's API rate limits (owners and the service role); null restores a default. */
  updateRateLimits(request: ApiRequest<"update-rate-limits">, options?: WriteOptions): Promise<ApiData<"update-rate-limits">>;
  pauseJob(request: PauseJobRequest, options?: WriteOptions): Promise<ScheduleTransitionResult>;
  resumeJob(request: ResumeJobRequest, options?: WriteOptions): Promise<ScheduleTransitionResult>;
  /** A job (kind "job") or, for a schedule id, the schedule (kind "recurring"). */
  jobStatus(query: JobStatusQuery): Promise<JobView | ScheduleView>;
  listJobs(query: JobsQuery): Promise<JobsPage>;
  /** A job's (or schedule's) event log, oldest first. */
  jobEvents(query: ApiRequest<"job-events">): Promise<ApiData<"job-events">>;
  /** A workspace's monitoring overview. */
  stats(query: ApiRequest<"stats">): Promise<ApiData<"stats">>;
  /** Delivery analytics of a period, by hour or local day, optionally per sender, template, batch or schedule. */
  analytics(query: ApiRequest<"analytics">): Promise<ApiData<"analytics">>;
  /** The signed-in user's workspaces, with its role in each. */
  workspaces(): Promise<ApiData<"workspaces">>;
  /** A message template (Liquid merge fields), version 1. */
  createTemplate(request: ApiRequest<"create-template">, options?: WriteOptions): Promise<ApiData<"create-template">>;
  /** Any change of name, body or variables is a new version. */
  updateTemplate(request: ApiRequest<"update-template">, options?: WriteOptions): Promise<ApiData<"update-template">>;
  archiveTemplate(request: ApiRequest<"archive-template">, options?: WriteOptions): Promise<ApiData<"archive-template">>;
  listTemplates(query: ApiRequest<"templates">): Promise<ApiData<"templates">>;
  /** What a message would be (text, encoding, segments, missing variables); creates nothing. */
  previewMessage(request: ApiRequest<"preview-message">): Promise<ApiData<"preview-message">>;
  health(): Promise<HealthResult>;
}

export function createSmsSchedulerClient(supabase: SupabaseClient, functionName = "trigger"): SmsSchedulerClient {
  /** One route; its name, method, request and answer are checked against the contract's route table. */
  async function invoke<N extends ApiRouteName>(
    route: N,
    method: ApiMethod<N>,
    payload: ApiRequest<N>,
    options: WriteOptions = {},
  ): Promise<ApiData<N>> {
    let path = `${functionName}/${route}`;
    // Every request is a JSON object or absent; TypeScript cannot resolve that for a generic route.
    const fields = payload as Record<string, unknown> | undefined;
    if (method === "GET" && fields !== undefined) {
      const entries = Object.entries(fields).filter(([, value]) => value !== undefined).map(([k, v]): [string, string] => [k, String(v)]);
      path += `?${new URLSearchParams(entries).toString()}`;
    }
    const { data, error } = await supabase.functions.invoke<ApiSuccess<ApiData<N>>>(path, {
      method,
      ...(method === "POST" ? { body: fields } : {}),
      ...(options.idempotencyKey === undefined ? {} : { headers: { [idempotencyKeyHeader]: options.idempotencyKey } }),
    });
    if (error instanceof FunctionsHttpError) {
      const response = error.context as Response;
      const body = await response.json() as ApiErrorBody;
      throw new SmsApiError(response.status, body.error.code, body.error.message, body.error.details,
        body.error.requestId ?? response.headers.get("x-request-id") ?? undefined);
    }
    if (error) throw error;
    if (data === null) throw new Error(`${route} answered without a body`);
    return data.data;
  }

  return {
    sendSms: (request, options) => invoke("send-sms", "POST", request, options),
    scheduleDelay: (request, options) => invoke("schedule-delay", "POST", request, options),
    scheduleUntil: (request, options) => invoke("schedule-until", "POST", request, options),
    scheduleRecurring: (request, options) => invoke("schedule-recurring", "POST", request, options),
    scheduleBulk: (request, options) => invoke("schedule-bulk", "POST", request, options),
    batchStatus: (query) => invoke("batch-status", "GET", query),
    cancelJob: (request, options) => invoke("cancel-job", "POST", request, options),
    retryJob: (request, options) => invoke("retry-job", "POST", request, options),
    retryPolicy: (query) => invoke("retry-policy", "GET", query),
    updateRetryPolicy: (request, options) => invoke("update-retry-policy", "POST", request, options),
    rateLimits: (query) => invoke("rate-limits", "GET", query),
    updateRateLimits: (request, options) => invoke("update-rate-limits", "POST", request, options),
    pauseJob: (request, options) => invoke("pause-job", "POST", request, options),
    resumeJob: (request, options) => invoke("resume-job", "POST", request, options),
    jobStatus: (query) => invoke("job-status", "GET", query),
    listJobs: (query) => invoke("jobs", "GET", query),
    jobEvents: (query) => invoke("job-events", "GET", query),
    stats: (query) => invoke("stats", "GET", query),
    analytics: (query) => invoke("analytics", "GET", query),
    workspaces: () => invoke("workspaces", "GET", {}),
    createTemplate: (request, options) => invoke("create-template", "POST", request, options),
    updateTemplate: (request, options) => invoke("update-template", "POST", request, options),
    archiveTemplate: (request, options) => invoke("archive-template", "POST", request, options),
    listTemplates: (query) => invoke("templates", "GET", query),
    previewMessage: (request) => invoke("preview-message", "POST", request),
    health: () => invoke("health", "GET", undefined),
  };
}
