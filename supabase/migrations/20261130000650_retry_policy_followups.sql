-- Follow-ups to 20261130000600_retry_policy_and_expiry.sql (released, so never edited), each
-- found after it landed:
-- * limit_value gains analytics_retention_days (delivery analytics, the next migration); it is
--   redefined whole with every earlier entry (its latest definition until 20261130000810).
-- * private.retry_classes is granted to the client roles: the policy checks that call it run with
--   the updating role's rights.
-- * check_workspace_retry_policy runs as the owner, like the job insert trigger (it reads only the
--   row and the limits).
-- * Per inserted row (10,000 in a bulk batch) the job insert trigger did more than it needed:
--   resolve_retry_policy checks a policy only when an override could make it invalid, and
--   prepare_new_job builds the common policy (no override from the message or the workspace) from
--   the one settings row it reads, and checks an expiry only when one is given. pgTAP 110 checks
--   that both paths agree.
-- * retry_job honours a Retry-After of any length up to the scheduling horizon (the earlier bound
--   of a day made a longer one fail the call, and the job came back sooner through its expired
--   lease).
-- * private.retry_delay_seconds (the workspace-wide backoff of 20261128000900) is called by
--   nothing since the per-job policies, and is dropped.

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
  end
$$;

-- Pure; reached by the checks that run with the updating role's rights.
grant execute on function private.retry_classes() to authenticated, service_role;

-- As the owner, like the job insert trigger: the check reads only the row and the limits.
create or replace function private.check_workspace_retry_policy()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.check_retry_policy(new.retry_policy);
  return new;
end;
$$;

create or replace function private.resolve_retry_policy(p_workspace_id text, p_override jsonb, p_max_attempts integer default null)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_settings public.workspace_settings;
  v_policy jsonb := '{}';
  v_class text;
  v_rule jsonb;
begin
  perform private.check_retry_policy(p_override);
  select * into v_settings from public.workspace_settings s where s.workspace_id = p_workspace_id;
  foreach v_class in array private.retry_classes() loop
    v_rule := pg_catalog.jsonb_build_object(
        'maxAttempts', coalesce(v_settings.max_retries, private.limit_value('default_max_retries')) + 1,
        'backoff', 'exponential',
        'baseSeconds', coalesce(v_settings.retry_base_seconds, 30),
        'maxSeconds', coalesce(v_settings.retry_max_seconds, 3600),
        'jitter', true)
      || coalesce(v_settings.retry_policy -> v_class, '{}')
      || coalesce(p_override -> v_class, '{}');
    if p_max_attempts is not null then
      v_rule := v_rule || pg_catalog.jsonb_build_object('maxAttempts', p_max_attempts);
    end if;
    v_policy := v_policy || pg_catalog.jsonb_build_object(v_class, v_rule);
  end loop;
  -- The legacy columns alone always make a valid policy (their own checks); only overrides can
  -- combine into one that is not (a baseSeconds above the workspace's maxSeconds). This runs for
  -- every inserted row, bulk batches included: the check is skipped when it cannot fail.
  if p_override is not null or v_settings.retry_policy is distinct from '{}'::jsonb then
    perform private.check_retry_policy(v_policy, true);
  end if;
  return v_policy;
end;
$$;

create or replace function private.prepare_new_job()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_override jsonb;
  v_cap integer;
  v_max_attempts integer;
  v_max_retries integer;
  v_base integer;
  v_max integer;
  v_workspace_policy jsonb;
  v_rule jsonb;
begin
  -- Columns the service manages. Client roles cannot even name them (column grants); this
  -- catches the service role and the table owner too.
  if new.status is not null or new.attempts <> 0 or new.twilio_sid is not null
     or new.message_status is not null or new.lease_owner is not null
     or new.lease_expires_at is not null or new.last_error_code is not null
     or new.last_error_message is not null or new.completed_at is not null
     or new.status_reason is not null or new.dispatched_at is not null or new.dispatch_count <> 0 then
    perform private.raise_error('internal_column_set',
      'status, attempts, Twilio ids, errors, leases and dispatch state are set by the service, not on insert');
  end if;
  new.from_number := private.validate_message(new.workspace_id, new.to_phone, new.from_number,
    new.body, new.media_urls, new.metadata);
  new.scheduled_time := coalesce(new.scheduled_time, pg_catalog.now());
  perform private.validate_send_time(new.scheduled_time);
  -- Per row, so only when there is something to check (a call of a function with its own
  -- search_path costs more than the check).
  if new.expires_at is not null then
    perform private.validate_expiry(new.expires_at, new.scheduled_time);
  end if;
  new.next_attempt_at := new.scheduled_time;
  new.status := case when new.scheduled_time <= pg_catalog.now() then 'queued' else 'scheduled' end;
  -- new.retry_policy, as inserted, is the message's override (checked in resolve_retry_policy).
  v_override := new.retry_policy;
  -- An explicit max_attempts (the service role may give one) caps every class; one out of range
  -- is left to the column's check.
  if new.max_attempts is not null then
    v_cap := case when new.max_attempts between 1 and private.limit_value('max_retries_cap') + 1 then new.max_attempts end;
  end if;
  -- This runs for every inserted row (10,000 in a bulk batch). The common case — no override from
  -- the message or the workspace — is built from the one settings row read here; anything else
  -- goes through private.resolve_retry_policy (pgTAP 110 checks that both agree).
  select s.max_retries, s.retry_base_seconds, s.retry_max_seconds, s.retry_policy
  into v_max_retries, v_base, v_max, v_workspace_policy
  from public.workspace_settings s where s.workspace_id = new.workspace_id;
  if v_override is null and v_workspace_policy = '{}'::jsonb then
    v_rule := pg_catalog.jsonb_build_object(
      'maxAttempts', coalesce(v_cap, v_max_retries + 1), 'backoff', 'exponential',
      'baseSeconds', v_base, 'maxSeconds', v_max, 'jitter', true);
    new.retry_policy := pg_catalog.jsonb_build_object('rateLimited', v_rule, 'serverError', v_rule, 'carrier', v_rule);
    v_max_attempts := coalesce(v_cap, v_max_retries + 1);
  else
    new.retry_policy := private.resolve_retry_policy(new.workspace_id, v_override, v_cap);
    v_max_attempts := (select max((r.value ->> 'maxAttempts')::integer) from pg_catalog.jsonb_each(new.retry_policy) r);
  end if;
  new.max_attempts := coalesce(new.max_attempts, v_max_attempts);
  return new;
end;
$$;

-- The workspace-wide backoff of 20261128000900 gives way to each job's recorded policy
-- (private.retry_backoff_seconds); nothing calls it any more.
drop function private.retry_delay_seconds(text, integer);

create or replace function private.retry_job(
  p_job_id text,
  p_worker text,
  p_error_code text,
  p_error_message text,
  p_min_delay_seconds double precision default 0,
  p_error_class text default 'serverError'
) returns public.scheduled_sms_jobs
language plpgsql
set search_path = ''
as $$
declare
  v_job public.scheduled_sms_jobs;
  v_rule jsonb;
  v_delay double precision;
begin
  v_job := private.lock_job(p_job_id);
  perform private.require_lease(v_job, p_worker);
  if v_job.status <> 'processing' then
    perform private.raise_error('invalid_transition', pg_catalog.format(
      'job %s is %s and cannot become retrying', p_job_id, v_job.status));
  end if;
  -- Retry-After is honoured however long it is (the earlier bound of a day made a longer one fail the
  -- call, and the job came back sooner through its expired lease); only beyond the scheduling
  -- horizon is it nonsense.
  if p_min_delay_seconds is null or p_min_delay_seconds < 0
     or p_min_delay_seconds > private.limit_value('schedule_max_ahead_seconds') then
    perform private.raise_error('invalid_argument', pg_catalog.format(
      'minimum retry delay must be 0 to %s seconds', private.limit_value('schedule_max_ahead_seconds')));
  end if;
  if p_error_class is null or p_error_class <> all (private.retry_classes()) then
    perform private.raise_error('invalid_argument', 'error class must be rateLimited, serverError or carrier');
  end if;
  v_rule := v_job.retry_policy -> p_error_class;
  if v_job.attempts >= least(v_job.max_attempts, (v_rule ->> 'maxAttempts')::integer) then
    -- No attempts left for this class: the transient error becomes the final one.
    update public.scheduled_sms_jobs
    set status = 'failed',
        status_reason = 'retries_exhausted',
        last_error_code = p_error_code,
        last_error_message = p_error_message,
        lease_owner = null,
        lease_expires_at = null
    where id = p_job_id
    returning * into v_job;
    return v_job;
  end if;
  v_delay := greatest(private.retry_backoff_seconds(v_rule, v_job.attempts, pg_catalog.random()), p_min_delay_seconds);
  if v_job.expires_at <= pg_catalog.now() + pg_catalog.make_interval(secs => v_delay) then
    -- The next attempt would be after the expiry: end now, with the error that stopped the send.
    update public.scheduled_sms_jobs
    set status = 'failed',
        status_reason = 'expired',
        last_error_code = 'expired',
        last_error_message = pg_catalog.format(
          'the message expires at %s, before its next attempt could be made (last error %s: %s)',
          v_job.expires_at, p_error_code, pg_catalog.left(p_error_message, 500)),
        lease_owner = null,
        lease_expires_at = null
    where id = p_job_id
    returning * into v_job;
    return v_job;
  end if;
  update public.scheduled_sms_jobs
  set status = 'retrying',
      status_reason = 'transient_error',
      last_error_code = p_error_code,
      last_error_message = p_error_message,
      next_attempt_at = pg_catalog.now() + pg_catalog.make_interval(secs => v_delay),
      lease_owner = null,
      lease_expires_at = null
  where id = p_job_id
  returning * into v_job;
  return v_job;
end;
$$;
