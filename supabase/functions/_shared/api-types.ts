// Response shapes of the HTTP API as zod schemas: the spec's {success, data} envelope and each
// route's data, with the TypeScript types derived from them. openapi/openapi.yaml is generated
// from these (with api-schemas.ts and api-routes.ts); the API tests check every real response
// against that document. Responses are built by the routes, never parsed: strict objects here
// only make the document say that no other field appears.
import { z } from "zod";
import { apiErrorCodes, databaseErrorCodes, type ErrorCode } from "./error-codes.ts";
import {
  batchIdPrefix, type JobStatus, jobStatusSchema, messageCategorySchema, scheduleIdPrefix, scheduleStatusSchema, workspaceIdSchema,
} from "./api-schemas.ts";
import { databaseLimits } from "./limits.ts";
import { twilioEdges, twilioRegions } from "./regions.ts";

/** Version of the API contract, reported by GET health and in the OpenAPI document. */
export const apiVersion = "1.0.0";

/** How many next run times a schedule shows. */
const previewRuns = databaseLimits.recurring_preview_runs;

/** A time as the API shows it: ISO-8601 with the offset of the workspace's (or schedule's) timezone. */
const dateTimeSchema = z.string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?(Z|[+-]\d{2}:\d{2})$/)
  .meta({ id: "DateTime", description: "ISO-8601 with an offset; milliseconds only when non-zero" });

const scheduleIdSchema = z.string().regex(new RegExp(`^${scheduleIdPrefix}`)).meta({ description: "The schedule's id" });

/** The success envelope around a route's data. */
export function successEnvelope<Data extends z.ZodType>(data: Data) {
  return z.strictObject({ success: z.literal(true), data });
}

export type ApiSuccess<T> = z.output<ReturnType<typeof successEnvelope<z.ZodType<T>>>>;

export const fieldErrorSchema = z.strictObject({ field: z.string(), message: z.string() });
/** One bad field of a request, as reported in error.details.fields. */
export type FieldError = z.infer<typeof fieldErrorSchema>;

const errorCodes = [...Object.keys(apiErrorCodes), ...Object.keys(databaseErrorCodes)] as [ErrorCode, ...ErrorCode[]];

export const errorResponseSchema = z.strictObject({
  success: z.literal(false),
  error: z.strictObject({
    code: z.enum(errorCodes),
    message: z.string(),
    details: z.looseObject({ fields: z.array(fieldErrorSchema).optional() }).optional(),
    requestId: z.string().optional().meta({ description: "On 5xx answers; also in the X-Request-Id header" }),
  }),
}).meta({ id: "ErrorResponse" });

export type ApiErrorBody = z.output<typeof errorResponseSchema>;
export type ApiResponse<T> = ApiSuccess<T> | ApiErrorBody;

export const senderSelectionSchema = z.enum(["explicit", "geo_match", "sticky", "default"]).meta({
  id: "SenderSelection",
  description: "Why fromNumber was chosen: explicit (the request named it), geo_match (a sender of the recipient's " +
    "country), sticky (the sender of the recipient's last message), default (the workspace's default sender)",
});

export type SenderSelection = z.output<typeof senderSelectionSchema>;

/** Where and when a new message goes, and why: the sender chosen, its category, and quiet hours' move. */
const placementFields = {
  statusReason: z.string().nullable()
    .meta({ description: "quiet_hours when quiet hours moved the message to the window's opening; else null" }),
  requestedTime: dateTimeSchema.nullable()
    .meta({ description: "The time asked for, when quiet hours moved scheduledTime; else null" }),
  fromNumber: z.string(),
  senderSelection: senderSelectionSchema,
  category: messageCategorySchema,
};

export const sendSmsResultSchema = z.strictObject({
  jobId: z.string(),
  status: jobStatusSchema,
  messageId: z.string().meta({ description: "The job id (the Twilio SID appears in job-status as twilioSid once sent)" }),
  scheduledTime: dateTimeSchema.meta({
    description: "When the message is due: now (for a marketing message outside quiet hours, the window's opening), in the workspace's timezone",
  }),
  ...placementFields,
});
/** POST send-sms. `messageId` is the job id: the Twilio SID exists only once sent (see job-status). */
export type SendSmsResult = z.output<typeof sendSmsResultSchema>;

export const scheduleResultSchema = z.strictObject({
  jobId: z.string(),
  status: jobStatusSchema,
  scheduledTime: dateTimeSchema,
  ...placementFields,
});
/** POST schedule-delay and schedule-until. */
export type ScheduleResult = z.output<typeof scheduleResultSchema>;

export const scheduleRecurringResultSchema = z.strictObject({
  jobId: scheduleIdSchema,
  kind: z.literal("recurring"),
  workspaceId: workspaceIdSchema,
  status: scheduleStatusSchema,
  cron: z.string(),
  timezone: z.string().meta({ description: "IANA timezone the cron expression is read in (the workspace's unless given)" }),
  startAt: dateTimeSchema,
  endAt: dateTimeSchema.nullable(),
  maxOccurrences: z.int().min(1).nullable(),
  nextRun: dateTimeSchema.nullable().meta({ description: "The next run; null once nothing will run" }),
  nextRuns: z.array(dateTimeSchema).max(previewRuns)
    .meta({ description: "The next run times with the schedule timezone's offset, within endAt and maxOccurrences" }),
  fromNumber: z.string().meta({ description: "Every occurrence's sender (chosen once, when the schedule is created)" }),
  senderSelection: senderSelectionSchema,
  category: messageCategorySchema.meta({ description: "Every occurrence's category (marketing ones obey quiet hours)" }),
  createdTime: dateTimeSchema,
});
/**
 * POST schedule-recurring. `jobId` is the schedule's id (sched_…), which cancel-job, pause-job,
 * resume-job and job-status take. Times carry the schedule timezone's offset.
 */
export type ScheduleRecurringResult = z.output<typeof scheduleRecurringResultSchema>;

/** One error class's rule as in force (every field set). */
export const retryRuleViewSchema = z.strictObject({
  maxAttempts: z.int().min(1),
  backoff: z.enum(["exponential", "fixed"]),
  baseSeconds: z.number(),
  maxSeconds: z.number(),
  jitter: z.boolean(),
}).meta({ id: "RetryRuleInForce" });
/** A complete retry policy: every class's rule. */
export const retryPolicyViewSchema = z.strictObject({
  rateLimited: retryRuleViewSchema,
  serverError: retryRuleViewSchema,
  carrier: retryRuleViewSchema,
}).meta({ id: "RetryPolicy", description: "The rule of each error class: rateLimited (429 / 20429), serverError " +
  "(Twilio 5xx, timeouts, network errors), carrier (21611, 30001, 30003, 30008)" });
export type RetryPolicyView = z.output<typeof retryPolicyViewSchema>;

export const cancelJobResultSchema = z.strictObject({
  jobId: z.string(),
  status: z.literal("cancelled"),
  cancelled: z.int().min(0).optional()
    .meta({ description: "Batch ids (batch_…) only: how many pending jobs of the batch this request cancelled (0 when none was left)" }),
});
/** POST cancel-job: a job or a schedule, now cancelled; for a batch, its pending jobs and how many. */
export type CancelJobResult = z.output<typeof cancelJobResultSchema>;

export const retryJobResultSchema = z.strictObject({
  jobId: z.string(),
  status: z.literal("retrying"),
  nextAttemptTime: dateTimeSchema.nullable().meta({ description: "A job: when its new attempt is due; null for a batch" }),
  expiresTime: dateTimeSchema.nullable().meta({ description: "A job: its expiry now; null for a batch or without one" }),
  retried: z.int().min(0).optional()
    .meta({ description: "Batch ids (batch_…) only: how many failed jobs were retried" }),
  skipped: z.int().min(0).optional()
    .meta({ description: "Batch ids only: failed jobs not retried (opted out, permanent number error, or expired without a new expiry)" }),
});
/** POST retry-job: the job's new attempt, or how many of a batch's failed jobs were retried. */
export type RetryJobResult = z.output<typeof retryJobResultSchema>;

export const retryPolicySettingsSchema = z.strictObject({
  workspaceId: workspaceIdSchema,
  overrides: z.record(z.string(), z.record(z.string(), z.unknown()))
    .meta({ description: "The workspace's own overrides per class, as stored ({}: none)" }),
  effective: retryPolicyViewSchema.meta({ description: "What a new message gets unless it overrides it" }),
});
export type RetryPolicySettings = z.output<typeof retryPolicySettingsSchema>;

export const senderKindSchema = z.enum(["long_code", "toll_free", "short_code", "messaging_service"]);

export const senderViewSchema = z.strictObject({
  sender: z.string(),
  label: z.string().nullable(),
  kind: senderKindSchema,
  country: z.string().nullable().meta({
    description: "ISO 3166-1 alpha-2 country the sender texts from (derived from the number; set for a Messaging Service): " +
      "messages without a sender go to a sender of the recipient's country first",
  }),
  messagesPerSecond: z.number().positive().meta({ description: "Message segments per second the sender is paced at" }),
  defaultRate: z.boolean().meta({ description: "True when the rate is its kind's default (long code 1, toll-free 3, short code 100, Messaging Service 1)" }),
  backlog: z.strictObject({
    messages: z.int().min(0).meta({ description: "Messages due now and waiting for this sender" }),
    segments: z.int().min(0),
  }),
  drainSeconds: z.number().min(0).meta({ description: "Estimated seconds to send the backlog at the sender's rate" }),
  nextSlotTime: dateTimeSchema.nullable().meta({ description: "The sender's next free send slot, when it is in the future" }),
  isDefault: z.boolean().meta({ description: "The workspace's default sender (messages without fromNumber)" }),
});
export type SenderView = z.output<typeof senderViewSchema>;
export const sendersResultSchema = z.strictObject({ workspaceId: workspaceIdSchema, senders: z.array(senderViewSchema) });
/** GET senders and POST update-sender. */
export type SendersResult = z.output<typeof sendersResultSchema>;

export const sendingLimitsResultSchema = z.strictObject({
  workspaceId: workspaceIdSchema,
  dailyMessageCap: z.int().min(1).nullable().meta({ description: "Messages (first attempts) per local day; null: no cap" }),
  timezone: z.string(),
  localDay: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).meta({ description: "Today in the workspace's timezone" }),
  usedToday: z.int().min(0).meta({ description: "First attempts sent (claimed) today, local day" }),
  resetsTime: dateTimeSchema.meta({ description: "The next local midnight, when the count starts again" }),
  heldMessages: z.int().min(0).meta({ description: "Messages waiting for the next local day (status reason daily_cap)" }),
});
/** GET sending-limits and POST update-sending-limits. */
export type SendingLimitsResult = z.output<typeof sendingLimitsResultSchema>;

const timeOfDayViewSchema = z.string().regex(/^\d{2}:\d{2}$/);
export const quietHoursResultSchema = z.strictObject({
  workspaceId: workspaceIdSchema,
  enabled: z.boolean().meta({ description: "Marketing messages wait for the window (default false)" }),
  start: timeOfDayViewSchema.meta({ description: "Local time of day the window opens (default 08:00)" }),
  end: timeOfDayViewSchema.meta({ description: "Local time of day it closes, exclusive (default 21:00); before start: across midnight" }),
  workspaceTimezone: z.string().meta({
    description: "The clock for recipients whose country has several timezones or is unknown; others use their country's",
  }),
  heldMessages: z.int().min(0).meta({ description: "Messages waiting for the window now (status reason quiet_hours)" }),
});
/** GET quiet-hours and POST update-quiet-hours. */
export type QuietHoursResult = z.output<typeof quietHoursResultSchema>;
const rateLimitValuesSchema = z.strictObject({
  writeRatePerSecond: z.int(),
  writeBurst: z.int(),
  readRatePerSecond: z.int(),
  readBurst: z.int(),
  bulkRecipientsPerMinute: z.int(),
  bulkRecipientsBurst: z.int(),
}).meta({ id: "RateLimitValues" });

export const rateLimitUsageSchema = z.strictObject({
  policy: z.enum(["writes", "reads", "bulk-recipients"])
    .meta({ description: "As named in the RateLimit-Policy and RateLimit header fields" }),
  quota: z.int().meta({ description: "Requests (recipients) at once: the burst" }),
  windowSeconds: z.int().meta({ description: "Seconds a spent quota takes to refill" }),
  remaining: z.int().meta({ description: "What the caller may spend now" }),
  resetSeconds: z.int().meta({ description: "Seconds until the budget is full again" }),
}).meta({ id: "RateLimitUsage" });

export const rateLimitSettingsSchema = z.strictObject({
  workspaceId: workspaceIdSchema,
  limits: rateLimitValuesSchema.meta({ description: "The limits in force: the workspace's overrides over the defaults" }),
  defaults: rateLimitValuesSchema.meta({ description: "The service's defaults" }),
  overrides: rateLimitValuesSchema.partial().meta({ description: "The workspace's own values, as stored ({}: none)" }),
  maximums: rateLimitValuesSchema.meta({ description: "The largest value each limit may be set to" }),
  usage: z.array(rateLimitUsageSchema)
    .meta({ description: "The caller's budgets in this workspace now (each caller has its own), after this request" }),
});
/** GET rate-limits and POST update-rate-limits. */
export type RateLimitSettings = z.output<typeof rateLimitSettingsSchema>;

export const scheduleTransitionResultSchema = z.strictObject({
  jobId: scheduleIdSchema,
  status: scheduleStatusSchema,
  nextRun: dateTimeSchema.nullable().meta({ description: "Null unless active" }),
});
/** POST pause-job and resume-job: the schedule's status afterwards and its next run (null unless active). */
export type ScheduleTransitionResult = z.output<typeof scheduleTransitionResultSchema>;

export const messageTemplateRefSchema = z.strictObject({
  templateId: z.string(),
  version: z.int().min(1),
  variables: z.record(z.string(), z.string().nullable())
    .meta({ description: "Each declared variable's value as rendered (given, else its default; null: rendered as nothing)" }),
}).meta({ id: "MessageTemplateRef", description: "The template a message was rendered from, and with what" });
export type MessageTemplateRef = z.output<typeof messageTemplateRefSchema>;

const encodingSchema = z.enum(["GSM-7", "UCS-2"]).meta({ id: "SmsEncoding" });


export const jobViewSchema = z.strictObject({
  jobId: z.string(),
  kind: z.literal("job"),
  workspaceId: workspaceIdSchema,
  scheduleId: z.string().nullable().meta({ description: "The recurring schedule this job is an occurrence of; null for a one-off message" }),
  batchId: z.string().nullable().meta({ description: "The schedule-bulk batch the job was created in; null otherwise" }),
  status: jobStatusSchema,
  statusReason: z.string().nullable()
    .meta({ description: "Why the job is in its status, e.g. cancelled_by_user, retries_exhausted, quiet_hours, daily_cap; null if nothing to say" }),
  scheduledTime: dateTimeSchema,
  requestedTime: dateTimeSchema.nullable()
    .meta({ description: "The time asked for, when quiet hours moved scheduledTime to the window's opening; else null" }),
  category: messageCategorySchema,
  senderSelection: senderSelectionSchema.nullable().meta({ description: "Why fromNumber was chosen; null for jobs created before routing" }),
  completedTime: dateTimeSchema.nullable().meta({ description: "When Twilio accepted the message; null until then" }),
  messageStatus: z.string().nullable()
    .meta({ description: "Twilio's delivery status (queued, sent, delivered, undelivered, failed…); null before sending" }),
  twilioSid: z.string().nullable().meta({ description: "Twilio's message SID once sent" }),
  to: z.string(),
  fromNumber: z.string(),
  body: z.string(),
  template: messageTemplateRefSchema.nullable().meta({ description: "Null unless the body was rendered from a template" }),
  encoding: encodingSchema.nullable().meta({ description: "As counted at creation; null for a direct insert" }),
  segments: z.int().min(1).nullable().meta({ description: "SMS segments as counted at creation; null for a direct insert" }),
  twilioSegments: z.int().min(1).nullable().meta({ description: "The segments Twilio counted, once it reported them" }),
  mediaUrls: z.array(z.string()),
  metadata: z.record(z.string(), z.unknown()),
  attempts: z.int().min(0),
  maxAttempts: z.int().min(1),
  nextAttemptTime: dateTimeSchema.nullable()
    .meta({ description: "When the next attempt is due, for jobs still waiting (queued, scheduled, retrying)" }),
  expiresTime: dateTimeSchema.nullable()
    .meta({ description: "Not handed to Twilio at or after this time (then failed, reason expired); null: no expiry" }),
  retryPolicy: retryPolicyViewSchema.meta({ description: "The retry policy recorded when the job was created" }),
  lastError: z.strictObject({ code: z.string().nullable(), message: z.string().nullable() }).nullable(),
  createdTime: dateTimeSchema,
  updatedTime: dateTimeSchema,
}).meta({ id: "Job", description: "A message; times carry the workspace timezone's offset" });
/** GET job-status of a one-off job, and each job of GET jobs. Times carry the workspace timezone's offset. */
export type JobView = z.output<typeof jobViewSchema>;

const countSchema = z.int().min(0);

export const scheduleCountsSchema = z.strictObject({
  occurrences: countSchema.meta({ description: "Materialised as jobs (what maxOccurrences limits)" }),
  sent: countSchema.meta({ description: "Accepted by Twilio (job completed)" }),
  failed: countSchema,
  pending: countSchema.meta({ description: "Materialised and not yet sent: queued, scheduled, retrying or processing" }),
  cancelled: countSchema.meta({ description: "Materialised, then cancelled (the schedule was paused or cancelled)" }),
  missed: countSchema.meta({ description: "Not sent: reached too late after downtime" }),
  skipped: countSchema.meta({ description: "Not sent: the job was refused (opted out, sender not allowed)" }),
});
/** Occurrences of a schedule by outcome. */
export type ScheduleCounts = z.output<typeof scheduleCountsSchema>;

export const lastOccurrenceSchema = z.strictObject({
  time: dateTimeSchema,
  jobId: z.string(),
  status: jobStatusSchema,
  messageStatus: z.string().nullable(),
});
/** The latest occurrence materialised, with its job's status. */
export type LastOccurrence = z.output<typeof lastOccurrenceSchema>;

export const scheduleEndedReasonSchema = z.enum(["end_at", "max_occurrences", "no_more_occurrences"]);
export type ScheduleEndedReason = z.output<typeof scheduleEndedReasonSchema>;

export const scheduleViewSchema = z.strictObject({
  jobId: scheduleIdSchema,
  kind: z.literal("recurring"),
  workspaceId: workspaceIdSchema,
  status: scheduleStatusSchema,
  endedReason: scheduleEndedReasonSchema.nullable().meta({ description: "Why an ended schedule ended; otherwise null" }),
  cron: z.string(),
  timezone: z.string(),
  startAt: dateTimeSchema,
  endAt: dateTimeSchema.nullable(),
  maxOccurrences: z.int().min(1).nullable(),
  nextRun: dateTimeSchema.nullable().meta({ description: "The next run while active; null when paused, ended or cancelled" }),
  nextRuns: z.array(dateTimeSchema).max(previewRuns),
  counts: scheduleCountsSchema,
  lastOccurrence: lastOccurrenceSchema.nullable()
    .meta({ description: "The latest occurrence materialised, with its job's status; null before the first" }),
  to: z.string(),
  fromNumber: z.string(),
  body: z.string(),
  template: messageTemplateRefSchema.nullable(),
  encoding: encodingSchema.nullable(),
  segments: z.int().min(1).nullable(),
  mediaUrls: z.array(z.string()),
  metadata: z.record(z.string(), z.unknown()),
  retryPolicy: z.record(z.string(), z.record(z.string(), z.unknown())).nullable()
    .meta({ description: "Retry policy overrides each occurrence gets (resolved when it becomes a job); null: the workspace's" }),
  validFor: z.int().min(1).nullable().meta({ description: "Each occurrence expires this many seconds after its time; null: no expiry" }),
  createdTime: dateTimeSchema,
  updatedTime: dateTimeSchema,
}).meta({ id: "Schedule", description: "A recurring schedule; times carry its timezone's offset" });
/**
 * GET job-status of a schedule (sched_…), and each schedule of GET jobs (kind=recurring|all).
 * Times carry the schedule timezone's offset.
 */
export type ScheduleView = z.output<typeof scheduleViewSchema>;

export const jobOrScheduleSchema = z.discriminatedUnion("kind", [jobViewSchema, scheduleViewSchema]).meta({ id: "JobOrSchedule" });

export const jobsPageSchema = z.strictObject({
  jobs: z.array(jobOrScheduleSchema),
  nextCursor: z.string().nullable().meta({ description: "Pass it back as `cursor` for the next page; null on the last" }),
});
/**
 * GET jobs: newest first (jobs by scheduledTime, schedules by startAt); pass nextCursor back as
 * `cursor` for the next page. Only JobView entries unless kind=recurring or kind=all.
 */
export type JobsPage = z.output<typeof jobsPageSchema>;

export const healthResultSchema = z.strictObject({
  status: z.literal("ok"),
  database: z.literal("reachable"),
  version: z.string(),
  time: z.string().meta({ format: "date-time", description: "The database's clock, in UTC" }),
});
/** GET health. */
export type HealthResult = z.output<typeof healthResultSchema>;

export const workspaceRoleSchema = z.enum(["owner", "admin", "member", "viewer"]).meta({ id: "WorkspaceRole" });
export type WorkspaceRole = z.output<typeof workspaceRoleSchema>;

export const workspaceViewSchema = z.strictObject({
  workspaceId: workspaceIdSchema,
  name: z.string(),
  role: workspaceRoleSchema.nullable().meta({ description: "The caller's role; null for the service role" }),
  canWrite: z.boolean().meta({ description: "Whether the caller may send, schedule, pause, resume and cancel here" }),
  timezone: z.string().meta({ description: "IANA timezone: the API's times for this workspace carry its offset" }),
}).meta({ id: "Workspace" });
export type WorkspaceView = z.output<typeof workspaceViewSchema>;

export const workspacesResultSchema = z.strictObject({
  workspaces: z.array(workspaceViewSchema).meta({ description: "By name; every workspace for the service role" }),
});
/** GET workspaces: the caller's workspaces and role in each. */
export type WorkspacesResult = z.output<typeof workspacesResultSchema>;

export const jobEventSchema = z.strictObject({
  eventId: z.int().min(1),
  type: z.string().meta({
    description: "Jobs: created, claimed, retry_scheduled, completed, failed, cancelled, message_status, " +
      "duplicate_send, duplicate_message_status, daily_cap, quiet_hours. Schedules: created, occurrences_missed, occurrence_skipped, " +
      "paused, resumed, cancelled, ended, materialise_failed",
  }),
  time: dateTimeSchema,
  fromStatus: z.string().nullable().meta({ description: "Jobs: the status before (null for created)" }),
  toStatus: z.string().nullable().meta({ description: "Jobs: the status after" }),
  attempt: z.int().min(0).nullable().meta({ description: "Jobs: the attempt it concerns" }),
  errorCode: z.string().nullable(),
  errorMessage: z.string().nullable(),
  errorMeaning: z.string().nullable().meta({ description: "What errorCode means, where known" }),
  occurrenceTime: dateTimeSchema.nullable().meta({ description: "Schedules: the occurrence it concerns" }),
  details: z.record(z.string(), z.unknown())
    .meta({ description: "The rest of what was recorded: Twilio SID and delivery status, retry time, lease, reason…" }),
}).meta({ id: "JobEvent" });
export type JobEventView = z.output<typeof jobEventSchema>;

export const jobEventsResultSchema = z.strictObject({
  jobId: z.string(),
  kind: z.enum(["job", "recurring"]),
  events: z.array(jobEventSchema).meta({ description: "Oldest first; the latest ones when truncated" }),
  truncated: z.boolean().meta({ description: "True when older events were left out" }),
});
/** GET job-events: the event log of a job, or of a schedule. */
export type JobEventsResult = z.output<typeof jobEventsResultSchema>;

export const activityBucketSchema = z.strictObject({
  time: dateTimeSchema.meta({ description: "Start of the bucket" }),
  sent: countSchema.meta({ description: "Accepted by Twilio" }),
  delivered: countSchema.meta({ description: "Reported delivered by Twilio" }),
  failed: countSchema.meta({ description: "Failed: ours (retries exhausted, permanent errors) and Twilio's (undelivered, failed)" }),
}).meta({ id: "ActivityBucket" });
export type ActivityBucket = z.output<typeof activityBucketSchema>;

export const statsResultSchema = z.strictObject({
  workspaceId: workspaceIdSchema,
  time: dateTimeSchema.meta({ description: "When these figures were read" }),
  counts: z.strictObject(Object.fromEntries(jobStatusSchema.options.map((status) => [status, countSchema])) as
    Record<JobStatus, typeof countSchema>).meta({ description: "Jobs by status, now" }),
  oldestOverdue: z.strictObject({
    time: dateTimeSchema.meta({ description: "When the oldest pending job was due" }),
    ageSeconds: z.number().min(0),
  }).nullable().meta({ description: "The pending job longest past its due time; null when none is overdue" }),
  retriesPending: countSchema.meta({ description: "Jobs waiting for a retry" }),
  failuresLastHour: countSchema,
  sweep: z.strictObject({
    lastRunTime: dateTimeSchema.nullable().meta({ description: "When the pg_cron sweep last finished" }),
    healthy: z.boolean().meta({ description: "Whether it finished within the last few minutes (it runs every minute)" }),
  }),
  perMinute: z.array(activityBucketSchema).meta({ description: "The last 60 minutes, oldest first" }),
  perHour: z.array(activityBucketSchema).meta({ description: "The last 7 days (168 hours), oldest first" }),
  failuresByCode: z.array(z.strictObject({
    code: z.string(),
    count: z.int().min(1),
    share: z.number().min(0).max(1).meta({ description: "Of all failures in the period" }),
    meaning: z.string().nullable(),
  })).meta({ description: "Failures of the last 7 days by error code, most first" }),
});
/** GET stats: a workspace's monitoring overview, from incrementally maintained rollups. */
export type StatsResult = z.output<typeof statsResultSchema>;

const percentileSchema = z.int().min(0).nullable();
const rateSchema = z.number().min(0).max(1).nullable();

/** The figures of GET analytics, for the whole period, one bucket or one group. */
export const analyticsFiguresSchema = z.strictObject({
  attempted: countSchema.meta({ description: "Sends that ended: accepted by Twilio or given up by us (automatic retries count once; a manual retry-job is a new attempt; an expiry is a failure, not an attempt)" }),
  sent: countSchema.meta({ description: "Accepted by Twilio" }),
  delivered: countSchema.meta({ description: "Reported delivered by Twilio" }),
  undelivered: countSchema.meta({ description: "Reported undelivered by Twilio" }),
  failed: countSchema.meta({ description: "failedOurs + failedTwilio" }),
  failedOurs: countSchema.meta({ description: "Given up by us: retries exhausted or a permanent error before Twilio accepted it" }),
  failedTwilio: countSchema.meta({ description: "Accepted, then reported failed by Twilio" }),
  cancelled: countSchema,
  deliveryRate: rateSchema.meta({ description: "delivered / (delivered + undelivered + failed); null when all are 0" }),
  segments: countSchema.meta({ description: "SMS segments of the messages sent (as counted when they were created)" }),
  ucs2SegmentShare: rateSchema.meta({ description: "Share of those segments in UCS-2 (non-GSM characters: 70 per segment); null without segments" }),
  cost: z.array(z.strictObject({
    currency: z.string().regex(/^[A-Z]{3}$/),
    amount: z.number().min(0).meta({ description: "Sum of Twilio's prices (as a positive amount)" }),
  })).meta({ description: "Per currency, where Twilio reported a price (status callback or the send's answer)" }),
  sendLagMs: z.strictObject({ p50: percentileSchema, p95: percentileSchema, max: percentileSchema }).meta({
    description: "Scheduled time -> accepted by Twilio: the scheduler's punctuality. Percentiles from log-scale " +
      "histograms (within 19%, rounded up); max exact. null without sends",
  }),
  latencyMs: z.strictObject({ p50: percentileSchema, p95: percentileSchema }).meta({
    description: "Accepted by Twilio -> reported delivered (within 19%, rounded up); null without deliveries",
  }),
  optOuts: countSchema.nullable().meta({ description: "Recipients who opted out in the period; null in groups (not attributable)" }),
  optOutRate: rateSchema.meta({ description: "optOuts / sent; null without sends or in groups" }),
  stuck: countSchema.meta({ description: "Accepted more than 24 hours ago and still without a final status from Twilio" }),
}).meta({ id: "AnalyticsFigures" });
export type AnalyticsFigures = z.output<typeof analyticsFiguresSchema>;

export const failureByCodeSchema = z.strictObject({
  code: z.string(),
  count: z.int().min(1),
  share: z.number().min(0).max(1).meta({ description: "Of all failures (ours, undelivered, Twilio's failed) in the period or group" }),
  meaning: z.string().nullable(),
}).meta({ id: "FailureByCode" });

export const analyticsResultSchema = z.strictObject({
  workspaceId: workspaceIdSchema,
  timezone: z.string().meta({ description: "The workspace's timezone: day buckets are its local days" }),
  granularity: z.enum(["hour", "day"]),
  from: dateTimeSchema.meta({ description: "Start of the first bucket" }),
  to: dateTimeSchema.meta({ description: "End of the last bucket (exclusive)" }),
  totals: analyticsFiguresSchema,
  buckets: z.array(analyticsFiguresSchema.extend({ time: dateTimeSchema.meta({ description: "Start of the bucket" }) }))
    .meta({ description: "Every bucket of the period, oldest first, empty ones included" }),
  failuresByCode: z.array(failureByCodeSchema).meta({ description: "Failures of the period by error code, most first" }),
  groupBy: z.enum(["sender", "template", "batch", "schedule"]).nullable(),
  groups: z.array(z.strictObject({
    key: z.string().nullable().meta({ description: "The sender, template id, batch id or schedule id; null: messages without one" }),
    totals: analyticsFiguresSchema,
    failuresByCode: z.array(failureByCodeSchema),
  })).meta({ description: "With groupBy: each group's totals, most attempted first; empty otherwise" }),
});
/** GET analytics: delivery figures of a period, from the hourly rollup. */
export type AnalyticsResult = z.output<typeof analyticsResultSchema>;

export const templateViewSchema = z.strictObject({
  templateId: z.string(),
  workspaceId: workspaceIdSchema,
  name: z.string(),
  body: z.string(),
  variables: z.array(z.strictObject({ name: z.string(), required: z.boolean(), default: z.string().nullable() })),
  version: z.int().min(1).meta({ description: "Increases on every change of name, body or variables" }),
  archived: z.boolean(),
  createdTime: dateTimeSchema,
  updatedTime: dateTimeSchema,
}).meta({ id: "Template" });
export type TemplateView = z.output<typeof templateViewSchema>;

export const templatesResultSchema = z.strictObject({
  templates: z.array(templateViewSchema).meta({ description: "By name" }),
});
export type TemplatesResult = z.output<typeof templatesResultSchema>;

export const previewResultSchema = z.strictObject({
  body: z.string().meta({ description: "The text that would be sent" }),
  characters: countSchema.meta({ description: "Characters as a reader sees them" }),
  encoding: encodingSchema,
  segments: countSchema.meta({ description: "SMS segments, as Twilio counts them" }),
  nonGsmCharacters: z.array(z.string()).meta({ description: "The characters that make it UCS-2" }),
  missingVariables: z.array(z.string()).meta({ description: "Required variables without a value or default: a send would be refused" }),
  warnings: z.array(z.string()),
  template: messageTemplateRefSchema.nullable(),
}).meta({ id: "Preview" });
/** POST preview-message. */
export type PreviewResult = z.output<typeof previewResultSchema>;

const batchIdResultSchema = z.string().regex(new RegExp(`^${batchIdPrefix}`)).meta({ description: "The batch's id" });

export const bulkItemSchema = z.strictObject({
  index: z.int().min(0).meta({ description: "The recipient's position in the request's recipients" }),
  to: z.string().meta({ description: "The number as E.164, or as given when it is not a valid number" }),
  jobId: z.string().nullable().meta({ description: "The job scheduled for this recipient; null when refused" }),
  error: z.strictObject({
    code: z.enum(errorCodes).meta({
      description: "validation_failed (not a valid number; a variable the template does not declare), recipient_opted_out, " +
        "template_variable_missing, template_invalid, invalid_body (the rendered body is blank or too long), " +
        "invalid_metadata (the merged metadata is too large), duplicate_recipient (an earlier recipient has this number)",
    }),
    message: z.string(),
  }).optional().meta({ description: "Why this recipient was refused; absent when scheduled" }),
}).meta({ id: "BulkItem" });
/** One recipient's outcome in schedule-bulk: its job, or why it was refused. */
export type BulkItem = z.output<typeof bulkItemSchema>;

export const scheduleBulkResultSchema = z.strictObject({
  batchId: batchIdResultSchema,
  accepted: countSchema.meta({ description: "Recipients scheduled (one job each)" }),
  rejected: countSchema.meta({ description: "Recipients refused (their items carry the error)" }),
  scheduledTime: dateTimeSchema.meta({ description: "When the batch's messages are due, in the workspace's timezone" }),
  items: z.array(bulkItemSchema).meta({ description: "One per recipient, in the request's order" }),
});
/** POST schedule-bulk. */
export type ScheduleBulkResult = z.output<typeof scheduleBulkResultSchema>;

export const batchStatusResultSchema = z.strictObject({
  batchId: batchIdResultSchema,
  workspaceId: workspaceIdSchema,
  createdTime: dateTimeSchema,
  createdBy: z.string().nullable().meta({ description: "The user who created it; null for the service role" }),
  scheduledTime: dateTimeSchema,
  template: z.strictObject({ templateId: z.string(), version: z.int().min(1) }).nullable()
    .meta({ description: "The template its bodies were rendered from; null for a plain body" }),
  metadata: z.record(z.string(), z.unknown()).meta({ description: "The shared metadata of the request" }),
  accepted: countSchema.meta({ description: "Recipients scheduled when the batch was created" }),
  rejected: countSchema.meta({ description: "Recipients refused when the batch was created" }),
  total: countSchema.meta({ description: "The batch's jobs now" }),
  counts: z.strictObject(Object.fromEntries(jobStatusSchema.options.map((status) => [status, countSchema])) as
    Record<JobStatus, typeof countSchema>).meta({ description: "The batch's jobs by status" }),
  messageStatuses: z.record(z.string(), countSchema).meta({
    description: "The batch's jobs by Twilio delivery status (queued, sent, delivered, undelivered, failed…); " +
      "`none`: no delivery status yet (not sent, or Twilio has not reported)",
    examples: [{ none: 2, delivered: 7, undelivered: 1 }],
  }),
});
/** GET batch-status: a schedule-bulk batch's jobs by status and by delivery status. */
export type BatchStatusResult = z.output<typeof batchStatusResultSchema>;

// The envelope of each route's answer, named as in the OpenAPI document.
export const sendSmsResponseSchema = successEnvelope(sendSmsResultSchema).meta({ id: "SendSmsResponse" });
export const scheduleResponseSchema = successEnvelope(scheduleResultSchema).meta({ id: "ScheduleResponse" });
export const scheduleRecurringResponseSchema = successEnvelope(scheduleRecurringResultSchema)
  .meta({ id: "ScheduleRecurringResponse" });
export const cancelJobResponseSchema = successEnvelope(cancelJobResultSchema).meta({ id: "CancelJobResponse" });
export const scheduleTransitionResponseSchema = successEnvelope(scheduleTransitionResultSchema)
  .meta({ id: "ScheduleTransitionResponse" });
export const jobStatusResponseSchema = successEnvelope(jobOrScheduleSchema).meta({ id: "JobStatusResponse" });
export const jobsResponseSchema = successEnvelope(jobsPageSchema).meta({ id: "JobsResponse" });
export const healthResponseSchema = successEnvelope(healthResultSchema).meta({ id: "HealthResponse" });
export const workspacesResponseSchema = successEnvelope(workspacesResultSchema).meta({ id: "WorkspacesResponse" });
export const jobEventsResponseSchema = successEnvelope(jobEventsResultSchema).meta({ id: "JobEventsResponse" });
export const statsResponseSchema = successEnvelope(statsResultSchema).meta({ id: "StatsResponse" });
export const analyticsResponseSchema = successEnvelope(analyticsResultSchema).meta({ id: "AnalyticsResponse" });
export const templateResponseSchema = successEnvelope(templateViewSchema).meta({ id: "TemplateResponse" });
export const templatesResponseSchema = successEnvelope(templatesResultSchema).meta({ id: "TemplatesResponse" });
export const previewResponseSchema = successEnvelope(previewResultSchema).meta({ id: "PreviewResponse" });
export const scheduleBulkResponseSchema = successEnvelope(scheduleBulkResultSchema).meta({ id: "ScheduleBulkResponse" });
export const batchStatusResponseSchema = successEnvelope(batchStatusResultSchema).meta({ id: "BatchStatusResponse" });
export const retryJobResponseSchema = successEnvelope(retryJobResultSchema).meta({ id: "RetryJobResponse" });
export const retryPolicyResponseSchema = successEnvelope(retryPolicySettingsSchema).meta({ id: "RetryPolicyResponse" });
export const sendersResponseSchema = successEnvelope(sendersResultSchema).meta({ id: "SendersResponse" });
export const sendingLimitsResponseSchema = successEnvelope(sendingLimitsResultSchema).meta({ id: "SendingLimitsResponse" });
export const quietHoursResponseSchema = successEnvelope(quietHoursResultSchema).meta({ id: "QuietHoursResponse" });

export const rateLimitsResponseSchema = successEnvelope(rateLimitSettingsSchema).meta({ id: "RateLimitsResponse" });

// Opt-outs and inbound messages (issue 15) ------------------------------------------------------------

export const optOutSourceSchema = z.enum(["manual", "twilio_21610", "stop_keyword", "api"]).meta({
  id: "OptOutSource",
  description: "manual: inserted directly by a member or the service role; twilio_21610: Twilio refused a send because " +
    "the recipient had replied STOP; stop_keyword: the recipient's STOP (or another opt-out keyword) reached twilio-inbound; " +
    "api: POST add-opt-out",
});

export const optOutViewSchema = z.strictObject({
  phone: z.string().meta({ description: "E.164" }),
  source: optOutSourceSchema,
  reason: z.string().nullable(),
  createdTime: dateTimeSchema,
  createdBy: z.string().nullable().meta({ description: "The user who recorded it (null: the service, Twilio or the recipient)" }),
}).meta({ id: "OptOut" });
export type OptOutView = z.output<typeof optOutViewSchema>;

export const optOutEventViewSchema = z.strictObject({
  phone: z.string(),
  action: z.enum(["added", "removed"]),
  source: z.enum(["manual", "twilio_21610", "stop_keyword", "start_keyword", "api"]).meta({
    description: "added: the opt-out's source; removed: api (remove-opt-out), start_keyword (the recipient's START) " +
      "or manual (deleted by the service role)",
  }),
  reason: z.string().nullable(),
  actor: z.string().nullable().meta({ description: "The user who acted (null: the service, Twilio or the recipient)" }),
  messageSid: z.string().nullable().meta({ description: "The inbound message that caused it (keywords)" }),
  time: dateTimeSchema,
}).meta({ id: "OptOutEvent" });
export type OptOutEventView = z.output<typeof optOutEventViewSchema>;

export const optOutsResultSchema = z.strictObject({
  workspaceId: workspaceIdSchema,
  optOuts: z.array(optOutViewSchema),
  nextCursor: z.string().nullable(),
  history: z.array(optOutEventViewSchema).meta({
    description: "The latest changes (added, removed), newest first: of `phone` when given, else of the workspace",
  }),
});
export type OptOutsResult = z.output<typeof optOutsResultSchema>;

export const addOptOutResultSchema = z.strictObject({
  workspaceId: workspaceIdSchema,
  optOut: optOutViewSchema,
  created: z.boolean().meta({ description: "false: the number had already opted out (nothing changed)" }),
  cancelledJobs: z.int().meta({ description: "Pending messages to the number that were cancelled (status reason recipient_opted_out)" }),
});
export type AddOptOutResult = z.output<typeof addOptOutResultSchema>;

export const removeOptOutResultSchema = z.strictObject({
  workspaceId: workspaceIdSchema,
  phone: z.string(),
  reason: z.string(),
  removedTime: dateTimeSchema,
  removed: optOutViewSchema.meta({ description: "The opt-out as it was" }),
});
export type RemoveOptOutResult = z.output<typeof removeOptOutResultSchema>;

export const inboundActionSchema = z.enum(["opt_out", "opt_in", "help", "none"]).meta({
  id: "InboundAction",
  description: "What the message asked for: opt_out (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT), " +
    "opt_in (START, YES, UNSTOP), help (HELP, INFO), none",
});
export const inboundEffectSchema = z.enum(["opted_out", "already_opted_out", "opted_in", "not_opted_out",
  "kept_staff_opt_out", "unsupported_sender", "logged"]).meta({
  id: "InboundEffect",
  description: "What it did: opted_out (an opt-out recorded, cancelledJobs pending messages cancelled), already_opted_out, " +
    "opted_in (the recipient's opt-out removed), not_opted_out (START without an opt-out), kept_staff_opt_out (START, " +
    "but the opt-out was recorded by staff: an owner or admin removes it), unsupported_sender (a keyword from an " +
    "address that is not a phone number), logged (nothing else to do)",
});

export const inboundMessageViewSchema = z.strictObject({
  id: z.string(),
  messageSid: z.string(),
  from: z.string(),
  to: z.string(),
  messagingServiceSid: z.string().nullable(),
  body: z.string(),
  numMedia: z.int(),
  action: inboundActionSchema,
  keyword: z.string().nullable(),
  effect: inboundEffectSchema,
  cancelledJobs: z.int(),
  receivedTime: dateTimeSchema,
}).meta({ id: "InboundMessage" });
export type InboundMessageView = z.output<typeof inboundMessageViewSchema>;

export const inboundMessagesResultSchema = z.strictObject({
  workspaceId: workspaceIdSchema,
  messages: z.array(inboundMessageViewSchema),
  nextCursor: z.string().nullable(),
});
export type InboundMessagesResult = z.output<typeof inboundMessagesResultSchema>;

export const optOutsResponseSchema = successEnvelope(optOutsResultSchema).meta({ id: "OptOutsResponse" });
export const addOptOutResponseSchema = successEnvelope(addOptOutResultSchema).meta({ id: "AddOptOutResponse" });
export const removeOptOutResponseSchema = successEnvelope(removeOptOutResultSchema).meta({ id: "RemoveOptOutResponse" });
export const inboundMessagesResponseSchema = successEnvelope(inboundMessagesResultSchema).meta({ id: "InboundMessagesResponse" });
export const regionsResultSchema = z.strictObject({
  workspaceId: workspaceIdSchema,
  twilioRegion: z.enum(twilioRegions).nullable().meta({ description: "Twilio's processing region of the workspace's sends; null: Twilio's default" }),
  twilioEdge: z.enum(twilioEdges).nullable().meta({ description: "The Twilio edge location its requests enter through; null: Twilio's default (nearest, by DNS)" }),
  triggerRegion: z.string().nullable().meta({ description: "The Trigger.dev region its send-sms runs execute in; null: the project's default" }),
  twilioApiHost: z.string().meta({ description: "The Twilio API host its sends go to, e.g. api.twilio.com or api.sydney.au1.twilio.com" }),
  defaults: z.strictObject({
    twilioRegion: z.enum(twilioRegions).meta({ description: "Twilio's default processing region" }),
    twilioEdge: z.null().meta({ description: "No edge: Twilio routes to the nearest" }),
    triggerRegion: z.null().meta({ description: "No region: the Trigger.dev project's default" }),
  }).meta({ description: "What a null setting means" }),
  allowed: z.strictObject({
    twilioRegions: z.array(z.enum(twilioRegions)),
    twilioEdges: z.array(z.enum(twilioEdges)),
    triggerRegionPattern: z.string().meta({ description: "A Trigger.dev region id matches this regular expression" }),
    triggerRegionMaxChars: z.int().min(1),
  }).meta({ description: "The values the settings accept" }),
});
/** GET regions and POST update-regions. */
export type RegionsResult = z.output<typeof regionsResultSchema>;
export const regionsResponseSchema = successEnvelope(regionsResultSchema).meta({ id: "RegionsResponse" });
