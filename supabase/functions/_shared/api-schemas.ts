// Request schemas of the HTTP API (section 10 of the spec), shared by the Edge Function and any
// other TypeScript that builds or checks requests. Each schema parses the raw JSON/query into the
// values stored: phone numbers in E.164, media as a list, times as Date. Unknown fields are errors.
// Together with api-types.ts (responses) and api-routes.ts (routes) this is the API contract:
// openapi/openapi.yaml is generated from it (`npm run openapi`), so the field docs live here, in
// `.meta()`; an `id` makes a schema a named component of that document.
import { z } from "zod";
import type { FieldError } from "./api-types.ts";
import { apiLimits, databaseLimits } from "./limits.ts";
import { isMessagingServiceSid, toE164 } from "./phone.ts";
import { parseIsoWithOffset } from "./time.ts";
import { triggerRegionMaxChars, twilioEdges, twilioRegions } from "./regions.ts";

/** The API's clock in ms (Date.now): schemas that judge times against now are built per clock. */
export type Clock = () => number;

/** One schema per clock, so a route parses with the very instance the OpenAPI document describes. */
function perClock<T>(build: (now: Clock) => T): (now?: Clock) => T {
  const built = new WeakMap<Clock, T>();
  return (now = Date.now) => {
    let schema = built.get(now);
    if (schema === undefined) {
      schema = build(now);
      built.set(now, schema);
    }
    return schema;
  };
}

const jobStatuses = ["scheduled", "queued", "processing", "retrying", "completed", "failed", "cancelled"] as const;
export const jobStatusSchema = z.enum(jobStatuses).meta({ id: "JobStatus" });
export type JobStatus = z.infer<typeof jobStatusSchema>;

/**
 * Pending: waiting to be sent, so a worker may claim it and a user may cancel it. The database's
 * one definition is the generated column scheduled_sms_jobs.is_pending; this is its TypeScript
 * name for the same three statuses (a test keeps the two equal). The others are processing and the
 * terminal statuses.
 */
export const pendingJobStatuses = ["scheduled", "queued", "retrying"] as const satisfies readonly JobStatus[];
export function isPendingJobStatus(status: JobStatus): boolean {
  return (pendingJobStatuses as readonly JobStatus[]).includes(status);
}

const scheduleStatuses = ["active", "paused", "ended", "cancelled"] as const;
export const scheduleStatusSchema = z.enum(scheduleStatuses).meta({ id: "ScheduleStatus" });
export type ScheduleStatus = z.infer<typeof scheduleStatusSchema>;

/** What GET jobs lists: one-off jobs, recurring schedules, or both. */
const jobKinds = ["job", "recurring", "all"] as const;
export const jobKindSchema = z.enum(jobKinds, { error: `must be one of ${jobKinds.join(", ")}` });
export type JobKind = z.infer<typeof jobKindSchema>;

/** Recurring schedules' ids start with this; the API takes them wherever it takes a job id. */
export const scheduleIdPrefix = "sched_";
export function isScheduleId(id: string): boolean {
  return id.startsWith(scheduleIdPrefix);
}

/** Bulk batches' ids start with this; cancel-job takes them to cancel a batch's pending jobs. */
export const batchIdPrefix = "batch_";
export function isBatchId(id: string): boolean {
  return id.startsWith(batchIdPrefix);
}

export const batchIdSchema = z.string({ error: "must be a batch id (batch_…)" })
  .regex(/^batch_[A-Za-z0-9]{1,96}$/, { error: "must be a batch id (batch_…)" })
  .meta({ description: "A schedule-bulk batch's id (batch_…)" });

const workspaceIdError = "must be a workspace id: a uuid, or 1 to 64 letters, digits, _ or - (e.g. ws_demo)";

/** The adopting app's own workspace identifiers: a uuid or a short slug (a uuid is one too). */
export const workspaceIdSchema = z.string({ error: workspaceIdError })
  .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: workspaceIdError })
  .meta({
    id: "WorkspaceId",
    description: "The workspace: a uuid, or 1-64 letters, digits, `_` or `-`",
    examples: ["ws_demo", "9b2f6c1e-3a4d-4e5f-8a7b-1c2d3e4f5a6b"],
  });

export const jobIdSchema = z.string({ error: "must be a job id" })
  .regex(/^[A-Za-z0-9_-]{1,100}$/, { error: "must be a job id" })
  .meta({ description: "A job's id (job_…) or a recurring schedule's (sched_…)" });

/** A recipient: a valid, allocated number in international format, stored as E.164. */
export const phoneNumberSchema = z.string({ error: "must be a phone number in international format, e.g. +61412345678" })
  .meta({ examples: ["+61412345678"] })
  .transform((value, ctx) => {
    const e164 = toE164(value);
    if (e164 === null) {
      ctx.addIssue({ code: "custom", message: "must be a valid phone number in international format, e.g. +61412345678" });
      return z.NEVER;
    }
    return e164;
  })
  .meta({ id: "Phone", description: "International format; stored and returned as E.164" });

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
    { error: `must have at most ${databaseLimits.body_max_chars} characters` })
  .meta({
    minLength: 1,
    maxLength: databaseLimits.body_max_chars,
    description: `1-${databaseLimits.body_max_chars} characters (Unicode code points), not blank`,
  });

const httpsUrlError = "must be an https URL";
const httpsUrlSchema = z.string({ error: httpsUrlError })
  .max(databaseLimits.media_url_max_chars, { error: `must have at most ${databaseLimits.media_url_max_chars} characters` })
  // The pattern is the database's; `abort` keeps one message per bad URL when the refine would fail too.
  .regex(/^https:\/\/[^\s/?#]+\S*$/, { error: httpsUrlError, abort: true })
  .refine((value) => isStorableText(value) && URL.canParse(value), { error: httpsUrlError });

/** One https URL or a list of them; always stored as a list. */
export const mediaUrlSchema = z.union([
  httpsUrlSchema.transform((url) => [url]),
  z.array(httpsUrlSchema).max(databaseLimits.media_urls_max, { error: `must hold at most ${databaseLimits.media_urls_max} URLs` }),
], { error: `must be an https URL or a list of at most ${databaseLimits.media_urls_max} https URLs` })
  .meta({ id: "MediaUrl", description: `One https URL or a list of at most ${databaseLimits.media_urls_max} (MMS)` });

export const metadataSchema = z.record(z.string(), z.unknown(), { error: "must be a JSON object" })
  .refine(isStorableJson, { error: `keys and strings ${storableTextError}` })
  .refine((value) => new TextEncoder().encode(JSON.stringify(value)).length <= databaseLimits.metadata_max_bytes,
    { error: `must be at most ${databaseLimits.metadata_max_bytes} bytes as JSON` });

const dateTimeError = "must be an ISO-8601 date-time with an offset, e.g. 2025-05-11T16:00:00+10:00";
const dateTimeInput = () => z.string({ error: dateTimeError }).meta({ examples: ["2027-05-11T16:00:00+10:00"] });

/** A future time (a little clock skew allowed) within the scheduling horizon, with an explicit offset. */
export function scheduledTimeSchema(now: Clock = Date.now) {
  return dateTimeInput()
    .transform((value, ctx) => {
      const date = parseIsoWithOffset(value);
      if (date === null) {
        ctx.addIssue({ code: "custom", message: dateTimeError });
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
    })
    .meta({
      description: `ISO-8601 with an offset; at most ${databaseLimits.schedule_past_skew_seconds} s past, ` +
        `at most ${databaseLimits.schedule_max_ahead_seconds / 86400} days ahead`,
    });
}

/** Any instant as ISO-8601 with an explicit offset (years 1-9999), e.g. a bound of a range. */
export const isoDateTimeSchema = dateTimeInput()
  .transform((value, ctx) => {
    const date = parseIsoWithOffset(value);
    if (date === null) {
      ctx.addIssue({ code: "custom", message: dateTimeError });
      return z.NEVER;
    }
    return date;
  })
  .meta({ description: "ISO-8601 with an offset" });

const cronMaxChars = databaseLimits.cron_expression_max_chars;

/**
 * A cron expression to hand to the database, which alone evaluates cron (private.parse_cron):
 * anything it refuses, including one that never matches a date (`0 0 31 2 *`), answers 400
 * invalid_cron naming the field `cron`. Here only what could not reach it as text is refused.
 */
export const cronExpressionSchema = z.string({ error: "must be a cron expression (a string)" })
  .max(cronMaxChars, { error: `must have at most ${cronMaxChars} characters` })
  .refine(isStorableText, { error: storableTextError })
  .meta({
    description: "Standard 5-field cron expression (minute hour day-of-month month day-of-week): lists, " +
      "ranges, steps, JAN-DEC, SUN-SAT; wall-clock time in `timezone`. One the database refuses, or that " +
      "never matches a date, answers 400 `invalid_cron`",
    examples: ["0 9 * * MON", "*/15 8-17 * * 1-5"],
  });

const timezoneError = "must be an IANA timezone name, e.g. Australia/Sydney";

/**
 * A string shaped like an IANA timezone name; the database (private.is_valid_timezone) decides
 * whether it is one, and answers 400 invalid_timezone naming the field `timezone` if not.
 */
export const timezoneSchema = z.string({ error: timezoneError })
  .regex(/^[A-Za-z][A-Za-z0-9_+/-]{0,63}$/, { error: timezoneError })
  .meta({
    description: "IANA timezone name; default: the workspace's. An unknown one answers 400 `invalid_timezone`",
    examples: ["America/New_York"],
  });

const templateVariableNameError = "must be a variable name: a letter, then letters, digits or _ (at most 64)";
/** A merge field's name: a letter first, so no name is special to JavaScript objects (__proto__). */
export const templateVariableNameSchema = z.string({ error: templateVariableNameError })
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, { error: templateVariableNameError })
  .meta({ examples: ["first_name"] });

const templateValueSchema = z.string({ error: "must be a string" })
  .max(databaseLimits.template_value_max_chars, { error: `must have at most ${databaseLimits.template_value_max_chars} characters` })
  .refine(isStorableText, { error: storableTextError });

/** A declared variable of a template. */
export const templateVariableSchema = z.strictObject({
  name: templateVariableNameSchema,
  required: z.boolean({ error: "must be true or false" }).default(false)
    .meta({ description: "A message must give a value (or the variable must have a default)" }),
  default: templateValueSchema.nullable().default(null)
    .meta({ description: "Used when a message gives no value, or only whitespace" }),
}).meta({ id: "TemplateVariable" });

export const templateVariablesSchema = z.array(templateVariableSchema)
  .max(databaseLimits.template_variables_max, { error: `must declare at most ${databaseLimits.template_variables_max} variables` })
  .superRefine((variables, ctx) => {
    const seen = new Set<string>();
    for (const [index, variable] of variables.entries()) {
      if (typeof variable.name !== "string") continue;
      if (seen.has(variable.name)) ctx.addIssue({ code: "custom", path: [index, "name"], message: "is declared twice" });
      seen.add(variable.name);
    }
  });

/** A message's values for its template's variables, by name. */
export const templateValuesSchema = z.record(templateVariableNameSchema, templateValueSchema,
  { error: "must be a JSON object of variable names to strings" })
  .refine((values) => Object.keys(values).length <= databaseLimits.template_variables_max,
    { error: `must have at most ${databaseLimits.template_variables_max} values` })
  .meta({ description: "Values of the template's variables, by name (strings)", examples: [{ first_name: "Ann", time: "5pm" }] });

export const templateIdSchema = z.string({ error: "must be a template id" })
  .regex(/^tpl_[A-Za-z0-9]{1,96}$/, { error: "must be a template id (tpl_…)" })
  .meta({ description: "A message template's id (tpl_…)" });

export const templateNameSchema = z.string({ error: "must be a string" })
  .refine((value) => value.trim() !== "", { error: "must not be empty or blank" })
  .refine((value) => [...value].length <= databaseLimits.template_name_max_chars,
    { error: `must have at most ${databaseLimits.template_name_max_chars} characters` })
  .refine(isStorableText, { error: storableTextError });

export const templateBodySchema = z.string({ error: "must be a string" })
  .refine(isStorableText, { error: storableTextError })
  .refine((value) => value.trim() !== "", { error: "must not be empty or blank" })
  .refine((value) => [...value].length <= databaseLimits.template_body_max_chars,
    { error: `must have at most ${databaseLimits.template_body_max_chars} characters` })
  .meta({ description: "Liquid: {{ name }}, the filters default, upcase, downcase, capitalize, truncate, and if / elsif / else",
    examples: ["Hi {{ first_name | default: 'there' }}, see you at {{ time }}."] });

/**
 * Exactly one of `body` and `templateId`; `variables` only with a template. Shared by every request
 * that makes a message.
 */
function requireOneContent(request: { body?: unknown; templateId?: unknown; variables?: unknown }, ctx: z.RefinementCtx): void {
  const hasBody = request.body !== undefined;
  const hasTemplate = request.templateId !== undefined;
  if (hasBody === hasTemplate) {
    ctx.addIssue({ code: "custom", path: [hasBody ? "templateId" : "body"],
      message: hasBody ? "give either body or templateId, not both" : "is required (or give templateId and variables)" });
  }
  if (request.variables !== undefined && !hasTemplate) {
    ctx.addIssue({ code: "custom", path: ["variables"], message: "is only for a templateId" });
  }
}

const delayMinutesSchema = z.int({ error: "must be a whole number of minutes" })
  .min(apiLimits.delay_minutes_min, { error: `must be at least ${apiLimits.delay_minutes_min}` })
  .max(apiLimits.delay_minutes_max, { error: `must be at most ${apiLimits.delay_minutes_max} (365 days)` })
  .meta({ description: "Minutes from now, measured by the database's clock" });

/** One error class's retry rule; any field left out comes from the workspace's policy. */
export const retryRuleSchema = z.strictObject({
  maxAttempts: z.int({ error: "must be a whole number" })
    .min(1, { error: "must be at least 1" })
    .max(databaseLimits.max_retries_cap + 1, { error: `must be at most ${databaseLimits.max_retries_cap + 1}` })
    .optional().meta({ description: "Attempts in all, the first included" }),
  backoff: z.enum(["exponential", "fixed"], { error: "must be exponential or fixed" }).optional()
    .meta({ description: "exponential: baseSeconds doubling per attempt; fixed: baseSeconds every time" }),
  baseSeconds: z.int({ error: "must be a whole number of seconds" })
    .min(1, { error: "must be at least 1" })
    .max(databaseLimits.retry_base_seconds_max, { error: `must be at most ${databaseLimits.retry_base_seconds_max}` })
    .optional(),
  maxSeconds: z.int({ error: "must be a whole number of seconds" })
    .min(1, { error: "must be at least 1" })
    .max(databaseLimits.retry_max_seconds_max, { error: `must be at most ${databaseLimits.retry_max_seconds_max}` })
    .optional().meta({ description: "No wait between attempts is longer (except a longer Retry-After from Twilio)" }),
  jitter: z.boolean({ error: "must be true or false" }).optional()
    .meta({ description: "true: each wait is a random point in the upper half of the computed one" }),
}).superRefine((rule, ctx) => {
  if (rule.baseSeconds !== undefined && rule.maxSeconds !== undefined && rule.maxSeconds < rule.baseSeconds) {
    ctx.addIssue({ code: "custom", path: ["maxSeconds"], message: "must be at least baseSeconds" });
  }
}).meta({ id: "RetryRule" });

/**
 * Retry policy overrides per error class: rateLimited (429 / 20429), serverError (Twilio 5xx,
 * timeouts, network errors) and carrier (carrier and queue errors: 21611, 30001, 30003, 30008).
 * Permanent errors are never retried; Twilio's Retry-After is always honoured.
 */
export const retryPolicySchema = z.strictObject({
  rateLimited: retryRuleSchema.optional(),
  serverError: retryRuleSchema.optional(),
  carrier: retryRuleSchema.optional(),
}).meta({ id: "RetryPolicyOverrides" });

const validForSchema = z.int({ error: "must be a whole number of seconds" })
  .min(databaseLimits.expiry_min_seconds, { error: `must be at least ${databaseLimits.expiry_min_seconds}` })
  .max(databaseLimits.expiry_max_seconds, { error: `must be at most ${databaseLimits.expiry_max_seconds} (30 days)` })
  .meta({ description: "Seconds after the send time: not handed to Twilio later than that (failed, reason expired)" });
const expiresAtSchema = isoDateTimeSchema
  .meta({ description: "Not handed to Twilio at or after this time (failed, reason expired); ISO-8601 with an offset" });

/** validFor or expiresAt, not both. */
function requireOneExpiry(request: { validFor?: unknown; expiresAt?: unknown }, ctx: z.RefinementCtx): void {
  if (request.validFor !== undefined && request.expiresAt !== undefined) {
    ctx.addIssue({ code: "custom", path: ["expiresAt"], message: "give either validFor or expiresAt, not both" });
  }
}

/** transactional: never held; marketing: sent only inside the workspace's quiet-hours window. */
export const messageCategorySchema = z.enum(["transactional", "marketing"], { error: "must be transactional or marketing" })
  .meta({ id: "MessageCategory" });
export type MessageCategory = z.output<typeof messageCategorySchema>;

const messageFields = {
  to: phoneNumberSchema,
  body: messageBodySchema.optional().meta({ description: "The text; or give templateId (and variables) instead" }),
  templateId: templateIdSchema.optional(),
  variables: templateValuesSchema.optional(),
  mediaUrl: mediaUrlSchema.optional(),
  workspaceId: workspaceIdSchema,
  fromNumber: senderSchema.optional().meta({
    description: "One of the workspace's senders (E.164 or a Messaging Service SID). Without it the sender is " +
      "chosen: one of the recipient's country (geo_match), else the one of their last message (sticky), else the " +
      "workspace's default (the job's senderSelection says which)",
  }),
  category: messageCategorySchema.optional().meta({
    description: "transactional (default; never held) or marketing (sent only inside the workspace's quiet hours, " +
      "recipient's local time)",
  }),
  metadata: metadataSchema.optional().meta({
    description: `Free-form JSON object kept with the job (not in the spec), at most ${databaseLimits.metadata_max_bytes} bytes`,
  }),
  retryPolicy: retryPolicySchema.optional()
    .meta({ description: "Overrides of the workspace's retry policy for this message, per error class" }),
  validFor: validForSchema.optional(),
};
/** The one-off routes also take an absolute expiry (a recurring schedule's occurrences take validFor only). */
const oneOffFields = { ...messageFields, expiresAt: expiresAtSchema.optional() };

export const sendSmsRequestSchema = z.strictObject(oneOffFields).superRefine(requireOneContent)
  .superRefine(requireOneExpiry).meta({ id: "SendSmsRequest" });

export const scheduleDelayRequestSchema = z.strictObject({
  ...oneOffFields,
  delayMinutes: delayMinutesSchema,
}).superRefine(requireOneContent).superRefine(requireOneExpiry).meta({ id: "ScheduleDelayRequest" });

export const scheduleUntilRequestSchema = perClock((now) =>
  z.strictObject({ ...oneOffFields, scheduledTime: scheduledTimeSchema(now) }).superRefine(requireOneContent)
    .superRefine(requireOneExpiry).meta({ id: "ScheduleUntilRequest" })
);

/**
 * schedule-recurring: the message fields plus when it repeats. startAt defaults to now and obeys
 * the same rules as scheduledTime; endAt (exclusive) must come after startAt (or now).
 */
export const scheduleRecurringRequestSchema = perClock((now) =>
  z.strictObject({
    ...messageFields,
    cron: cronExpressionSchema,
    timezone: timezoneSchema.optional(),
    startAt: scheduledTimeSchema(now).optional().meta({
      description: "First possible run (default now; at most 60 s past, at most 365 days ahead): the first run is " +
        "the first occurrence at or after it",
    }),
    endAt: isoDateTimeSchema.optional().meta({ description: "No run at or after this time; after startAt and now" }),
    maxOccurrences: z.int({ error: "must be a whole number" })
      .min(1, { error: "must be at least 1" })
      .max(apiLimits.max_occurrences_max, { error: `must be at most ${apiLimits.max_occurrences_max}` })
      .optional()
      .meta({ description: "Stop after this many messages" }),
  }).superRefine((request, ctx) => {
    // zod may run this check after a field failed: compare parsed dates only.
    if (!(request.endAt instanceof Date)) return;
    if (request.startAt !== undefined && !(request.startAt instanceof Date)) return;
    if (request.startAt !== undefined && request.endAt.getTime() <= request.startAt.getTime()) {
      ctx.addIssue({ code: "custom", path: ["endAt"], message: "must be after startAt" });
    } else if (request.endAt.getTime() <= now()) {
      ctx.addIssue({ code: "custom", path: ["endAt"], message: "must be in the future" });
    }
  }).superRefine(requireOneContent).meta({ id: "ScheduleRecurringRequest" })
);

/**
 * One recipient of schedule-bulk. `to` is only required to be text here: a number that is not
 * valid refuses that recipient alone (its item's error), not the whole request.
 */
export const bulkRecipientSchema = z.strictObject({
  to: z.string({ error: "must be a phone number (a string)" })
    .max(apiLimits.bulk_recipient_to_max_chars, { error: `must have at most ${apiLimits.bulk_recipient_to_max_chars} characters` })
    .meta({ description: "International format; an invalid number refuses this recipient only (its item's error)", examples: ["+61412345678"] }),
  variables: templateValuesSchema.optional()
    .meta({ description: "This recipient's values; each overrides the shared value of the same name" }),
  metadata: metadataSchema.optional()
    .meta({ description: "Merged over the shared metadata (its keys win); the result is kept with the job" }),
}).meta({ id: "BulkRecipient" });

/**
 * POST schedule-bulk: one message to many recipients, each personalised by its own variables.
 * When: delayMinutes or scheduledTime, or neither (now). atomic: refuse everything if any
 * recipient is refused (default: schedule the others).
 */
export const scheduleBulkRequestSchema = perClock((now) =>
  z.strictObject({
    workspaceId: workspaceIdSchema,
    body: messageFields.body,
    templateId: messageFields.templateId,
    variables: templateValuesSchema.optional()
      .meta({ description: "Values shared by every recipient (a recipient's own values override them)" }),
    recipients: z.array(bulkRecipientSchema, { error: "must be a list of recipients" })
      .min(1, { error: "must hold at least one recipient" })
      .max(apiLimits.bulk_recipients_max, { error: `must hold at most ${apiLimits.bulk_recipients_max} recipients` })
      .meta({ description: `1-${apiLimits.bulk_recipients_max} recipients; the answer's items are in this order` }),
    delayMinutes: delayMinutesSchema.optional(),
    scheduledTime: scheduledTimeSchema(now).optional(),
    fromNumber: messageFields.fromNumber,
    category: messageCategorySchema.default("marketing").meta({
      description: "marketing (default for bulk sends: sent only inside the workspace's quiet hours) or transactional",
    }),
    mediaUrl: messageFields.mediaUrl,
    metadata: messageFields.metadata,
    retryPolicy: messageFields.retryPolicy,
    validFor: messageFields.validFor,
    expiresAt: oneOffFields.expiresAt,
    atomic: z.boolean({ error: "must be true or false" }).default(false)
      .meta({ description: "true: if any recipient is refused, nothing is scheduled (400 batch_rejected with the items); " +
        "false (default): the others are scheduled" }),
  }).superRefine(requireOneContent).superRefine(requireOneExpiry).superRefine((request, ctx) => {
    if (request.delayMinutes !== undefined && request.scheduledTime !== undefined) {
      ctx.addIssue({ code: "custom", path: ["scheduledTime"], message: "give either delayMinutes or scheduledTime, not both" });
    }
    if (request.templateId !== undefined || !Array.isArray(request.recipients)) return;
    for (const [index, recipient] of request.recipients.entries()) {
      if (recipient.variables !== undefined) {
        ctx.addIssue({ code: "custom", path: ["recipients", index, "variables"], message: "is only for a templateId" });
      }
    }
  }).meta({ id: "ScheduleBulkRequest" })
);

/** GET batch-status. */
export const batchStatusQuerySchema = z.strictObject({
  batchId: batchIdSchema,
  workspaceId: workspaceIdSchema,
});

/** A job or schedule of a workspace: cancel-job, pause-job and resume-job. */
const jobReferenceSchema = z.strictObject({
  jobId: jobIdSchema,
  workspaceId: workspaceIdSchema,
}).meta({ id: "JobReference" });

export const cancelJobRequestSchema = jobReferenceSchema;
/** pause-job and resume-job: recurring schedules only. */
export const pauseJobRequestSchema = jobReferenceSchema;
export const resumeJobRequestSchema = jobReferenceSchema;

/**
 * POST retry-job: a failed job (or a batch's failed jobs) tried again, now or at scheduledTime,
 * with a new expiry if wanted; force (owners and admins) retries opted-out recipients and
 * permanent number errors too.
 */
export const retryJobRequestSchema = perClock((now) =>
  z.strictObject({
    jobId: jobIdSchema.meta({ description: "A failed job's id, or a batch's (batch_…): its failed jobs" }),
    workspaceId: workspaceIdSchema,
    scheduledTime: scheduledTimeSchema(now).optional()
      .meta({ description: "When the new attempt is due (default now); at most 60 s past, at most 365 days ahead" }),
    validFor: validForSchema.optional()
      .meta({ description: "A new expiry, in seconds after the new attempt's time" }),
    expiresAt: expiresAtSchema.optional(),
    force: z.boolean({ error: "must be true or false" }).default(false)
      .meta({ description: "Owners and admins only: retry even an opted-out recipient or a permanent number error" }),
  }).superRefine(requireOneExpiry).meta({ id: "RetryJobRequest" })
);

/** GET retry-policy. */
export const retryPolicyQuerySchema = z.strictObject({ workspaceId: workspaceIdSchema });

/** POST update-retry-policy: the workspace's overrides, replaced whole ({} = the defaults). */
export const updateRetryPolicyRequestSchema = z.strictObject({
  workspaceId: workspaceIdSchema,
  retryPolicy: retryPolicySchema,
}).meta({ id: "UpdateRetryPolicyRequest" });

/** The names of a workspace's API rate limits (workspace_settings.api_limits; private.limit_value's api_* defaults). */
export const apiRateLimitNames = [
  "writeRatePerSecond", "writeBurst", "readRatePerSecond", "readBurst", "bulkRecipientsPerMinute", "bulkRecipientsBurst",
] as const;
export type ApiRateLimitName = (typeof apiRateLimitNames)[number];

/** GET rate-limits. */
export const rateLimitsQuerySchema = z.strictObject({ workspaceId: workspaceIdSchema });

// A whole number or null (back to the default); the database checks the bounds (400 invalid_rate_limits).
const rateLimitOverrideSchema = z.int({ error: "must be a whole number, or null for the default" }).nullable().optional();

/** POST update-rate-limits: the limits to change; a limit not named keeps its value, null restores the default. */
export const updateRateLimitsRequestSchema = z.strictObject({
  workspaceId: workspaceIdSchema,
  limits: z.strictObject({
    writeRatePerSecond: rateLimitOverrideSchema.meta({ description: "POST requests per second, sustained" }),
    writeBurst: rateLimitOverrideSchema.meta({ description: "POST requests at once after a quiet spell" }),
    readRatePerSecond: rateLimitOverrideSchema.meta({ description: "GET requests per second, sustained" }),
    readBurst: rateLimitOverrideSchema.meta({ description: "GET requests at once after a quiet spell" }),
    bulkRecipientsPerMinute: rateLimitOverrideSchema.meta({ description: "schedule-bulk recipients per minute, sustained" }),
    bulkRecipientsBurst: rateLimitOverrideSchema.meta({ description: "schedule-bulk recipients at once after a quiet spell" }),
  }, { error: "must be an object of named limits" }),
}).meta({ id: "UpdateRateLimitsRequest" });

/** POST create-template. */
export const createTemplateRequestSchema = z.strictObject({
  workspaceId: workspaceIdSchema,
  name: templateNameSchema.meta({ description: `Unique in the workspace among templates not archived (case-insensitive), at most ${databaseLimits.template_name_max_chars} characters` }),
  body: templateBodySchema,
  variables: templateVariablesSchema.default([])
    .meta({ description: `The merge fields the body may use (at most ${databaseLimits.template_variables_max})` }),
}).meta({ id: "CreateTemplateRequest" });

/** POST update-template: any of name, body, variables; any change is a new version. */
export const updateTemplateRequestSchema = z.strictObject({
  workspaceId: workspaceIdSchema,
  templateId: templateIdSchema,
  name: templateNameSchema.optional(),
  body: templateBodySchema.optional(),
  variables: templateVariablesSchema.optional(),
}).superRefine((request, ctx) => {
  if (request.name === undefined && request.body === undefined && request.variables === undefined) {
    ctx.addIssue({ code: "custom", path: ["body"], message: "give at least one of name, body and variables" });
  }
}).meta({ id: "UpdateTemplateRequest" });

/** POST archive-template. */
export const archiveTemplateRequestSchema = z.strictObject({
  workspaceId: workspaceIdSchema,
  templateId: templateIdSchema,
}).meta({ id: "TemplateReference" });

/** GET templates. */
export const templatesQuerySchema = z.strictObject({
  workspaceId: workspaceIdSchema,
  archived: z.enum(["false", "true", "all"], { error: "must be false, true or all" }).default("false")
    .meta({ description: "false (default): templates in use; true: archived ones; all: both" }),
});

/** POST preview-message: what a message would be, without creating anything. */
export const previewMessageRequestSchema = z.strictObject({
  workspaceId: workspaceIdSchema,
  body: z.string({ error: "must be a string" }).refine(isStorableText, { error: storableTextError })
    .refine((value) => [...value].length <= databaseLimits.template_body_max_chars,
      { error: `must have at most ${databaseLimits.template_body_max_chars} characters` })
    .optional().meta({ description: "A body to count (no template); or give templateId or draft, with variables" }),
  templateId: templateIdSchema.optional(),
  draft: z.strictObject({
    body: templateBodySchema,
    variables: templateVariablesSchema.default([]),
  }).optional().meta({
    id: "TemplateDraft",
    description: "A template not saved yet (an editor's live preview), checked as create-template checks it",
  }),
  variables: templateValuesSchema.optional(),
  to: phoneNumberSchema.optional().meta({ description: "The recipient: adds a warning when they opted out" }),
}).superRefine((request, ctx) => {
  const given = [request.body, request.templateId, request.draft].filter((content) => content !== undefined).length;
  if (given !== 1) {
    ctx.addIssue({ code: "custom", path: [request.body === undefined ? "body" : request.templateId === undefined ? "draft" : "templateId"],
      message: given === 0 ? "is required (or give templateId or draft, with variables)" : "give one of body, templateId and draft" });
  }
  if (request.variables !== undefined && request.body !== undefined) {
    ctx.addIssue({ code: "custom", path: ["variables"], message: "is only for a templateId or a draft" });
  }
}).meta({ id: "PreviewMessageRequest" });

export const jobStatusQuerySchema = z.strictObject({
  jobId: jobIdSchema,
  workspaceId: workspaceIdSchema,
});

/** GET job-events: a job's timeline (or a schedule's, for a sched_… id). */
export const jobEventsQuerySchema = jobStatusQuerySchema;

/** GET stats: the monitoring overview of one workspace. */
export const statsQuerySchema = z.strictObject({ workspaceId: workspaceIdSchema });

/** What GET analytics may group by: a job's sender, template, schedule-bulk batch or recurring schedule. */
export const analyticsGroupBySchema = z.enum(["sender", "template", "batch", "schedule"],
  { error: "must be sender, template, batch or schedule" });
export type AnalyticsGroupBy = z.output<typeof analyticsGroupBySchema>;
export const analyticsGranularitySchema = z.enum(["hour", "day"], { error: "must be hour or day" });
export type AnalyticsGranularity = z.output<typeof analyticsGranularitySchema>;

const dayMs = 24 * 60 * 60 * 1000;

/**
 * GET analytics: a period [from, to) of one workspace by hour or by the workspace's local day.
 * Bounded so that one answer stays small and fast (apiLimits.analytics_*), and not older than the
 * rollup keeps (it would silently answer zeros).
 */
export const analyticsQuerySchema = perClock((now) =>
  z.strictObject({
    workspaceId: workspaceIdSchema,
    from: isoDateTimeSchema.meta({ description: "Start of the period (ISO-8601 with offset); its bucket is the first" }),
    to: isoDateTimeSchema.meta({ description: "End of the period, exclusive (ISO-8601 with offset)" }),
    granularity: analyticsGranularitySchema.default("day").meta({
      description: "day (default): the workspace's local days, midnight to midnight (23 or 25 hours across a DST " +
        `change), at most ${apiLimits.analytics_daily_range_max_days} days; hour: UTC hours, at most ` +
        `${apiLimits.analytics_hourly_range_max_days} days`,
    }),
    groupBy: analyticsGroupBySchema.optional()
      .meta({ description: "Also answer the totals of each sender, template, batch or recurring schedule" }),
  }).superRefine((query, ctx) => {
    const spanMs = query.to.getTime() - query.from.getTime();
    if (spanMs <= 0) {
      ctx.addIssue({ code: "custom", path: ["to"], message: "must be after from" });
      return;
    }
    const maxDays = query.granularity === "hour"
      ? apiLimits.analytics_hourly_range_max_days : apiLimits.analytics_daily_range_max_days;
    if (spanMs > maxDays * dayMs) {
      ctx.addIssue({ code: "custom", path: ["to"],
        message: `must be at most ${maxDays} days after from with granularity ${query.granularity}` });
    }
    if (query.from.getTime() < now() - databaseLimits.analytics_retention_days * dayMs) {
      ctx.addIssue({ code: "custom", path: ["from"],
        message: `must be within the last ${databaseLimits.analytics_retention_days} days (older figures are not kept)` });
    }
  })
);

/** GET workspaces: the caller's workspaces; no parameters. */
export const workspacesQuerySchema = z.strictObject({});

const searchError = "must be a job or schedule id (job_…, sched_…) or at least 4 digits of a phone number (+61412…)";

/**
 * What GET jobs' `search` finds: one job or schedule by its exact id, or the jobs whose recipient
 * number starts with the given digits (spaces, dashes, dots and parentheses ignored; a missing `+`
 * is added, so `61412345` finds +61412345678).
 */
export type JobSearch = { kind: "id"; id: string } | { kind: "phonePrefix"; prefix: string };

export const jobSearchSchema = z.string({ error: searchError })
  .max(64, { error: searchError })
  .transform((value, ctx): JobSearch => {
    const text = value.trim();
    if (/^(job|sched)_[A-Za-z0-9]{1,96}$/.test(text)) return { kind: "id", id: text };
    const digits = text.replace(/[\s().-]/g, "");
    if (/^\+?[0-9]{4,15}$/.test(digits)) return { kind: "phonePrefix", prefix: digits.startsWith("+") ? digits : `+${digits}` };
    ctx.addIssue({ code: "custom", message: searchError });
    return z.NEVER;
  });

const idListError = `must be 1 to ${apiLimits.jobs_page_size_max} comma-separated job or schedule ids`;

/** GET jobs' `ids`: exactly these jobs or schedules (a dashboard refreshing the rows it shows). */
export const jobIdListSchema = z.string({ error: idListError })
  .transform((value, ctx) => {
    const ids = value.split(",");
    if (ids.length > apiLimits.jobs_page_size_max || !ids.every((id) => jobIdSchema.safeParse(id).success)) {
      ctx.addIssue({ code: "custom", message: idListError });
      return z.NEVER;
    }
    return [...new Set(ids)];
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
  kind: jobKindSchema.default("job")
    .meta({ description: "job (default): one-off jobs, schedules' occurrences included; recurring: schedules; all: both" }),
  status: z.string().meta({ examples: ["queued,scheduled", "active,paused"] })
    .refine((value) => value.split(",").every((status) => statusesOfKind.all.includes(status)),
      { error: statusListError("all") })
    .transform((value) => value.split(",") as (JobStatus | ScheduleStatus)[])
    .optional()
    .meta({
      description: "One status or a comma-separated list: job statuses for kind=job, schedule statuses (active, " +
        "paused, ended, cancelled) for kind=recurring, either for kind=all (each applies to the rows of its kind; " +
        "cancelled to both)",
    }),
  from: isoDateTimeSchema.optional().meta({ description: "scheduledTime (a schedule's startAt) at or after (ISO-8601 with offset)" }),
  to: isoDateTimeSchema.optional().meta({ description: "scheduledTime (a schedule's startAt) before (ISO-8601 with offset)" }),
  search: jobSearchSchema.optional().meta({
    description: "A job or schedule id (exact), or the start of a recipient's number (at least 4 digits; " +
      "formatting ignored, `+` optional) of jobs and schedules.",
    examples: ["+61412", "job_3f2a…"],
  }),
  batchId: batchIdSchema.optional().meta({ description: "Only the jobs of this schedule-bulk batch (schedules are never in one)" }),
  ids: jobIdListSchema.optional().meta({
    description: `Only these jobs or schedules (comma-separated, at most ${apiLimits.jobs_page_size_max}): ` +
      "refreshes the rows a screen shows. Other filters still apply.",
  }),
  cursor: z.string().min(1).max(500).optional().meta({ description: "nextCursor of the previous page" }),
  limit: z.string()
    .regex(/^\d{1,4}$/, { error: "must be a whole number" })
    .transform(Number)
    .pipe(z.int().min(1).max(apiLimits.jobs_page_size_max, { error: `must be 1 to ${apiLimits.jobs_page_size_max}` }))
    .optional()
    .meta({ description: `Page size, 1-${apiLimits.jobs_page_size_max} (default ${apiLimits.jobs_page_size_default})` }),
}).refine((query) => query.from === undefined || query.to === undefined || query.from < query.to,
  { error: "must be after from", path: ["to"] })
  .superRefine((query, ctx) => {
    // zod runs this check even when a field failed (then left untransformed): check only parsed values.
    if (Array.isArray(query.status) && Object.hasOwn(statusesOfKind, query.kind)
        && !query.status.every((status) => statusesOfKind[query.kind].includes(status))) {
      ctx.addIssue({ code: "custom", path: ["status"], message: statusListError(query.kind) });
    }
  });

export type SendSmsRequest = z.input<typeof sendSmsRequestSchema>;
export type ScheduleDelayRequest = z.input<typeof scheduleDelayRequestSchema>;
export type ScheduleUntilRequest = z.input<ReturnType<typeof scheduleUntilRequestSchema>>;
export type ScheduleRecurringRequest = z.input<ReturnType<typeof scheduleRecurringRequestSchema>>;
export type CancelJobRequest = z.input<typeof cancelJobRequestSchema>;
export type PauseJobRequest = z.input<typeof pauseJobRequestSchema>;
export type ResumeJobRequest = z.input<typeof resumeJobRequestSchema>;
export type JobStatusQuery = z.input<typeof jobStatusQuerySchema>;
export type JobsQuery = z.input<typeof jobsQuerySchema>;
export type JobEventsQuery = z.input<typeof jobEventsQuerySchema>;
export type AnalyticsQuery = z.input<ReturnType<typeof analyticsQuerySchema>>;
export type CreateTemplateRequest = z.input<typeof createTemplateRequestSchema>;
export type UpdateTemplateRequest = z.input<typeof updateTemplateRequestSchema>;
export type PreviewMessageRequest = z.input<typeof previewMessageRequestSchema>;
export type StatsQuery = z.input<typeof statsQuerySchema>;
export type ScheduleBulkRequest = z.input<ReturnType<typeof scheduleBulkRequestSchema>>;
export type BatchStatusQuery = z.input<typeof batchStatusQuerySchema>;
export type RetryJobRequest = z.input<ReturnType<typeof retryJobRequestSchema>>;
export type RetryPolicyOverrides = z.output<typeof retryPolicySchema>;

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

/** GET senders and GET sending-limits: one workspace. */
export const sendersQuerySchema = z.strictObject({ workspaceId: workspaceIdSchema });
export const sendingLimitsQuerySchema = z.strictObject({ workspaceId: workspaceIdSchema });

/** ISO 3166-1 alpha-2 (the database also checks the service knows it: invalid_country). */
export const countryCodeSchema = z.string().regex(/^[A-Z]{2}$/, { error: "must be an ISO 3166-1 alpha-2 code such as GB" })
  .meta({ examples: ["GB"] });

/**
 * POST update-sender: a sender's rate in message segments per second (null restores its kind's
 * default) and/or its country (null: derived from the number again). At least one of them.
 */
export const updateSenderRequestSchema = z.strictObject({
  workspaceId: workspaceIdSchema,
  sender: z.string().min(1).max(64).meta({ description: "The sender: an E.164 number, a short code or a Messaging Service SID (MG…)" }),
  messagesPerSecond: z.number().positive().max(databaseLimits.sender_rate_max).nullable().optional()
    .meta({ description: `Message segments per second, above 0 and at most ${databaseLimits.sender_rate_max}; null: the default of the sender's kind; absent: unchanged` }),
  country: countryCodeSchema.nullable().optional()
    .meta({ description: "The country the sender texts from (geo-match); null: derived from the number (none for a Messaging Service); absent: unchanged" }),
}).superRefine((request, ctx) => {
  if (request.messagesPerSecond === undefined && request.country === undefined) {
    ctx.addIssue({ code: "custom", path: ["messagesPerSecond"], message: "give messagesPerSecond or country (or both)" });
  }
}).meta({ id: "UpdateSenderRequest" });

/** GET quiet-hours: one workspace. */
export const quietHoursQuerySchema = z.strictObject({ workspaceId: workspaceIdSchema });

/** A local time of day, HH:MM (24 h). */
export const timeOfDaySchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: "must be a time of day HH:MM (00:00-23:59)" })
  .meta({ examples: ["08:00"] });

/** POST update-quiet-hours: any of on/off and the window; absent fields are unchanged. */
export const updateQuietHoursRequestSchema = z.strictObject({
  workspaceId: workspaceIdSchema,
  enabled: z.boolean({ error: "must be true or false" }).optional(),
  start: timeOfDaySchema.optional().meta({ description: "Local time marketing messages may be sent from" }),
  end: timeOfDaySchema.optional()
    .meta({ description: "Local time they may be sent until (exclusive); before start: a window across midnight" }),
}).superRefine((request, ctx) => {
  if (request.enabled === undefined && request.start === undefined && request.end === undefined) {
    ctx.addIssue({ code: "custom", path: ["enabled"], message: "give enabled, start or end" });
  }
  if (request.start !== undefined && request.start === request.end) {
    ctx.addIssue({ code: "custom", path: ["end"], message: "must differ from start" });
  }
}).meta({ id: "UpdateQuietHoursRequest" });

/** POST update-sending-limits: the workspace's daily message cap; null turns it off. */
export const updateSendingLimitsRequestSchema = z.strictObject({
  workspaceId: workspaceIdSchema,
  dailyMessageCap: z.int().min(1).max(databaseLimits.daily_cap_max).nullable()
    .meta({ description: `Messages (first attempts) per local day, 1 to ${databaseLimits.daily_cap_max}; null: no cap` }),
}).meta({ id: "UpdateSendingLimitsRequest" });


// Opt-outs and inbound messages (issue 15) ------------------------------------------------------------

/** A `limit` query parameter: a page size from 1 to `max` (default `fallback`). */
function pageSizeSchema(max: number, fallback: number) {
  return z.string()
    .regex(/^\d{1,4}$/, { error: "must be a whole number" })
    .transform(Number)
    .pipe(z.int().min(1).max(max, { error: `must be 1 to ${max}` }))
    .optional()
    .meta({ description: `Page size, 1-${max} (default ${fallback})` });
}

/** Why an opt-out is added or removed: 1-500 characters, not blank (stored trimmed). */
export const optOutReasonSchema = z.string({ error: "must be a string" })
  .refine(isStorableText, { error: storableTextError })
  .refine((value) => value.trim() !== "", { error: "must not be empty or blank" })
  .refine((value) => [...value.trim()].length <= databaseLimits.opt_out_reason_max_chars,
    { error: `must have at most ${databaseLimits.opt_out_reason_max_chars} characters` })
  .meta({
    minLength: 1,
    maxLength: databaseLimits.opt_out_reason_max_chars,
    description: `1-${databaseLimits.opt_out_reason_max_chars} characters, not blank`,
  });

/** GET opt-outs: a workspace's opt-outs, newest first, in pages; with `phone`, that number's. */
export const optOutsQuerySchema = z.strictObject({
  workspaceId: workspaceIdSchema,
  phone: phoneNumberSchema.optional().meta({ description: "Only this number (any international format), and its history" }),
  cursor: z.string().min(1).max(500).optional().meta({ description: "nextCursor of the previous page" }),
  limit: pageSizeSchema(apiLimits.opt_outs_page_size_max, apiLimits.opt_outs_page_size_default),
});

/** POST add-opt-out: the workspace must not message this number (its pending messages are cancelled). */
export const addOptOutRequestSchema = z.strictObject({
  workspaceId: workspaceIdSchema,
  phone: phoneNumberSchema,
  reason: optOutReasonSchema.optional(),
}).meta({ id: "AddOptOutRequest" });

/** POST remove-opt-out: the workspace may message this number again (owners and admins, with a reason). */
export const removeOptOutRequestSchema = z.strictObject({
  workspaceId: workspaceIdSchema,
  phone: phoneNumberSchema,
  reason: optOutReasonSchema,
}).meta({ id: "RemoveOptOutRequest" });

/** GET inbound-messages: what recipients sent to the workspace's senders, newest first, in pages. */
export const inboundMessagesQuerySchema = z.strictObject({
  workspaceId: workspaceIdSchema,
  phone: phoneNumberSchema.optional().meta({ description: "Only messages from this number (any international format)" }),
  cursor: z.string().regex(/^[1-9][0-9]{0,18}$/, { error: "is not a cursor returned by this endpoint" }).optional()
    .meta({ description: "nextCursor of the previous page" }),
  limit: pageSizeSchema(apiLimits.inbound_messages_page_size_max, apiLimits.inbound_messages_page_size_default),
});
/** GET regions: one workspace. */
export const regionsQuerySchema = z.strictObject({ workspaceId: workspaceIdSchema });

// A region setting as sent: any short string (the database says whether it is one of the values
// allowed: 400 invalid_region), or null for the default; left out: unchanged.
const regionSettingSchema = (description: string) =>
  z.string().min(1).max(apiLimits.region_setting_max_chars).refine(isStorableText, { error: storableTextError })
    .nullable().optional().meta({ description });

/** POST update-regions: only the settings named change; null restores a setting's default. */
export const updateRegionsRequestSchema = z.strictObject({
  workspaceId: workspaceIdSchema,
  twilioRegion: regionSettingSchema(`Twilio's processing region: ${twilioRegions.join(", ")}; null: Twilio's default (us1). ` +
    "A region other than us1 needs an edge (in this request or already set)"),
  twilioEdge: regionSettingSchema(`The Twilio edge location requests enter through: ${twilioEdges.join(", ")}; null: Twilio's default`),
  triggerRegion: regionSettingSchema(`The Trigger.dev region its sends run in (e.g. us-east-1, eu-central-1): 1-${triggerRegionMaxChars} ` +
    "lowercase letters, digits, \"-\" or \"_\"; null: the Trigger.dev project's default"),
}).meta({ id: "UpdateRegionsRequest" });
