-- Every size, count and time limit of the database, by name, in one function. The ones the API
-- also checks before the database (message sizes, horizons, retries) are mirrored by
-- databaseLimits in supabase/functions/_shared/limits.ts; a test keeps the two equal.
create function private.limit_value(p_name text)
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
  end
$$;
comment on function private.limit_value is 'Every size, count and time limit of the database, by name; null for an unknown name.';
grant execute on function private.limit_value(text) to authenticated, service_role;
