// The service's size, count, rate and time limits for TypeScript, except the delivery side's own
// (runners, the send-sms task, Twilio requests), which are in delivery/limits.ts.
// The database names all of its limits in private.limit_value(name) (supabase/migrations/
// *_limits.sql); `databaseLimits` copies the ones the API also checks before the database, and
// tests/database/limits-and-error-codes.test.ts keeps each equal to the database's.

/** Limits enforced by the database too (direct inserts by client apps must obey them). */
export const databaseLimits = {
  /** Characters in a message body (Twilio's maximum for one message, concatenated). */
  body_max_chars: 1600,
  /** Media attachments per MMS (Twilio's maximum). */
  media_urls_max: 10,
  media_url_max_chars: 2048,
  /** Size of the free-form metadata object, as JSON text. */
  metadata_max_bytes: 8192,
  /** How far in the past a scheduled time may be (client clock skew). */
  schedule_past_skew_seconds: 60,
  /** How far ahead a message may be scheduled: 365 days. */
  schedule_max_ahead_seconds: 365 * 24 * 60 * 60,
  /** Retries after the first attempt, unless the workspace says otherwise. */
  default_max_retries: 3,
  max_retries_cap: 10,
  /** A worker's claim on a job lasts this long unless renewed. */
  default_lease_seconds: 60,
  max_lease_seconds: 3600,
  /** Jobs one claim may take. */
  claim_batch_max: 1000,
  /** How far ahead of their due time jobs may be claimed (and then held until due). */
  claim_lookahead_max_ms: 5000,
  /** How long sweep runs are kept for the health view. */
  sweep_history_hours: 24,
  /** The longest cron expression a schedule may have. */
  cron_expression_max_chars: 200,
  /** Run times that creating a schedule and its status report ahead. */
  recurring_preview_runs: 5,
  /** A message template's name. */
  template_name_max_chars: 100,
  /** A template's body: at most one message's body (rendering may lengthen it; the rendered body must fit too). */
  template_body_max_chars: 1600,
  /** Variables (merge fields) one template declares. */
  template_variables_max: 20,
  /** A variable's value in a request, or its declared default. */
  template_value_max_chars: 500,
  /** An Idempotency-Key header: 1 to this many printable ASCII characters (Stripe's maximum). */
  idempotency_key_max_chars: 255,
  /** How long a key's first answer is replayed (then pg_cron removes it): a day of retries. */
  idempotency_key_retention_hours: 24,
  /** A retry policy's baseSeconds (the first backoff step): at most an hour. */
  retry_base_seconds_max: 3600,
  /** A retry policy's maxSeconds (the longest backoff step): at most a day. */
  retry_max_seconds_max: 86_400,
  /** An expiry (validFor / expiresAt) is at least this long after the send time (Twilio's smallest ValidityPeriod)… */
  expiry_min_seconds: 1,
  /** …and at most 30 days after it. */
  expiry_max_seconds: 30 * 24 * 60 * 60,
  /** Days of the delivery analytics' hourly rollup kept (pg_cron drops older hours). */
  analytics_retention_days: 400,
  /**
   * API rate limits per workspace and caller (GCRA: a sustained rate and a burst), the defaults a
   * workspace may override within the *_max bounds. Bulk sends also spend recipients per minute.
   */
  api_write_rate_per_second: 20,
  api_write_burst: 40,
  api_read_rate_per_second: 20,
  api_read_burst: 40,
  api_bulk_recipients_per_minute: 10_000,
  api_bulk_recipients_burst: 20_000,
  api_rate_per_second_max: 10_000,
  api_burst_max: 100_000,
  api_bulk_recipients_per_minute_max: 1_000_000,
  /** A rate-limit bucket idle this long is full again; pg_cron removes its row. */
  api_rate_bucket_idle_seconds: 3600,
  /** Sender throughput in segments per second by kind (long code 1, toll-free 3, short code 100). */
  sender_rate_long_code: 1,
  sender_rate_toll_free: 3,
  sender_rate_short_code: 100,
  /** A Messaging Service until configured: paced as one long code. */
  sender_rate_messaging_service: 1,
  sender_rate_max: 1000,
  /** Send slots are spaced this much wider than the rate (network jitter never puts more than the rate in a second). */
  sender_pacing_headroom_percent: 5,
  /** A claim reserves send slots at most this far ahead; later jobs wait in the database. */
  sender_slot_horizon_ms: 2000,
  /** A workspace's optional daily message cap is at most this. */
  daily_cap_max: 10_000_000,
  /** Characters of an inbound message's body kept (Twilio's maximum for one message); longer is cut. */
  inbound_body_max_chars: 1600,
  /** Characters of the reason given when an opt-out is added or removed. */
  opt_out_reason_max_chars: 500,
} as const;

export type DatabaseLimitName = keyof typeof databaseLimits;

/** Limits of the HTTP API only (the database never sees raw requests). */
export const apiLimits = {
  /** Largest request body accepted, in bytes (64 KB); larger requests answer 413. */
  request_body_max_bytes: 64 * 1024,
  /** delayMinutes of schedule-delay: at least a minute, at most the scheduling horizon. */
  delay_minutes_min: 1,
  delay_minutes_max: databaseLimits.schedule_max_ahead_seconds / 60,
  /** Jobs per page of GET jobs, unless `limit` asks for another size up to the maximum. */
  jobs_page_size_default: 50,
  jobs_page_size_max: 200,
  /** maxOccurrences of schedule-recurring (the database column is a 32-bit integer). */
  max_occurrences_max: 1_000_000,
  /** How long a fetched JWKS (asymmetric signing keys) is reused before refetching. */
  jwks_cache_seconds: 600,
  /** Workspaces GET workspaces lists (a user is in a few; the service role sees all, by name). */
  workspaces_list_max: 1000,
  /** Events GET job-events returns: the latest ones, when a schedule has more. */
  job_events_max: 500,
  /** GET stats calls the minute sweep healthy when it finished within this long (three sweeps). */
  sweep_healthy_within_seconds: 180,
  /** Longest a template may take to render (liquidjs renderLimit); slower is refused as invalid. */
  template_render_ms: 50,
  /** Most text a render may build (liquidjs memoryLimit), far above what a message body can hold. */
  template_render_memory: 1_000_000,
  /** Templates GET templates lists (by name). */
  templates_list_max: 500,
  /** Checked, parsed templates an API process keeps (least recently used dropped): a template is parsed once, not per message. */
  template_cache_entries: 200,
  /** Recipients of one schedule-bulk request (one batch, one transaction). */
  bulk_recipients_max: 10_000,
  /**
   * A schedule-bulk recipient's `to` as given: longer text is no phone number in any format and
   * refuses the request (a shorter invalid one refuses only that recipient).
   */
  bulk_recipient_to_max_chars: 64,
  /**
   * Largest schedule-bulk request body (5 MiB): 10,000 recipients with their own variables and
   * metadata, about 500 bytes each. Larger answers 413 before anything is read further.
   */
  bulk_request_body_max_bytes: 5 * 1024 * 1024,
  /** Retry-After of a 409 idempotency_request_in_progress: the first request usually ends well within a second. */
  idempotency_retry_after_seconds: 1,
  /** The longest period GET analytics covers by hour (2,208 buckets at most). */
  analytics_hourly_range_max_days: 92,
  /** The longest period GET analytics covers by day: all the rollup keeps. */
  analytics_daily_range_max_days: databaseLimits.analytics_retention_days,
  /** Opt-outs per page of GET opt-outs, unless `limit` asks for another size up to the maximum. */
  opt_outs_page_size_default: 50,
  opt_outs_page_size_max: 200,
  /** Changes of one number GET opt-outs lists with `phone` (newest first). */
  opt_out_history_max: 100,
  /** Inbound messages per page of GET inbound-messages, unless `limit` asks for another size up to the maximum. */
  inbound_messages_page_size_default: 50,
  inbound_messages_page_size_max: 200,
  /**
   * POST update-regions: a region, edge or Trigger.dev region longer than this is malformed
   * (validation_failed); shorter values the database judges (invalid_region).
   */
  region_setting_max_chars: 100,
} as const;
