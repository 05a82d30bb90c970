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
  /** How far ahead of their due time jobs may be claimed (and then held until due). */
  claim_lookahead_max_ms: 5000,
  /** How long sweep runs are kept for the health view. */
  sweep_history_hours: 24,
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
} as const;

/** Delivery: workers, leases, Twilio requests. */
export const deliveryLimits = {
  /** Jobs a local runner claims per query. */
  runner_claim_batch: 200,
  /**
   * A runner claims jobs this long before they are due and sends each at its due time, so a slow
   * claim (a disk stall on commit) does not make sends late. A cancel in this window answers 409.
   */
  runner_claim_lookahead_ms: 250,
  /** Sends a local runner has in flight at once (network-bound: high enough to hide Twilio latency). */
  runner_concurrency: 200,
  /** Lease a runner takes on each claimed job; renewed every third of it while the send is in flight. */
  runner_lease_seconds: 60,
  /** Longest a runner sleeps without checking the database, even if no NOTIFY arrives. */
  runner_max_idle_ms: 5_000,
  /** A runner gathers completions this long (or this many) and records them in one statement. */
  runner_completion_batch_delay_ms: 10,
  runner_completion_batch_max: 100,
  /** How long a send's outcome is retried while the database is unreachable. */
  database_reconnect_ms: 60_000,
  /** How long a workspace's Twilio credentials are cached by a worker. */
  credentials_cache_ms: 30_000,
  /** Timeout of one request to Twilio. A timed-out send may have gone out: it is retried and logged. */
  twilio_request_timeout_ms: 15_000,
  /** How long a stopping runner waits for in-flight sends before leaving them to lease expiry. */
  runner_shutdown_grace_ms: 20_000,
} as const;

/**
 * Dispatch to Trigger.dev ('trigger' mode). The database's copy is private.dispatch_limit(name);
 * tests/trigger-dispatch keeps them equal.
 */
export const dispatchLimits = {
  /** Rows due within this many seconds are dispatched, with a delay until their due time. */
  dispatch_horizon_seconds: 300,
  /** A pending row not claimed this long after its due time (and its last dispatch) is dispatched again. */
  dispatch_grace_seconds: 300,
  /** Items per request: the most Trigger.dev's batch trigger endpoint (POST /api/v2/tasks/batch) accepts. */
  dispatch_batch_items: 500,
  /** Requests one INSERT or UPDATE statement may make; rows beyond them wait for the sweep. */
  dispatch_requests_per_statement: 20,
  /** Requests one sweep (one a minute) may make; rows beyond them wait for the next sweep. */
  dispatch_requests_per_sweep: 40,
  /** pg_net timeout of one request to Trigger.dev. */
  dispatch_request_timeout_ms: 10_000,
} as const;

export type DispatchLimitName = keyof typeof dispatchLimits;

/** The `send-sms` Trigger.dev task (trigger/messageJobs.ts). */
export const triggerTaskLimits = {
  /** Lease the task takes on its job: a send (Twilio timeout) plus recording it, with room to spare. */
  task_lease_seconds: 120,
  /** A run that starts before its job is due (clock skew) waits this long at most, then skips. */
  early_run_wait_max_ms: 15_000,
  /** Runs of the task at once per workspace (the concurrency key); Twilio's own rate limits apply too. */
  queue_concurrency_limit: 50,
  /** Longest a run may take (compute seconds). */
  max_duration_seconds: 300,
  /** Attempts per run, the first included, when the task throws (database unreachable, crash). */
  infrastructure_max_attempts: 4,
} as const;

/**
 * Recurring schedules and their materialisation by the sweep. The database's copy is
 * private.recurring_limit(name); tests/recurring keeps them equal.
 */
export const recurringLimits = {
  /**
   * Occurrences due within this many seconds of a sweep become jobs: three sweeps' worth, so an
   * occurrence is a future row before its cron time even if a sweep is late or skipped. At most
   * dispatchLimits.dispatch_horizon_seconds, so in 'trigger' mode the insert dispatches it.
   */
  lookahead_seconds: 180,
  /** An occurrence the sweep reaches more than this late (downtime) is recorded as missed, not sent. */
  missed_tolerance_seconds: 300,
  /** Jobs one sweep creates per schedule. */
  max_occurrences_per_sweep: 10,
  /** Schedules one sweep handles (earliest due first); the rest wait for the next sweep. */
  max_schedules_per_sweep: 5000,
  /** Missed occurrences counted one by one after downtime; beyond it the count is a lower bound. */
  missed_count_max: 1000,
  /** How many years ahead the evaluator searches for a matching date. */
  search_years: 10,
  /** Run times that creating a schedule and its status report ahead. */
  preview_runs: 5,
} as const;

export type RecurringLimitName = keyof typeof recurringLimits;
