// Request schemas of the HTTP API (section 10 of the spec), shared by the Edge Function and any
// other TypeScript that builds or checks requests. Each schema parses the raw JSON/query into the
// values stored: phone numbers in E.164, media as a list, times as Date. Unknown fields are errors.
import { z } from "zod";
import { nextOccurrence, parseCron, isValidTimezone } from "./cron-schedule.ts";
import { apiLimits, databaseLimits, recurringLimits } from "./limits.ts";
import { isMessagingServiceSid, toE164 } from "./phone.ts";
import { parseIsoWithOffset } from "./time.ts";

const jobStatuses = ["scheduled", "queued", "processing", "retrying", "completed", "failed", "cancelled"] as const;
export const jobStatusSchema = z.enum(jobStatuses);
export type JobStatus = z.infer<typeof jobStatusSchema>;

const scheduleStatuses = ["active", "paused", "ended", "cancelled"] as const;
export const scheduleStatusSchema = z.enum(scheduleStatuses);
export type ScheduleStatus = z.infer<typeof scheduleStatusSchema>;

/** What GET jobs lists: one-off jobs, recurring schedules, or both. */
const jobKinds = ["job", "recurring", "all"] as const;
export type JobKind = (typeof jobKinds)[number];

/** Recurring schedules' ids start with this; the API takes them wherever it takes a job id. */
export const scheduleIdPrefix = "sched_";
export function isScheduleId(id: string): boolean {
  return id.startsWith(scheduleIdPrefix);
}

export const workspaceIdSchema = z.string({ error: "must be a workspace id such as ws_123" })
  .regex(/^ws_[A-Za-z0-9_-]{1,64}$/, { error: "must be a workspace id such as ws_123" });

export const jobIdSchema = z.string({ error: "must be a job id" })
  .regex(/^[A-Za-z0-9_-]{1,100}$/, { error: "must be a job id" });

/** A recipient: a valid, allocated number in international format, stored as E.164. */
export const phoneNumberSchema = z.string({ error: "must be a phone number in international format, e.g. +61412345678" })
  .transform((value, ctx) => {
    const e164 = toE164(value);
    if (e164 === null) {
      ctx.addIssue({ code: "custom", message: "must be a valid phone number in international format, e.g. +61412345678" });
      return z.NEVER;
    }
    return e164;
  });

/** A sender: one of the workspace's numbers (E.164) or a Twilio Messaging Service SID (MG…). */
export const senderSchema = z.string({ error: "must be a phone number or a Messaging Service SID" })
  .transform((value, ctx) => {
    if (isMessagingServiceSid(value)) return value;
    const e164 = toE164(value);
    if (e164 === null) {
      ctx.addIssue({ code: "custom", message: "must be a valid phone number in international format or a Messaging Service SID (MG…)" });
      return z.NEVER;
    }
    return e164;
  });

/**
 * Text the database can store as given: no NUL (Postgres text cannot hold one; the insert would
 * fail) and no lone surrogate (not Unicode: it would be stored silently as U+FFFD).
 */
export function isStorableText(value: string): boolean {
  return !value.includes("\u0000") && !/\p{Cs}/u.test(value);
}

/** Every key and string of a JSON value is storable text. */
function isStorableJson(value: unknown): boolean {
  if (typeof value === "string") return isStorableText(value);
  if (Array.isArray(value)) return value.every(isStorableJson);
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).every(([key, item]) => isStorableText(key) && isStorableJson(item));
  }
  return true;
}

const storableTextError = "must not contain NUL characters or unpaired surrogates";

/** Counted in Unicode code points, as the database's char_length does. */
export const messageBodySchema = z.string({ error: "must be a string" })
  .refine(isStorableText, { error: storableTextError })
  .refine((value) => value.trim() !== "", { error: "must not be empty or blank" })
  .refine((value) => [...value].length <= databaseLimits.body_max_chars,
    { error: `must have at most ${databaseLimits.body_max_chars} characters` });

const httpsUrlSchema = z.string({ error: "must be an https URL" })
  .max(databaseLimits.media_url_max_chars, { error: `must have at most ${databaseLimits.media_url_max_chars} characters` })
  .refine((value) => /^https:\/\/[^\s/?#]+\S*$/.test(value) && isStorableText(value) && URL.canParse(value),
    { error: "must be an https URL" });

/** One https URL or a list of them; always stored as a list. */
export const mediaUrlSchema = z.union([
  httpsUrlSchema.transform((url) => [url]),
  z.array(httpsUrlSchema).max(databaseLimits.media_urls_max, { error: `must hold at most ${databaseLimits.media_urls_max} URLs` }),
], { error: `must be an https URL or a list of at most ${databaseLimits.media_urls_max} https URLs` });

export const metadataSchema = z.record(z.string(), z.unknown(), { error: "must be a JSON object" })
  .refine(isStorableJson, { error: `keys and strings ${storableTextError}` })
  .refine((value) => new TextEncoder().encode(JSON.stringify(value)).length <= databaseLimits.metadata_max_bytes,
    { error: `must be at most ${databaseLimits.metadata_max_bytes} bytes as JSON` });

/** A future time (a little clock skew allowed) within the scheduling horizon, with an explicit offset. */
export function scheduledTimeSchema(now: () => number = Date.now) {
  return z.string({ error: "must be an ISO-8601 date-time with an offset, e.g. 2025-05-11T16:00:00+10:00" })
    .transform((value, ctx) => {
      const date = parseIsoWithOffset(value);
      if (date === null) {
        ctx.addIssue({ code: "custom", message: "must be an ISO-8601 date-time with an offset, e.g. 2025-05-11T16:00:00+10:00" });
        return z.NEVER;
      }
      const current = now();
      if (date.getTime() < current - databaseLimits.schedule_past_skew_seconds * 1000) {
        ctx.addIssue({ code: "custom", message: "must be in the future" });
        return z.NEVER;
      }
      if (date.getTime() > current + databaseLimits.schedule_max_ahead_seconds * 1000) {
        ctx.addIssue({ code: "custom", message: `must be at most ${databaseLimits.schedule_max_ahead_seconds / 86400} days ahead` });
        return z.NEVER;
      }
      return date;
    });
}

/** Any instant as ISO-8601 with an explicit offset (years 1-9999), e.g. a bound of a range. */
export const isoDateTimeSchema = z.string({ error: "must be an ISO-8601 date-time with an offset" })
  .transform((value, ctx) => {
    const date = parseIsoWithOffset(value);
    if (date === null) {
      ctx.addIssue({ code: "custom", message: "must be an ISO-8601 date-time with an offset" });
      return z.NEVER;
    }
    return date;
  });

const cronError = "must be a standard 5-field cron expression (minute hour day-of-month month day-of-week), e.g. \"0 9 * * MON\"";

/**
 * A standard 5-field cron expression as cron-schedule.ts (and private.is_valid_cron) reads it, made
 * of the grammar's characters only, that matches at least one date within the search horizon
 * (`0 0 31 2 *` never does).
 */
export function cronExpressionSchema(now: () => number = Date.now) {
  return z.string({ error: cronError })
    .transform((value, ctx) => {
      const spec = /^[\t A-Za-z0-9*,/-]{1,200}$/.test(value) ? parseCron(value) : null;
      if (spec === null) {
        ctx.addIssue({ code: "custom", message: cronError });
        return z.NEVER;
      }
      if (nextOccurrence(spec, "UTC", new Date(now())) === null) {
        ctx.addIssue({ code: "custom", message: `matches no date within ${recurringLimits.search_years} years` });
        return z.NEVER;
      }
      return value;
    });
}

const timezoneError = "must be an IANA timezone name, e.g. Australia/Sydney";

/** An IANA timezone name the runtime knows (the database's list has the last word). */
export const timezoneSchema = z.string({ error: timezoneError })
  .refine((value) => /^[A-Za-z][A-Za-z0-9_+/-]{0,63}$/.test(value) && isValidTimezone(value), { error: timezoneError });

const messageFields = {
  to: phoneNumberSchema,
  body: messageBodySchema,
  mediaUrl: mediaUrlSchema.optional(),
  workspaceId: workspaceIdSchema,
  /** Defaults to the workspace's default sender. */
  fromNumber: senderSchema.optional(),
  /** Free-form data kept with the job (not in the spec; optional). */
  metadata: metadataSchema.optional(),
};

export const sendSmsRequestSchema = z.strictObject(messageFields);

export const scheduleDelayRequestSchema = z.strictObject({
  ...messageFields,
  delayMinutes: z.int({ error: "must be a whole number of minutes" })
    .min(apiLimits.delay_minutes_min, { error: `must be at least ${apiLimits.delay_minutes_min}` })
    .max(apiLimits.delay_minutes_max, { error: `must be at most ${apiLimits.delay_minutes_max} (365 days)` }),
});

export function scheduleUntilRequestSchema(now: () => number = Date.now) {
  return z.strictObject({ ...messageFields, scheduledTime: scheduledTimeSchema(now) });
}

/**
 * schedule-recurring: the message fields plus when it repeats. startAt defaults to now and obeys
 * the same rules as scheduledTime; endAt (exclusive) must come after startAt (or now).
 */
export function scheduleRecurringRequestSchema(now: () => number = Date.now) {
  return z.strictObject({
    ...messageFields,
    cron: cronExpressionSchema(now),
    /** Defaults to the workspace's timezone. */
    timezone: timezoneSchema.optional(),
    startAt: scheduledTimeSchema(now).optional(),
    endAt: isoDateTimeSchema.optional(),
    maxOccurrences: z.int({ error: "must be a whole number" })
      .min(1, { error: "must be at least 1" })
      .max(apiLimits.max_occurrences_max, { error: `must be at most ${apiLimits.max_occurrences_max}` })
      .optional(),
  }).superRefine((request, ctx) => {
    // zod may run this check after a field failed: compare parsed dates only.
    if (!(request.endAt instanceof Date)) return;
    if (request.startAt !== undefined && !(request.startAt instanceof Date)) return;
    if (request.startAt !== undefined && request.endAt.getTime() <= request.startAt.getTime()) {
      ctx.addIssue({ code: "custom", path: ["endAt"], message: "must be after startAt" });
    } else if (request.endAt.getTime() <= now()) {
      ctx.addIssue({ code: "custom", path: ["endAt"], message: "must be in the future" });
    }
  });
}

/** A job or schedule of a workspace: cancel-job, pause-job and resume-job. */
const jobReferenceSchema = z.strictObject({
  jobId: jobIdSchema,
  workspaceId: workspaceIdSchema,
});

export const cancelJobRequestSchema = jobReferenceSchema;
/** pause-job and resume-job: recurring schedules only. */
export const pauseJobRequestSchema = jobReferenceSchema;
export const resumeJobRequestSchema = jobReferenceSchema;

export const jobStatusQuerySchema = z.strictObject({
  jobId: jobIdSchema,
  workspaceId: workspaceIdSchema,
});

const statusesOfKind: Record<JobKind, readonly string[]> = {
  job: jobStatuses,
  recurring: scheduleStatuses,
  all: [...new Set<string>([...jobStatuses, ...scheduleStatuses])],
};

const statusListError = (kind: JobKind) =>
  `must be one or more of ${statusesOfKind[kind].join(", ")}, comma-separated` +
  (kind === "job" ? " (schedule statuses need kind=recurring or kind=all)" : "");

export const jobsQuerySchema = z.strictObject({
  workspaceId: workspaceIdSchema,
  /** job (default: one-off jobs, including schedules' occurrences), recurring (schedules) or all. */
  kind: z.enum(jobKinds, { error: `must be one of ${jobKinds.join(", ")}` }).optional(),
  /** One status or a comma-separated list (job statuses, schedule statuses, or both for kind=all). */
  status: z.string()
    .refine((value) => value.split(",").every((status) => statusesOfKind.all.includes(status)),
      { error: statusListError("all") })
    .transform((value) => value.split(",") as (JobStatus | ScheduleStatus)[])
    .optional(),
  /** Jobs scheduled (schedules starting) at or after this time. */
  from: isoDateTimeSchema.optional(),
  /** Jobs scheduled (schedules starting) before this time. */
  to: isoDateTimeSchema.optional(),
  cursor: z.string().min(1).max(500).optional(),
  limit: z.string()
    .regex(/^\d{1,4}$/, { error: "must be a whole number" })
    .transform(Number)
    .pipe(z.int().min(1).max(apiLimits.jobs_page_size_max, { error: `must be 1 to ${apiLimits.jobs_page_size_max}` }))
    .optional(),
}).refine((query) => query.from === undefined || query.to === undefined || query.from < query.to,
  { error: "must be after from", path: ["to"] })
  .superRefine((query, ctx) => {
    // zod runs this check even when a field failed (then left untransformed): check only parsed values.
    const kind = query.kind ?? "job";
    if (Array.isArray(query.status) && Object.hasOwn(statusesOfKind, kind)
        && !query.status.every((status) => statusesOfKind[kind].includes(status))) {
      ctx.addIssue({ code: "custom", path: ["status"], message: statusListError(kind) });
    }
  })
  .transform((query) => ({ ...query, kind: query.kind ?? "job" }));

export type SendSmsRequest = z.input<typeof sendSmsRequestSchema>;
export type ScheduleDelayRequest = z.input<typeof scheduleDelayRequestSchema>;
export type ScheduleUntilRequest = z.input<ReturnType<typeof scheduleUntilRequestSchema>>;
export type ScheduleRecurringRequest = z.input<ReturnType<typeof scheduleRecurringRequestSchema>>;
export type CancelJobRequest = z.input<typeof cancelJobRequestSchema>;
export type PauseJobRequest = z.input<typeof pauseJobRequestSchema>;
export type ResumeJobRequest = z.input<typeof resumeJobRequestSchema>;
export type JobStatusQuery = z.input<typeof jobStatusQuerySchema>;
export type JobsQuery = z.input<typeof jobsQuerySchema>;

/** One bad field of a request, as reported in error.details.fields. */
export interface FieldError {
  field: string;
  message: string;
}

/** zod's issues as one entry per bad field; unknown fields are named one by one. */
export function fieldErrorsOf(error: z.ZodError): FieldError[] {
  const fields: FieldError[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) fields.push({ field: [...issue.path, key].join("."), message: "is not a known field" });
    } else if (issue.code === "invalid_type" && issue.input === undefined && issue.path.length > 0) {
      fields.push({ field: issue.path.join("."), message: "is required" });
    } else {
      fields.push({ field: issue.path.length > 0 ? issue.path.join(".") : "(body)", message: issue.message });
    }
  }
  return fields;
}
