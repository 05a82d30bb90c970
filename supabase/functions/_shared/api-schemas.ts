// Request schemas of the HTTP API (section 10 of the spec), shared by the Edge Function and any
// other TypeScript that builds or checks requests. Each schema parses the raw JSON/query into the
// values stored: phone numbers in E.164, media as a list, times as Date. Unknown fields are errors.
import { z } from "zod";
import { apiLimits, databaseLimits } from "./limits.ts";
import { isMessagingServiceSid, toE164 } from "./phone.ts";
import { parseIsoWithOffset } from "./time.ts";

const jobStatuses = ["scheduled", "queued", "processing", "retrying", "completed", "failed", "cancelled"] as const;
export const jobStatusSchema = z.enum(jobStatuses);
export type JobStatus = z.infer<typeof jobStatusSchema>;

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

export const cancelJobRequestSchema = z.strictObject({
  jobId: jobIdSchema,
  workspaceId: workspaceIdSchema,
});

export const jobStatusQuerySchema = z.strictObject({
  jobId: jobIdSchema,
  workspaceId: workspaceIdSchema,
});

const queryTimeSchema = z.string()
  .transform((value, ctx) => {
    const date = parseIsoWithOffset(value);
    if (date === null) {
      ctx.addIssue({ code: "custom", message: "must be an ISO-8601 date-time with an offset" });
      return z.NEVER;
    }
    return date;
  });

export const jobsQuerySchema = z.strictObject({
  workspaceId: workspaceIdSchema,
  /** One status or a comma-separated list. */
  status: z.string()
    .refine((value) => value.split(",").every((status) => jobStatusSchema.safeParse(status).success),
      { error: `must be one or more of ${jobStatuses.join(", ")}, comma-separated` })
    .transform((value) => value.split(",") as JobStatus[])
    .optional(),
  /** Jobs scheduled at or after this time. */
  from: queryTimeSchema.optional(),
  /** Jobs scheduled before this time. */
  to: queryTimeSchema.optional(),
  cursor: z.string().min(1).max(500).optional(),
  limit: z.string()
    .regex(/^\d{1,4}$/, { error: "must be a whole number" })
    .transform(Number)
    .pipe(z.int().min(1).max(apiLimits.jobs_page_size_max, { error: `must be 1 to ${apiLimits.jobs_page_size_max}` }))
    .optional(),
}).refine((query) => query.from === undefined || query.to === undefined || query.from < query.to,
  { error: "must be after from", path: ["to"] });

export type SendSmsRequest = z.input<typeof sendSmsRequestSchema>;
export type ScheduleDelayRequest = z.input<typeof scheduleDelayRequestSchema>;
export type ScheduleUntilRequest = z.input<ReturnType<typeof scheduleUntilRequestSchema>>;
export type CancelJobRequest = z.input<typeof cancelJobRequestSchema>;
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
