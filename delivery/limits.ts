// The delivery side's own limits: local runners, the send-sms Trigger.dev task and requests to
// Twilio. None is enforced by the database; the limits it shares with the Edge Functions are in
// supabase/functions/_shared/limits.ts.

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
  /**
   * How soon a runner claims again when due work is left pending because its senders have no free
   * send slot within the database's slot horizon (sender_slot_horizon_ms, 2 s): a quarter of it,
   * so the slots a runner holds never run out between claims.
   */
  runner_paced_poll_ms: 500,
  /**
   * A runner sends a paced sender's jobs no closer together than this share of their send slots'
   * spacing: after a late send it catches up by the rest (2.5% of the spacing per send), within the
   * slots' 5% headroom, so a late send never squeezes more than the rate into a second.
   */
  runner_pacing_min_gap_share: 0.975,
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
  /** Twilio's bounds of ValidityPeriod (seconds); a send carries what remains of the job's expiry. */
  twilio_validity_min_seconds: 1,
  twilio_validity_max_seconds: 36_000,
  /** How long a stopping runner waits for in-flight sends before leaving them to lease expiry. */
  runner_shutdown_grace_ms: 20_000,
} as const;

/** The `send-sms` Trigger.dev task (trigger/messageJobs.ts). */
export const triggerTaskLimits = {
  /** Lease the task takes on its job: a send (Twilio timeout) plus recording it, with room to spare. */
  task_lease_seconds: 120,
  /** A run that starts before its job is due (clock skew) waits this long at most, then skips. */
  early_run_wait_max_ms: 15_000,
  /**
   * A run whose job's sender has no free send slot yet (pacing) waits for one this long at most; a
   * run that gives up leaves the job to the sweep's re-dispatch. Well within max_duration_seconds.
   */
  paced_wait_max_ms: 120_000,
  /** Runs of the task at once per workspace (the concurrency key); Twilio's own rate limits apply too. */
  queue_concurrency_limit: 50,
  /** Longest a run may take (compute seconds). */
  max_duration_seconds: 300,
  /** Attempts per run, the first included, when the task throws (database unreachable, crash). */
  infrastructure_max_attempts: 4,
} as const;

/**
 * The send-sms task's retry policy (Trigger.dev's RetryOptions), its only definition. It covers
 * infrastructure failures only (the run threw): a Twilio error is recorded in the database, which
 * dispatches a new run for the job's own retry.
 */
export const triggerTaskRetry = {
  maxAttempts: triggerTaskLimits.infrastructure_max_attempts,
  factor: 2,
  minTimeoutInMs: 1_000,
  maxTimeoutInMs: 30_000,
  randomize: true,
} as const;
