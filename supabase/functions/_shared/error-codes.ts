// Every error code a client can see, with its HTTP status: the codes the database raises
// (private.error_codes; the database puts the code name in the error's HINT, and a test checks this
// table equals the database's) and the codes of the HTTP API itself.

export const databaseErrorCodes = {
  invalid_phone: { sqlstate: "SMS01", httpStatus: 400 },
  invalid_body: { sqlstate: "SMS02", httpStatus: 400 },
  invalid_media_urls: { sqlstate: "SMS03", httpStatus: 400 },
  scheduled_time_in_past: { sqlstate: "SMS04", httpStatus: 400 },
  scheduled_time_too_far: { sqlstate: "SMS05", httpStatus: 400 },
  sender_not_allowed: { sqlstate: "SMS06", httpStatus: 400 },
  no_default_sender: { sqlstate: "SMS07", httpStatus: 400 },
  invalid_metadata: { sqlstate: "SMS08", httpStatus: 400 },
  recipient_opted_out: { sqlstate: "SMS09", httpStatus: 409 },
  invalid_cron: { sqlstate: "SMS10", httpStatus: 400 },
  invalid_timezone: { sqlstate: "SMS11", httpStatus: 400 },
  invalid_schedule: { sqlstate: "SMS12", httpStatus: 400 },
  internal_column_set: { sqlstate: "SMS13", httpStatus: 400 },
  invalid_argument: { sqlstate: "SMS14", httpStatus: 400 },
  workspace_not_found: { sqlstate: "SMS15", httpStatus: 404 },
  job_not_found: { sqlstate: "SMS20", httpStatus: 404 },
  invalid_transition: { sqlstate: "SMS21", httpStatus: 409 },
  job_not_due: { sqlstate: "SMS22", httpStatus: 409 },
  lease_lost: { sqlstate: "SMS23", httpStatus: 409 },
  immutable_column: { sqlstate: "SMS24", httpStatus: 400 },
  append_only: { sqlstate: "SMS25", httpStatus: 400 },
  invalid_retry_policy: { sqlstate: "SMS26", httpStatus: 400 },
  invalid_expiry: { sqlstate: "SMS27", httpStatus: 400 },
  permanent_number_error: { sqlstate: "SMS28", httpStatus: 409 },
  /** A workspace's API rate limits: an unknown name, or a value not a whole number within its bounds. */
  invalid_rate_limits: { sqlstate: "SMS40", httpStatus: 400 },
  /** Quiet hours whose start and end are the same time of day. */
  invalid_quiet_hours: { sqlstate: "SMS41", httpStatus: 400 },
  /** A message category other than transactional or marketing (direct inserts; the API checks it first). */
  invalid_category: { sqlstate: "SMS42", httpStatus: 400 },
  /** A sender's country that is not an ISO 3166-1 alpha-2 code the service knows. */
  invalid_country: { sqlstate: "SMS43", httpStatus: 400 },
  /** remove-opt-out of a number the workspace has no opt-out of. */
  opt_out_not_found: { sqlstate: "SMS50", httpStatus: 404 },
  /** Removing an opt-out as someone other than an owner or admin (or the service role). */
  opt_out_removal_forbidden: { sqlstate: "SMS51", httpStatus: 403 },
  /** A Twilio region or edge that is not Twilio's, a region other than us1 without an edge, or a malformed Trigger.dev region. */
  invalid_region: { sqlstate: "SMS45", httpStatus: 400 },
} as const;

export type DatabaseErrorCode = keyof typeof databaseErrorCodes;

export function isDatabaseErrorCode(value: unknown): value is DatabaseErrorCode {
  return typeof value === "string" && Object.hasOwn(databaseErrorCodes, value);
}

/** Errors the HTTP API raises itself, before or around the database. */
export const apiErrorCodes = {
  validation_failed: { httpStatus: 400 },
  malformed_json: { httpStatus: 400 },
  unauthorized: { httpStatus: 401 },
  forbidden: { httpStatus: 403 },
  not_found: { httpStatus: 404 },
  method_not_allowed: { httpStatus: 405 },
  conflict: { httpStatus: 409 },
  payload_too_large: { httpStatus: 413 },
  template_not_found: { httpStatus: 404 },
  template_variable_missing: { httpStatus: 400 },
  template_invalid: { httpStatus: 400 },
  template_name_taken: { httpStatus: 409 },
  /** schedule-bulk with atomic: true and at least one refused recipient; nothing was created (error.details.items). */
  batch_rejected: { httpStatus: 400 },
  /**
   * A schedule-bulk recipient whose number an earlier recipient of the same request already has.
   * Only ever an item's error (items[].error): the request itself is not refused for it.
   */
  duplicate_recipient: { httpStatus: 409 },
  /** No such batch (batch_…) in the workspace. */
  batch_not_found: { httpStatus: 404 },
  unsupported_media_type: { httpStatus: 415 },
  /** The Idempotency-Key header is empty, longer than 255 characters, or not printable ASCII. */
  invalid_idempotency_key: { httpStatus: 400 },
  /** The Idempotency-Key was used on this route and workspace with another request body. */
  idempotency_key_reused: { httpStatus: 422 },
  /** A request with this Idempotency-Key is still running: retry after Retry-After seconds. */
  idempotency_request_in_progress: { httpStatus: 409 },
  /**
   * Over the caller's API rate limit in the workspace (RateLimit-Policy / RateLimit say which
   * budget): nothing was done; retry after Retry-After seconds.
   */
  rate_limited: { httpStatus: 429 },
  internal_error: { httpStatus: 500 },
  service_unavailable: { httpStatus: 503 },
} as const;

export type ApiErrorCode = keyof typeof apiErrorCodes;

/** Any code an API error response may carry. */
export type ErrorCode = ApiErrorCode | DatabaseErrorCode;

export function httpStatusOf(code: ErrorCode): number {
  return isDatabaseErrorCode(code) ? databaseErrorCodes[code].httpStatus : apiErrorCodes[code].httpStatus;
}
