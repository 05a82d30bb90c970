// Every size, count, rate and time limit of the service, in one place for TypeScript.
// The database's own copy is private.limit_value(name); tests/database/limits.test.ts checks that
// each value below named in `databaseLimits` equals the database's.

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
  /** How long sweep runs are kept for the health view. */
  sweep_history_hours: 24,
} as const;

export type DatabaseLimitName = keyof typeof databaseLimits;
