-- Limits of issue 14 (API rate limiting, sender throughput, daily caps). limit_value is redefined
-- whole with every earlier entry (its latest definition); the features that read these entries come
-- in the migrations after this one.

create or replace function private.limit_value(p_name text)
returns bigint
language sql
immutable
parallel safe
set search_path = ''
as $$
  select case p_name
    -- Messages.
    when 'body_max_chars' then 1600               -- Twilio's maximum for one (concatenated) message
    when 'media_urls_max' then 10                 -- Twilio's maximum per MMS
    when 'media_url_max_chars' then 2048
    when 'metadata_max_bytes' then 8192
    when 'schedule_past_skew_seconds' then 60     -- client clock skew allowed for "now"
    when 'schedule_max_ahead_seconds' then 31536000   -- 365 days
    -- Retries and workers.
    when 'default_max_retries' then 3
    when 'max_retries_cap' then 10
    when 'default_lease_seconds' then 60
    when 'max_lease_seconds' then 3600
    when 'claim_batch_max' then 1000
    when 'claim_lookahead_max_ms' then 5000
    when 'sweep_history_hours' then 24
    -- Dispatch to Trigger.dev ('trigger' mode).
    -- Rows due within this many seconds are dispatched (with a delay until their due time).
    -- Longer than the sweep's minute, so every row is in Trigger.dev well before it is due.
    when 'dispatch_horizon_seconds' then 300
    -- A pending row not claimed this long after its due time (and its last dispatch) is dispatched again.
    when 'dispatch_grace_seconds' then 300
    -- Items per request: the most the batch trigger endpoint (POST /api/v2/tasks/batch) accepts.
    when 'dispatch_batch_items' then 500
    -- Requests one INSERT/UPDATE statement may make (10,000 rows); the rest wait for the sweep.
    when 'dispatch_requests_per_statement' then 20
    -- Requests one sweep (one a minute) may make (20,000 rows); the rest wait for the next sweep.
    when 'dispatch_requests_per_sweep' then 40
    -- pg_net timeout of one request.
    when 'dispatch_request_timeout_ms' then 10000
    -- Recurring schedules.
    -- Occurrences due within this many seconds of the sweep become jobs. Three sweeps' worth: an
    -- occurrence is a future 'scheduled' row at least two minutes before its cron time even if a
    -- sweep is late or skipped, and the runner / Trigger.dev sends it at the cron time. Not more
    -- than dispatch_horizon_seconds, so the insert itself dispatches it in 'trigger' mode.
    when 'recurring_lookahead_seconds' then 180
    -- An occurrence more than this late when the sweep reaches it (downtime) is recorded as missed
    -- and not sent; a later one is sent at once.
    when 'recurring_missed_tolerance_seconds' then 300
    -- Jobs one sweep creates per schedule (bounds one schedule's share of a sweep).
    when 'recurring_occurrences_per_sweep' then 10
    -- Schedules one sweep handles; the rest wait for the next sweep (earliest due first).
    when 'recurring_schedules_per_sweep' then 5000
    -- Missed occurrences counted one by one after downtime; beyond it the count says "at least".
    when 'recurring_missed_count_max' then 1000
    -- Run times that creating a schedule and its status report ahead.
    when 'recurring_preview_runs' then 5
    -- How far ahead the cron evaluator searches for a matching date (31 February never comes).
    when 'cron_search_years' then 10
    when 'cron_expression_max_chars' then 200
    -- Statistics (20261130000100_job_statistics.sql): days of per-minute activity kept, a day more
    -- than the overview's 7 so its oldest hour is always whole.
    when 'job_activity_days' then 8
    -- Message templates (20261130000200_message_templates.sql).
    when 'template_name_max_chars' then 100
    when 'template_body_max_chars' then 1600      -- a message body's own limit: the template is at most one message
    when 'template_variables_max' then 20          -- declared merge fields per template
    when 'template_value_max_chars' then 500       -- a variable's value or default
    -- Idempotency keys (20261130000400_idempotency_keys.sql).
    when 'idempotency_key_max_chars' then 255     -- Stripe's maximum; printable ASCII, at least 1
    -- How long a key's first answer is replayed: a day covers any client's retry schedule (Stripe
    -- keeps keys 24 h); pg_cron removes older keys.
    when 'idempotency_key_retention_hours' then 24
    -- Delivery analytics (20261130000700_delivery_analytics.sql): days of hourly rollup kept (a
    -- year and a month, so a year is always comparable with the month before).
    when 'analytics_retention_days' then 400
    -- Retry policies and expiry (20261130000600_retry_policy_and_expiry.sql).
    when 'retry_base_seconds_max' then 3600        -- the first backoff step: at most an hour
    when 'retry_max_seconds_max' then 86400        -- one backoff step is never longer than a day
    -- Expiry: at least a second after the scheduled time (Twilio's smallest ValidityPeriod), at most
    -- 30 days after it (a message later than that is a new message, not a late one).
    when 'expiry_min_seconds' then 1
    when 'expiry_max_seconds' then 2592000
    -- Twilio's ValidityPeriod bounds (seconds): what remains of an expiry is sent, capped at 36000.
    when 'twilio_validity_min_seconds' then 1
    when 'twilio_validity_max_seconds' then 36000
    -- Limits that protect everyone (issue 14). API rate limits, per workspace and caller, as GCRA
    -- buckets: a sustained rate and a burst (the most requests at once after a quiet spell).
    -- These are the defaults; an owner or the service role may set others per workspace, within the
    -- *_max bounds below.
    when 'api_write_rate_per_second' then 20
    when 'api_write_burst' then 40
    -- Reads as writes: a dashboard tab polls a few GETs every few seconds, far below it, while a
    -- runaway loop of status calls is refused after its first 40.
    when 'api_read_rate_per_second' then 20
    when 'api_read_burst' then 40
    -- Bulk sends are also counted by recipients, per minute: two full batches at once, then one a minute.
    when 'api_bulk_recipients_per_minute' then 10000
    when 'api_bulk_recipients_burst' then 20000
    -- Bounds of a workspace's own API limits.
    when 'api_rate_per_second_max' then 10000
    when 'api_burst_max' then 100000
    when 'api_bulk_recipients_per_minute_max' then 1000000
    -- A bucket idle this long is full again and its row is removed by pg_cron.
    when 'api_rate_bucket_idle_seconds' then 3600
    -- Sender throughput, in message segments per second, by kind of sender (Twilio's and the
    -- carriers' defaults: a US long code 1, toll-free 3, a short code 100). A Messaging Service
    -- sends as fast as its pool: configure it; until then it is paced as one long code.
    when 'sender_rate_long_code' then 1
    when 'sender_rate_toll_free' then 3
    when 'sender_rate_short_code' then 100
    when 'sender_rate_messaging_service' then 1
    -- The most a sender may be configured to (a short code's upper range is a few hundred).
    when 'sender_rate_max' then 1000
    -- Slots are spaced this much wider than the rate needs: a send reaches Twilio a few ms after
    -- its slot, and without headroom two sends a second of slots apart could land inside one
    -- second as the carrier counts it. 5% absorbs 50 ms of jitter at any rate.
    when 'sender_pacing_headroom_percent' then 5
    -- A claim reserves send slots this far ahead of now at most; later jobs wait in the database
    -- (where another runner, or a cancel, can still reach them).
    when 'sender_slot_horizon_ms' then 2000
    -- A workspace's optional daily message cap (messages per local day) is at most this.
    when 'daily_cap_max' then 10000000
  end
$$;
