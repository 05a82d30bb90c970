// The routes of the HTTP API, each described once: method, whether it needs a token, what it is
// for, its request and response schemas, and every error code it may answer. The `trigger`
// function's router takes method, token rule and request parsing from here, and
// openapi/openapi.yaml is generated from it (`npm run openapi`). Paths are /<route name>.
import type { z } from "zod";
import {
  cancelJobRequestSchema, type Clock, jobEventsQuerySchema, jobsQuerySchema, jobStatusQuerySchema,
  pauseJobRequestSchema, resumeJobRequestSchema, scheduleDelayRequestSchema, scheduleRecurringRequestSchema,
  scheduleUntilRequestSchema, sendSmsRequestSchema, statsQuerySchema, workspacesQuerySchema,
  archiveTemplateRequestSchema, createTemplateRequestSchema, previewMessageRequestSchema, templatesQuerySchema,
  updateTemplateRequestSchema, scheduleBulkRequestSchema, batchStatusQuerySchema, analyticsQuerySchema,
  retryJobRequestSchema, retryPolicyQuerySchema, updateRetryPolicyRequestSchema,
  sendersQuerySchema, updateSenderRequestSchema, sendingLimitsQuerySchema, updateSendingLimitsRequestSchema,
  rateLimitsQuerySchema,
  updateRateLimitsRequestSchema, quietHoursQuerySchema, updateQuietHoursRequestSchema,
  regionsQuerySchema, updateRegionsRequestSchema,
} from "./api-schemas.ts";
import {
  cancelJobResponseSchema, healthResponseSchema, jobEventsResponseSchema, jobsResponseSchema, jobStatusResponseSchema,
  scheduleRecurringResponseSchema, scheduleResponseSchema, scheduleTransitionResponseSchema, sendSmsResponseSchema,
  statsResponseSchema, workspacesResponseSchema, previewResponseSchema, templateResponseSchema, templatesResponseSchema,
  scheduleBulkResponseSchema, batchStatusResponseSchema, analyticsResponseSchema, retryJobResponseSchema, retryPolicyResponseSchema,
  sendersResponseSchema, sendingLimitsResponseSchema,
  rateLimitsResponseSchema, quietHoursResponseSchema, regionsResponseSchema,
} from "./api-types.ts";
import { addOptOutRequestSchema, inboundMessagesQuerySchema, optOutsQuerySchema, removeOptOutRequestSchema } from "./api-schemas.ts";
import {
  addOptOutResponseSchema, inboundMessagesResponseSchema, optOutsResponseSchema, removeOptOutResponseSchema,
} from "./api-types.ts";
import type { ErrorCode } from "./error-codes.ts";
import { apiLimits, databaseLimits } from "./limits.ts";

interface ContractFields {
  /** "required": a user's access token or the service-role key; "none": anyone. */
  readonly auth: "required" | "none";
  readonly summary: string;
  readonly description?: string;
  /** A POST's JSON body or a GET's query string, built for the API's clock. */
  readonly request?: (now: Clock) => z.ZodType;
  /** A POST body's size limit when not apiLimits.request_body_max_bytes (413 above it). */
  readonly requestBodyMaxBytes?: number;
  /** The 200 answer: the success envelope around the route's data. */
  readonly response: z.ZodType<{ success: true; data: unknown }>;
  readonly responseDescription: string;
  /** Every error code the route may answer; the HTTP statuses follow (error-codes.ts). */
  readonly errors: readonly ErrorCode[];
  /** What a refusal status means for this route, where its codes alone do not say. */
  readonly errorNotes?: Readonly<Partial<Record<number, string>>>;
}

/**
 * Whether a POST route takes an Idempotency-Key header (idempotency-keys.ts): "keyed" — a retry
 * with the same key replays the first answer and creates nothing (its `errors` must include
 * `idempotencyKeyErrors`, and its request a `workspaceId`, the key's scope); "exempt" — the route
 * creates and changes nothing, so the header is not read. Every POST route must say which: a new
 * one cannot be added without deciding (the type requires it, and a test checks the choices).
 */
export type Idempotency = "keyed" | "exempt";

export type RouteContract =
  | (ContractFields & { readonly method: "GET"; readonly idempotency?: never })
  | (ContractFields & { readonly method: "POST"; readonly idempotency: Idempotency });

/** Refusals of any route that takes a token and names a workspace (every such route is rate limited). */
const workspaceRoute = ["unauthorized", "forbidden", "workspace_not_found", "method_not_allowed", "rate_limited", "internal_error"] as const;
/** Refusals of reading a JSON body. */
const jsonBody = ["validation_failed", "malformed_json", "payload_too_large", "unsupported_media_type"] as const;
/** The database's rules for a message (private.validate_message). */
const messageRules = [
  "invalid_phone", "invalid_body", "invalid_media_urls", "invalid_metadata", "sender_not_allowed", "no_default_sender",
  "recipient_opted_out",
] as const;
const sendTimeRules = ["scheduled_time_in_past", "scheduled_time_too_far"] as const;
/** A message's retry policy overrides and expiry (validFor / expiresAt). */
const deliveryRules = ["invalid_retry_policy", "invalid_expiry"] as const;
const scheduleRules = ["invalid_cron", "invalid_timezone", "invalid_schedule"] as const;
/** A message made from a template (templateId + variables instead of body). */
const templateUse = ["template_not_found", "template_variable_missing", "template_invalid"] as const;
/** Refusals of the Idempotency-Key header, on every "keyed" route. */
export const idempotencyKeyErrors = ["invalid_idempotency_key", "idempotency_key_reused", "idempotency_request_in_progress"] as const;
const jobChange = [...workspaceRoute, ...jsonBody, ...idempotencyKeyErrors, "job_not_found", "invalid_transition"] as const;

export const apiRoutes = {
  "send-sms": {
    method: "POST",
    idempotency: "keyed",
    auth: "required",
    summary: "Send a message now (the job is queued for the next worker)",
    request: () => sendSmsRequestSchema,
    response: sendSmsResponseSchema,
    responseDescription: "Job created",
    errors: [...workspaceRoute, ...jsonBody, ...idempotencyKeyErrors, ...messageRules, ...deliveryRules, ...templateUse],
  },
  "schedule-delay": {
    method: "POST",
    idempotency: "keyed",
    auth: "required",
    summary: "Send a message after delayMinutes",
    request: () => scheduleDelayRequestSchema,
    response: scheduleResponseSchema,
    responseDescription: "Job scheduled",
    errors: [...workspaceRoute, ...jsonBody, ...idempotencyKeyErrors, ...messageRules, ...sendTimeRules, ...deliveryRules, ...templateUse],
  },
  "schedule-until": {
    method: "POST",
    idempotency: "keyed",
    auth: "required",
    summary: "Send a message at scheduledTime",
    request: scheduleUntilRequestSchema,
    response: scheduleResponseSchema,
    responseDescription: "Job scheduled (status queued if scheduledTime is now, within the clock-skew allowance)",
    errors: [...workspaceRoute, ...jsonBody, ...idempotencyKeyErrors, ...messageRules, ...sendTimeRules, ...deliveryRules, ...templateUse],
  },
  "schedule-recurring": {
    method: "POST",
    idempotency: "keyed",
    auth: "required",
    summary: "Send a message on a cron schedule in an IANA timezone",
    description: "Creates a recurring schedule. Its `jobId` (`sched_…`) works with cancel-job, pause-job, " +
      "resume-job and job-status. The cron expression names wall-clock times in `timezone` (the workspace's " +
      "unless given); the answer lists the next 5 run times with that timezone's offset. The database evaluates " +
      "the expression: one it refuses, or that never matches a date, answers 400 `invalid_cron`; an unknown " +
      "timezone 400 `invalid_timezone`; a window without any occurrence before endAt 400 `invalid_schedule`.",
    request: scheduleRecurringRequestSchema,
    response: scheduleRecurringResponseSchema,
    responseDescription: "Schedule created",
    errors: [...workspaceRoute, ...jsonBody, ...idempotencyKeyErrors, ...messageRules, ...scheduleRules, ...deliveryRules, ...templateUse],
  },
  "schedule-bulk": {
    method: "POST",
    idempotency: "keyed",
    auth: "required",
    summary: `Schedule one message to up to ${apiLimits.bulk_recipients_max} recipients, each personalised (a batch)`,
    description: "A body, or a template rendered for each recipient with the shared `variables` overridden by the " +
      "recipient's own; a recipient's metadata is merged over the shared metadata. Sent now, after delayMinutes, or at " +
      "scheduledTime. Each recipient is checked on its own: an invalid number, an opted-out recipient, a missing or " +
      "undeclared variable, a rendered body that is blank or too long, or a number an earlier recipient has " +
      "(`duplicate_recipient`) refuses that recipient, named in its item; the others are scheduled in one transaction " +
      "(`atomic: true`: any refusal answers 400 `batch_rejected` with the items in `error.details.items`, and nothing " +
      "is created). The answer's items are in the request's order. The batch id (`batch_…`) works with batch-status, " +
      `jobs?batchId= and cancel-job. Request bodies up to ${apiLimits.bulk_request_body_max_bytes} bytes (413 above).`,
    request: scheduleBulkRequestSchema,
    requestBodyMaxBytes: apiLimits.bulk_request_body_max_bytes,
    response: scheduleBulkResponseSchema,
    responseDescription: "The batch: every recipient's job or error, in the request's order",
    errors: [...workspaceRoute, ...jsonBody, ...idempotencyKeyErrors, ...messageRules, ...sendTimeRules, ...deliveryRules, ...templateUse, "batch_rejected"],
    errorNotes: { 400: "The request itself (a field, the shared values, the sender), or atomic with a refused recipient (batch_rejected)" },
  },
  "batch-status": {
    method: "GET",
    auth: "required",
    summary: "A schedule-bulk batch: its jobs by status and by delivery status",
    request: () => batchStatusQuerySchema,
    response: batchStatusResponseSchema,
    responseDescription: "The batch",
    errors: [...workspaceRoute, "validation_failed", "batch_not_found"],
  },
  "cancel-job": {
    method: "POST",
    idempotency: "keyed",
    auth: "required",
    summary: "Cancel a queued, scheduled or retrying job, or a recurring schedule (cancelling a cancelled one succeeds again)",
    description: "A schedule's id (`sched_…`) cancels the schedule for good (status `cancelled`) and its pending " +
      "occurrences; an ended schedule answers 409 `invalid_transition`. A batch's id (`batch_…`) cancels the batch's " +
      "pending jobs (those sent or failed stay as they are) and answers how many (`cancelled`; 0 when repeated).",
    request: () => cancelJobRequestSchema,
    response: cancelJobResponseSchema,
    responseDescription: "The job is cancelled",
    errors: [...jobChange, "batch_not_found"],
    errorNotes: { 409: "The job is processing or finished, or the schedule ended" },
  },
  "retry-job": {
    method: "POST",
    idempotency: "keyed",
    auth: "required",
    summary: "Retry a failed job (a new attempt now or at scheduledTime), or a batch's failed jobs",
    description: "The job's events are kept and its attempts start again under the retry policy recorded on it. " +
      "Only a failed job can be retried (409 `invalid_transition`). An opted-out recipient answers 409 " +
      "`recipient_opted_out` and a job that failed with a permanent number error (21211, 21614, 21610, …) 409 " +
      "`permanent_number_error`, unless `force: true`, which only owners and admins may give (403 `forbidden` " +
      "for members). An expired job needs a new expiry (`validFor` or `expiresAt`; 400 `invalid_expiry`). " +
      "A batch id (`batch_…`) retries the batch's failed jobs in one statement and answers how many (`retried`) " +
      "and how many it left (`skipped`: opted out, permanent number error, or expired without a new expiry).",
    request: retryJobRequestSchema,
    response: retryJobResponseSchema,
    responseDescription: "The new attempt is scheduled",
    errors: [...jobChange, ...sendTimeRules, "invalid_expiry", "recipient_opted_out", "permanent_number_error", "batch_not_found"],
    errorNotes: {
      403: "Not a writer of the workspace, or `force` from a member or viewer",
      409: "The job is not failed, the recipient opted out, or it failed with a permanent number error (without force)",
    },
  },
  "retry-policy": {
    method: "GET",
    auth: "required",
    summary: "The workspace's retry policy: its overrides per error class and what new messages get",
    request: () => retryPolicyQuerySchema,
    response: retryPolicyResponseSchema,
    responseDescription: "The retry policy",
    errors: [...workspaceRoute, "validation_failed"],
  },
  "update-retry-policy": {
    method: "POST",
    idempotency: "keyed",
    auth: "required",
    summary: "Replace the workspace's retry policy overrides (owners and admins)",
    description: "Per error class (rateLimited, serverError, carrier): {maxAttempts, backoff, baseSeconds, maxSeconds, " +
      "jitter}, each optional; `{}` restores the defaults (max_retries + 1 attempts, exponential from " +
      "retry_base_seconds to retry_max_seconds, jitter). Jobs already created keep the policy they recorded.",
    request: () => updateRetryPolicyRequestSchema,
    response: retryPolicyResponseSchema,
    responseDescription: "The retry policy now",
    errors: [...workspaceRoute, ...jsonBody, ...idempotencyKeyErrors, "invalid_retry_policy"],
    errorNotes: { 403: "Not an owner or admin of the workspace" },
  },
  "senders": {
    method: "GET",
    auth: "required",
    summary: "The workspace's senders: configured rate, backlog due now and the time to drain it",
    description: "Each sender is paced at its rate in message segments per second (null rate: its kind's default, " +
      "long code 1, toll-free 3, short code 100, Messaging Service 1). The backlog is what is due now and waiting " +
      "for the sender; drainSeconds is its segments at the rate (plus the wait for the next free slot).",
    request: () => sendersQuerySchema,
    response: sendersResponseSchema,
    responseDescription: "The senders",
    errors: [...workspaceRoute, "validation_failed"],
  },
  "update-sender": {
    method: "POST",
    idempotency: "keyed",
    auth: "required",
    summary: "Set a sender's rate in message segments per second and/or its country (owners and admins)",
    description: "A rate applies to send slots given from now on; slots already given are kept; null restores the " +
      "kind's default. A country takes part in geo-match (messages without fromNumber go to a sender of the " +
      "recipient's country first); null derives it from the number again. 400 `sender_not_allowed` when the sender " +
      "is not one of the workspace's, `invalid_country` for a code the service does not know.",
    request: () => updateSenderRequestSchema,
    response: sendersResponseSchema,
    responseDescription: "The senders now",
    errors: [...workspaceRoute, ...jsonBody, ...idempotencyKeyErrors, "sender_not_allowed", "invalid_country"],
    errorNotes: { 403: "Not an owner or admin of the workspace" },
  },
  "sending-limits": {
    method: "GET",
    auth: "required",
    summary: "The workspace's daily message cap and today's usage in its local day",
    request: () => sendingLimitsQuerySchema,
    response: sendingLimitsResponseSchema,
    responseDescription: "The daily cap and usage",
    errors: [...workspaceRoute, "validation_failed"],
  },
  "update-sending-limits": {
    method: "POST",
    idempotency: "keyed",
    auth: "required",
    summary: "Set the workspace's daily message cap (owners and admins); null turns it off",
    description: "First attempts are counted per local day (the workspace's timezone) when they are sent; past the " +
      "cap, due messages wait for the next local midnight with status reason `daily_cap` (an event in their " +
      "timeline), never failed. Retries are not counted again.",
    request: () => updateSendingLimitsRequestSchema,
    response: sendingLimitsResponseSchema,
    responseDescription: "The daily cap and usage now",
    errors: [...workspaceRoute, ...jsonBody, ...idempotencyKeyErrors],
    errorNotes: { 403: "Not an owner or admin of the workspace" },
  },
  "quiet-hours": {
    method: "GET",
    auth: "required",
    summary: "The workspace's quiet hours: the local window marketing messages are sent in",
    request: () => quietHoursQuerySchema,
    response: quietHoursResponseSchema,
    responseDescription: "The quiet-hours window and the messages waiting for it",
    errors: [...workspaceRoute, "validation_failed"],
  },
  "update-quiet-hours": {
    method: "POST",
    idempotency: "keyed",
    auth: "required",
    summary: "Turn quiet hours on or off and set the window (owners and admins)",
    description: "While on, a marketing message (category) due outside the window — read in the recipient's " +
      "timezone when their country has one, else the workspace's — waits for its next opening: at creation its " +
      "scheduledTime moves (requestedTime keeps what was asked), later (a retry, a window changed since) its next " +
      "attempt does; status reason `quiet_hours` and an event say so. One that would expire first is cancelled " +
      "(`quiet_hours_expired`). Transactional messages are never held. Off by default, 08:00-21:00.",
    request: () => updateQuietHoursRequestSchema,
    response: quietHoursResponseSchema,
    responseDescription: "The quiet hours now",
    errors: [...workspaceRoute, ...jsonBody, ...idempotencyKeyErrors, "invalid_quiet_hours"],
    errorNotes: { 403: "Not an owner or admin of the workspace" },
  },
  "rate-limits": {
    method: "GET",
    auth: "required",
    summary: "The workspace's API rate limits (defaults, its overrides, those in force) and what is left of the caller's budgets",
    description: "Every authenticated request is charged to its caller's budget in the workspace it names: POST " +
      "requests to `writes`, GET requests to `reads`, and schedule-bulk also its recipients to `bulk-recipients`. " +
      "Each budget is a quota spent at once (the burst) and refilled at the rate; answers carry `RateLimit-Policy` " +
      "and `RateLimit`, and a request over a budget answers 429 `rate_limited` with `Retry-After` (nothing is done). " +
      "This request is a read like any other; the usage shown is after it.",
    request: () => rateLimitsQuerySchema,
    response: rateLimitsResponseSchema,
    responseDescription: "The limits and the caller's usage",
    errors: [...workspaceRoute, "validation_failed"],
  },
  "update-rate-limits": {
    method: "POST",
    idempotency: "keyed",
    auth: "required",
    summary: "Change the workspace's API rate limits (owners and the service role)",
    description: "Only the limits named change; `null` restores a limit's default. Each is a whole number from 1 to " +
      `its maximum (rates ${databaseLimits.api_rate_per_second_max}/s, bursts ${databaseLimits.api_burst_max}, ` +
      `recipients ${databaseLimits.api_bulk_recipients_per_minute_max} per minute or at once); anything else answers ` +
      "400 `invalid_rate_limits` and changes nothing. In force from the next request.",
    request: () => updateRateLimitsRequestSchema,
    response: rateLimitsResponseSchema,
    responseDescription: "The limits now",
    errors: [...workspaceRoute, ...jsonBody, ...idempotencyKeyErrors, "invalid_rate_limits"],
    errorNotes: { 403: "Not an owner of the workspace" },
  },
  "regions": {
    method: "GET",
    auth: "required",
    summary: "The workspace's regions: Twilio's processing region and edge, and the Trigger.dev region of its sends",
    description: "With the Twilio API host its sends go to, what a null setting means and the values each setting accepts.",
    request: () => regionsQuerySchema,
    response: regionsResponseSchema,
    responseDescription: "The regions",
    errors: [...workspaceRoute, "validation_failed"],
  },
  "update-regions": {
    method: "POST",
    idempotency: "keyed",
    auth: "required",
    summary: "Change the workspace's Twilio region and edge and its Trigger.dev region (owners and admins)",
    description: "Only the settings named change; `null` restores a setting's default. A Twilio region or edge Twilio does " +
      "not have, a region other than us1 without an edge (Twilio no longer answers on api.{region}.twilio.com), or a " +
      "Trigger.dev region that is not a region id answers 400 `invalid_region` and changes nothing. Sends use the new " +
      "Twilio host once a worker re-reads the workspace's account (within 30 s); dispatches from now on carry the " +
      "Trigger.dev region. The workspace's Twilio credentials must be valid in its region.",
    request: () => updateRegionsRequestSchema,
    response: regionsResponseSchema,
    responseDescription: "The regions now",
    errors: [...workspaceRoute, ...jsonBody, ...idempotencyKeyErrors, "invalid_region"],
    errorNotes: { 403: "Not an owner or admin of the workspace" },
  },
  "pause-job": {
    method: "POST",
    idempotency: "keyed",
    auth: "required",
    summary: "Pause a recurring schedule (pausing a paused schedule succeeds again)",
    description: "Nothing is sent while paused; occurrences already materialised for after now are cancelled. " +
      "A one-off job id answers 409 `invalid_transition` (use cancel-job); a cancelled or ended schedule " +
      "answers 409 `invalid_transition`.",
    request: () => pauseJobRequestSchema,
    response: scheduleTransitionResponseSchema,
    responseDescription: "The schedule is paused",
    errors: jobChange,
    errorNotes: { 409: "A one-off job, or a cancelled or ended schedule" },
  },
  "resume-job": {
    method: "POST",
    idempotency: "keyed",
    auth: "required",
    summary: "Resume a paused recurring schedule (resuming an active schedule succeeds again)",
    description: "Continues from the first occurrence after now: paused time is not back-filled. If no " +
      "occurrence is left (endAt passed, maxOccurrences reached) the schedule ends (status `ended`). A one-off " +
      "job id, or a cancelled or ended schedule, answers 409 `invalid_transition`.",
    request: () => resumeJobRequestSchema,
    response: scheduleTransitionResponseSchema,
    responseDescription: "The schedule is active again (or ended, if nothing is left)",
    errors: jobChange,
    errorNotes: { 409: "A one-off job, or a cancelled or ended schedule" },
  },
  "job-status": {
    method: "GET",
    auth: "required",
    summary: "One job's status, or a recurring schedule's (id sched_…)",
    request: () => jobStatusQuerySchema,
    response: jobStatusResponseSchema,
    responseDescription: "The job (kind job) or the schedule (kind recurring)",
    errors: [...workspaceRoute, "validation_failed", "job_not_found"],
  },
  "jobs": {
    method: "GET",
    auth: "required",
    summary: "A workspace's jobs and/or recurring schedules, latest first, in pages",
    description: "Jobs sort by scheduledTime, schedules by startAt (newest first, ties by id); from/to bound " +
      "that time. By default (kind=job) only jobs are listed, schedules' occurrences included.",
    request: () => jobsQuerySchema,
    response: jobsResponseSchema,
    responseDescription: "One page",
    errors: [...workspaceRoute, "validation_failed"],
  },
  "job-events": {
    method: "GET",
    auth: "required",
    summary: "A job's event log (every attempt, error, retry and delivery status), or a schedule's (id sched_…)",
    request: () => jobEventsQuerySchema,
    response: jobEventsResponseSchema,
    responseDescription: "The events, oldest first",
    errors: [...workspaceRoute, "validation_failed", "job_not_found"],
  },
  "stats": {
    method: "GET",
    auth: "required",
    summary: "A workspace's monitoring overview: jobs by status, overdue and retrying work, the sweep, " +
      "sent/delivered/failed per minute and per hour, failures by error code",
    description: "Read from rollups the database maintains as jobs change, so it answers in constant time " +
      "however many jobs the workspace has.",
    request: () => statsQuerySchema,
    response: statsResponseSchema,
    responseDescription: "The overview",
    errors: [...workspaceRoute, "validation_failed"],
  },
  "analytics": {
    method: "GET",
    auth: "required",
    summary: "Delivery analytics of a period: volume, delivery rate, failures by code, segments, cost, " +
      "send lag and delivery latency, opt-outs, by hour or local day, optionally per sender, template, batch or schedule",
    description: "Read from an hourly rollup the database maintains from the event log, so a period costs the " +
      "same however many messages it holds. Day buckets run from the workspace's local midnight to the next " +
      `(23 or 25 hours across a DST change); periods of at most ${apiLimits.analytics_daily_range_max_days} days ` +
      `by day and ${apiLimits.analytics_hourly_range_max_days} days by hour, within the last ` +
      `${databaseLimits.analytics_retention_days} days. A period out of bounds answers 400 \`validation_failed\` ` +
      "naming `from` or `to`.",
    request: analyticsQuerySchema,
    response: analyticsResponseSchema,
    responseDescription: "The figures",
    errors: [...workspaceRoute, "validation_failed"],
  },
  "workspaces": {
    method: "GET",
    auth: "required",
    summary: "The caller's workspaces, with its role and the workspace's timezone",
    request: () => workspacesQuerySchema,
    response: workspacesResponseSchema,
    responseDescription: "The workspaces",
    errors: ["unauthorized", "method_not_allowed", "rate_limited", "internal_error", "validation_failed"],
  },
  "create-template": {
    method: "POST",
    idempotency: "keyed",
    auth: "required",
    summary: "Create a message template (Liquid merge fields, declared variables)",
    description: "The body may use only its declared variables ({{ name }}), the filters default, upcase, downcase, " +
      "capitalize and truncate, and if / elsif / else: anything else answers 400 `template_invalid` naming it.",
    request: () => createTemplateRequestSchema,
    response: templateResponseSchema,
    responseDescription: "The template, version 1",
    errors: [...workspaceRoute, ...jsonBody, ...idempotencyKeyErrors, "template_invalid", "template_name_taken"],
  },
  "update-template": {
    method: "POST",
    idempotency: "keyed",
    auth: "required",
    summary: "Change a template's name, body or variables (a new version)",
    description: "Messages already created keep the body and version they were rendered with. An archived template " +
      "cannot change (404 `template_not_found`).",
    request: () => updateTemplateRequestSchema,
    response: templateResponseSchema,
    responseDescription: "The template, its version increased",
    errors: [...workspaceRoute, ...jsonBody, ...idempotencyKeyErrors, "template_not_found", "template_invalid", "template_name_taken"],
  },
  "archive-template": {
    method: "POST",
    idempotency: "keyed",
    auth: "required",
    summary: "Archive a template: no new message can use it (archiving again succeeds again)",
    request: () => archiveTemplateRequestSchema,
    response: templateResponseSchema,
    responseDescription: "The template, archived",
    errors: [...workspaceRoute, ...jsonBody, ...idempotencyKeyErrors, "template_not_found"],
  },
  "templates": {
    method: "GET",
    auth: "required",
    summary: "A workspace's templates, by name",
    request: () => templatesQuerySchema,
    response: templatesResponseSchema,
    responseDescription: "The templates",
    errors: [...workspaceRoute, "validation_failed"],
  },
  "preview-message": {
    method: "POST",
    // Creates nothing: nothing to deduplicate, and a viewer may preview.
    idempotency: "exempt",
    auth: "required",
    summary: "What a message would be: its text, encoding, SMS segments and missing variables; nothing is created",
    request: () => previewMessageRequestSchema,
    response: previewResponseSchema,
    responseDescription: "The preview",
    errors: [...workspaceRoute, ...jsonBody, "template_not_found", "template_invalid"],
  },
  "health": {
    method: "GET",
    auth: "none",
    summary: "Whether the API and its database answer (no token needed)",
    response: healthResponseSchema,
    responseDescription: "Healthy",
    errors: ["method_not_allowed", "service_unavailable"],
  },
  "opt-outs": {
    method: "GET",
    auth: "required",
    summary: "The numbers the workspace must not message, newest first, in pages, with the latest changes",
    description: "Any member may read. `phone` narrows the list (and the history) to one number. `history` lists " +
      "additions and removals (who, source, reason, the inbound message behind a keyword), newest first, " +
      `at most ${apiLimits.opt_out_history_max}.`,
    request: () => optOutsQuerySchema,
    response: optOutsResponseSchema,
    responseDescription: "One page of opt-outs",
    errors: [...workspaceRoute, "validation_failed"],
  },
  "add-opt-out": {
    method: "POST",
    idempotency: "keyed",
    auth: "required",
    summary: "Record that the workspace must not message a number: its pending messages are cancelled",
    description: "Owners, admins and members (not viewers). Pending messages to the number are cancelled (status " +
      "reason `recipient_opted_out`, an event each) and later sends to it answer 409 `recipient_opted_out`. A number " +
      "that already opted out answers 200 with `created: false` and changes nothing.",
    request: () => addOptOutRequestSchema,
    response: addOptOutResponseSchema,
    responseDescription: "The opt-out",
    errors: [...workspaceRoute, ...jsonBody, ...idempotencyKeyErrors],
  },
  "remove-opt-out": {
    method: "POST",
    idempotency: "keyed",
    auth: "required",
    summary: "Let the workspace message a number again (owners and admins, with a reason)",
    description: "The removal and its reason are kept in the history (GET opt-outs). Only owners, admins and the service " +
      "role (403 `forbidden` for members and viewers). A number without an opt-out answers 404 `opt_out_not_found`. " +
      "Messages cancelled by the opt-out stay cancelled.",
    request: () => removeOptOutRequestSchema,
    response: removeOptOutResponseSchema,
    responseDescription: "The opt-out is removed",
    errors: [...workspaceRoute, ...jsonBody, ...idempotencyKeyErrors, "opt_out_not_found"],
    errorNotes: { 403: "Not an owner or admin of the workspace" },
  },
  "inbound-messages": {
    method: "GET",
    auth: "required",
    summary: "Messages recipients sent to the workspace's senders, newest first, with the keyword action taken",
    description: "Received by the twilio-inbound function (Twilio's incoming-message webhook), once per MessageSid. " +
      "`action` is what the message asked for (opt_out, opt_in, help, none) and `effect` what it did.",
    request: () => inboundMessagesQuerySchema,
    response: inboundMessagesResponseSchema,
    responseDescription: "One page of inbound messages",
    errors: [...workspaceRoute, "validation_failed"],
  },
} as const satisfies Record<string, RouteContract>;

export type ApiRouteName = keyof typeof apiRoutes;
type ContractOf<N extends ApiRouteName> = (typeof apiRoutes)[N];

export type ApiMethod<N extends ApiRouteName> = ContractOf<N>["method"];
/** What a client sends: the request schema's input (undefined for routes without one). */
export type ApiRequest<N extends ApiRouteName> =
  ContractOf<N> extends { request: (now: Clock) => infer S extends z.ZodType } ? z.input<S> : undefined;
/** What a route handler receives: the request as parsed. */
export type ApiInput<N extends ApiRouteName> =
  ContractOf<N> extends { request: (now: Clock) => infer S extends z.ZodType } ? z.output<S> : undefined;
/** The `data` of the route's success envelope. */
export type ApiData<N extends ApiRouteName> = z.output<ContractOf<N>["response"]>["data"];

export function isApiRouteName(name: string): name is ApiRouteName {
  return Object.hasOwn(apiRoutes, name);
}

/** The routes that take an Idempotency-Key header. */
export type KeyedRouteName = { [N in ApiRouteName]: ContractOf<N> extends { idempotency: "keyed" } ? N : never }[ApiRouteName];
