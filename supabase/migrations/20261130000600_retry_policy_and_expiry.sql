-- Issue 13: advanced retries, expiry and manual retry.
--
-- * Retry policies per error class (rateLimited: 429/20429; serverError: Twilio 5xx, timeouts,
--   network errors, in-doubt lease expiries; carrier: carrier and queue errors such as 21611, 30001,
--   30003, 30008): {maxAttempts, backoff: exponential|fixed, baseSeconds, maxSeconds, jitter}.
--   A workspace keeps per-class overrides in workspace_settings.retry_policy (owners and admins
--   change it, members read it: the table's existing RLS); a message may override them again. The
--   policy in force is resolved ONCE, when the job is created, and kept on the job
--   (scheduled_sms_jobs.retry_policy, fixed afterwards), so a later workspace change never alters
--   a queued job. The legacy columns max_retries, retry_base_seconds and retry_max_seconds stay
--   the workspace's defaults for every class (max_attempts = max_retries + 1, as before), and
--   max_attempts on a job is the largest maxAttempts of its classes.
-- * Expiry: scheduled_sms_jobs.expires_at (API: validFor seconds or expiresAt). A job not handed
--   to Twilio before it expires ends failed with reason and error code `expired`: at claim time,
--   when a retry would come too late, and by the sweep.
-- * Manual retry: failed -> retrying with attempts reset (private.manual_retry_job, and
--   private.manual_retry_batch for a batch's failed jobs, set-based).
--
-- Functions of earlier migrations that change here are redefined whole (a released migration is
-- never edited): limit_value (every entry), the job guard, prepare_new_job,
-- create_job, claim_due_jobs, claim_job, retry_job, run_sweep, create_batch,
-- create_recurring_schedule, materialise_schedule.

-- Every limit of the database, now with retry policies and expiry (its latest definition).
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

insert into private.error_codes (code, sqlstate, http_status, description) values
  ('invalid_retry_policy',   'SMS26', 400, 'A retry policy has an unknown class or field, or a value out of range.'),
  ('invalid_expiry',         'SMS27', 400, 'An expiry is not after the send time, too short or too far ahead, or has passed.'),
  ('permanent_number_error', 'SMS28', 409, 'The job failed with an error no retry can fix for this number (21211, 21614, 21610, ...); force it as an owner or admin.');

-- The retry classes, in the API's spelling (the JSON keys of a policy).
create function private.retry_classes()
returns text[]
language sql
immutable
parallel safe
set search_path = ''
as $$
  select array['rateLimited', 'serverError', 'carrier']
$$;

-- Checks a policy (per-class overrides, each partial) and names the first bad field. A complete
-- policy (every class, every field) is checked with p_complete.
create function private.check_retry_policy(p_policy jsonb, p_complete boolean default false)
returns void
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_class text;
  v_rule jsonb;
  v_key text;
  v_base numeric;
  v_max numeric;
begin
  if p_policy is null then
    return;
  end if;
  if pg_catalog.jsonb_typeof(p_policy) <> 'object' then
    perform private.raise_error('invalid_retry_policy', 'a retry policy is an object of error classes (rateLimited, serverError, carrier)');
  end if;
  for v_class, v_rule in select * from pg_catalog.jsonb_each(p_policy) loop
    if v_class <> all (private.retry_classes()) then
      perform private.raise_error('invalid_retry_policy', pg_catalog.format(
        'retryPolicy.%s: unknown error class (rateLimited, serverError, carrier)', pg_catalog.left(v_class, 64)));
    end if;
    if pg_catalog.jsonb_typeof(v_rule) <> 'object' then
      perform private.raise_error('invalid_retry_policy', pg_catalog.format('retryPolicy.%s must be an object', v_class));
    end if;
    for v_key in select pg_catalog.jsonb_object_keys(v_rule) loop
      if v_key not in ('maxAttempts', 'backoff', 'baseSeconds', 'maxSeconds', 'jitter') then
        perform private.raise_error('invalid_retry_policy', pg_catalog.format(
          'retryPolicy.%s.%s: unknown field (maxAttempts, backoff, baseSeconds, maxSeconds, jitter)', v_class, pg_catalog.left(v_key, 64)));
      end if;
    end loop;
    if v_rule ? 'maxAttempts' and (pg_catalog.jsonb_typeof(v_rule -> 'maxAttempts') <> 'number'
        or (v_rule ->> 'maxAttempts')::numeric <> pg_catalog.trunc((v_rule ->> 'maxAttempts')::numeric)
        or (v_rule ->> 'maxAttempts')::numeric not between 1 and private.limit_value('max_retries_cap') + 1) then
      perform private.raise_error('invalid_retry_policy', pg_catalog.format(
        'retryPolicy.%s.maxAttempts must be a whole number from 1 to %s', v_class, private.limit_value('max_retries_cap') + 1));
    end if;
    if v_rule ? 'backoff' and coalesce(v_rule ->> 'backoff', '') not in ('exponential', 'fixed') then
      perform private.raise_error('invalid_retry_policy', pg_catalog.format(
        'retryPolicy.%s.backoff must be "exponential" or "fixed"', v_class));
    end if;
    if v_rule ? 'baseSeconds' and (pg_catalog.jsonb_typeof(v_rule -> 'baseSeconds') <> 'number'
        or (v_rule ->> 'baseSeconds')::numeric not between 1 and private.limit_value('retry_base_seconds_max')) then
      perform private.raise_error('invalid_retry_policy', pg_catalog.format(
        'retryPolicy.%s.baseSeconds must be from 1 to %s', v_class, private.limit_value('retry_base_seconds_max')));
    end if;
    if v_rule ? 'maxSeconds' and (pg_catalog.jsonb_typeof(v_rule -> 'maxSeconds') <> 'number'
        or (v_rule ->> 'maxSeconds')::numeric not between 1 and private.limit_value('retry_max_seconds_max')) then
      perform private.raise_error('invalid_retry_policy', pg_catalog.format(
        'retryPolicy.%s.maxSeconds must be from 1 to %s', v_class, private.limit_value('retry_max_seconds_max')));
    end if;
    if v_rule ? 'jitter' and pg_catalog.jsonb_typeof(v_rule -> 'jitter') <> 'boolean' then
      perform private.raise_error('invalid_retry_policy', pg_catalog.format('retryPolicy.%s.jitter must be true or false', v_class));
    end if;
    v_base := (v_rule ->> 'baseSeconds')::numeric;
    v_max := (v_rule ->> 'maxSeconds')::numeric;
    if v_max < v_base then
      perform private.raise_error('invalid_retry_policy', pg_catalog.format(
        'retryPolicy.%s.maxSeconds must be at least baseSeconds', v_class));
    end if;
    if p_complete and not (v_rule ?& array['maxAttempts', 'backoff', 'baseSeconds', 'maxSeconds', 'jitter']) then
      perform private.raise_error('invalid_retry_policy', pg_catalog.format('retryPolicy.%s is incomplete', v_class));
    end if;
  end loop;
  if p_complete and not (p_policy ?& private.retry_classes()) then
    perform private.raise_error('invalid_retry_policy', 'a job''s retry policy names every error class');
  end if;
end;
$$;
grant execute on function private.check_retry_policy(jsonb, boolean) to authenticated, service_role;

-- Per-class overrides of the workspace (members read them; owners and admins change them, under
-- the table's existing policies). '{}': every class uses the legacy columns.
alter table public.workspace_settings
  add column retry_policy jsonb not null default '{}';
comment on column public.workspace_settings.retry_policy is
  'Per error class (rateLimited, serverError, carrier) overrides of {maxAttempts, backoff, baseSeconds, maxSeconds, jitter}; a class or field not named here comes from max_retries + 1, exponential, retry_base_seconds, retry_max_seconds, jitter on.';
grant update (retry_policy) on public.workspace_settings to authenticated;

create function private.check_workspace_retry_policy()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform private.check_retry_policy(new.retry_policy);
  return new;
end;
$$;
create trigger workspace_settings_retry_policy before insert or update of retry_policy on public.workspace_settings
  for each row execute function private.check_workspace_retry_policy();

-- The policy in force for a new job: per class, the workspace's legacy columns, then its
-- retry_policy overrides, then the message's; p_max_attempts (an explicit max_attempts on insert)
-- caps every class. Refuses a result whose maxSeconds is below its baseSeconds.
create function private.resolve_retry_policy(p_workspace_id text, p_override jsonb, p_max_attempts integer default null)
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
  perform private.check_retry_policy(v_policy, true);
  return v_policy;
end;
$$;

-- The backoff of one class's policy before attempt p_attempt + 1 (p_attempt attempts made):
-- exponential: baseSeconds * 2^(p_attempt - 1), fixed: baseSeconds; capped at maxSeconds; with
-- jitter, a point in the upper half of that ([d/2, d]) chosen by p_random in [0, 1), so retries of
-- a burst spread out. Pure (the random number is an argument) so it can be tested exactly.
create function private.retry_backoff_seconds(p_rule jsonb, p_attempt integer, p_random double precision)
returns double precision
language sql
immutable
parallel safe
set search_path = ''
as $$
  select case when (p_rule ->> 'jitter')::boolean then d * (0.5 + p_random / 2) else d end
  from (
    select least((p_rule ->> 'maxSeconds')::double precision,
                 (p_rule ->> 'baseSeconds')::double precision
                 * case when p_rule ->> 'backoff' = 'fixed' then 1
                        else pg_catalog.power(2, least(greatest(p_attempt - 1, 0), 40)) end) as d
  ) backoff
$$;

alter table public.scheduled_sms_jobs
  add column retry_policy jsonb,
  add column expires_at timestamptz;
comment on column public.scheduled_sms_jobs.retry_policy is
  'The retry policy in force, per error class, resolved when the job was created (workspace defaults, then the message''s overrides); fixed afterwards.';
comment on column public.scheduled_sms_jobs.expires_at is
  'Not handed to Twilio after this: the job ends failed, reason expired. Null: no expiry.';
-- Jobs created before this migration: the policy their workspace has now (the same values their
-- retries used), capped by their own max_attempts.
update public.scheduled_sms_jobs j
set retry_policy = private.resolve_retry_policy(j.workspace_id, null, j.max_attempts);
alter table public.scheduled_sms_jobs alter column retry_policy set not null;
-- The sweep's expiry pass: only pending rows that have an expiry.
create index scheduled_sms_jobs_expiry_idx on public.scheduled_sms_jobs (expires_at)
  where is_pending and expires_at is not null;
-- Direct inserts may give a per-message policy override and an expiry too.
grant insert (retry_policy, expires_at) on public.scheduled_sms_jobs to authenticated;

-- The one expiry rule for a send at p_send_time: at least expiry_min_seconds after it, at most
-- expiry_max_seconds after it, and still ahead of now.
create function private.validate_expiry(p_expires_at timestamptz, p_send_time timestamptz)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_expires_at is null then
    return;
  end if;
  if not pg_catalog.isfinite(p_expires_at)
     or p_expires_at < p_send_time + pg_catalog.make_interval(secs => private.limit_value('expiry_min_seconds'))
     or p_expires_at <= pg_catalog.now() then
    perform private.raise_error('invalid_expiry', pg_catalog.format(
      'expires_at %s must be at least %s s after the send time %s, and in the future',
      p_expires_at, private.limit_value('expiry_min_seconds'), p_send_time));
  end if;
  if p_expires_at > p_send_time + pg_catalog.make_interval(secs => private.limit_value('expiry_max_seconds')) then
    perform private.raise_error('invalid_expiry', pg_catalog.format(
      'expires_at %s is more than %s days after the send time %s',
      p_expires_at, private.limit_value('expiry_max_seconds') / 86400, p_send_time));
  end if;
end;
$$;

-- The insert trigger of 20261128000600_jobs.sql, with the retry policy and the expiry.
create or replace function private.prepare_new_job()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
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
  perform private.validate_expiry(new.expires_at, new.scheduled_time);
  new.next_attempt_at := new.scheduled_time;
  new.status := case when new.scheduled_time <= pg_catalog.now() then 'queued' else 'scheduled' end;
  -- new.retry_policy, as inserted, is the message's override; the row keeps the resolved policy.
  -- An explicit max_attempts (the service role may give one) caps every class; one out of range
  -- is left to the column's check.
  new.retry_policy := private.resolve_retry_policy(new.workspace_id, new.retry_policy,
    case when new.max_attempts between 1 and private.limit_value('max_retries_cap') + 1 then new.max_attempts end);
  new.max_attempts := coalesce(new.max_attempts, (
    select max((r.value ->> 'maxAttempts')::integer) from pg_catalog.jsonb_each(new.retry_policy) r));
  return new;
end;
$$;

-- Two transitions outside the state machine (private.is_allowed_job_transition, unchanged), each
-- allowed only in the one shape its function writes, so a plain update cannot take them:
--   * pending -> failed when the job expired (reason expired, its expiry at or before its due time
--     or now): the claim and the sweep;
--   * failed -> retrying as a manual retry (reason manual_retry[_forced], attempts reset to 0).
create function private.is_expiry_or_manual_retry(p_old public.scheduled_sms_jobs, p_new public.scheduled_sms_jobs)
returns boolean
language sql
stable
set search_path = ''
as $$
  select coalesce(
    (p_old.is_pending and p_new.status = 'failed' and p_new.status_reason = 'expired'
     and p_old.expires_at <= greatest(p_old.next_attempt_at, pg_catalog.now()))
    or (p_old.status = 'failed' and p_new.status = 'retrying'
        and p_new.status_reason in ('manual_retry', 'manual_retry_forced') and p_new.attempts = 0),
    false)
$$;
-- The guard runs with the updating role's rights (as for is_allowed_job_transition).
grant execute on function private.is_expiry_or_manual_retry(public.scheduled_sms_jobs, public.scheduled_sms_jobs)
  to authenticated, service_role;

-- The guard of 20261130000300_bulk_batches.sql, with the retry policy among the columns fixed at
-- creation (a workspace change or a retry never rewrites it).
create or replace function private.guard_job_update()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.id <> old.id or new.workspace_id <> old.workspace_id or new.to_phone <> old.to_phone
     or new.from_number <> old.from_number or new.body <> old.body
     or new.media_urls <> old.media_urls or new.scheduled_time <> old.scheduled_time
     or new.created_at <> old.created_at
     or new.template_id is distinct from old.template_id or new.template_version is distinct from old.template_version
     or new.template_variables is distinct from old.template_variables
     or new.encoding is distinct from old.encoding or new.segments is distinct from old.segments
     or new.batch_id is distinct from old.batch_id
     or new.retry_policy is distinct from old.retry_policy or new.max_attempts <> old.max_attempts then
    perform private.raise_error('immutable_column',
      'a job''s id, workspace, recipient, sender, body, media, scheduled_time, template, batch and retry policy are fixed once created');
  end if;
  if new.status <> old.status and not private.is_allowed_job_transition(old.status, new.status)
     and not private.is_expiry_or_manual_retry(old, new) then
    perform private.raise_error('invalid_transition', pg_catalog.format(
      'job %s cannot go from %s to %s', old.id, old.status, new.status));
  end if;
  -- An expiry changes only with a manual retry (a new attempt gets a new expiry).
  if new.expires_at is distinct from old.expires_at and not (old.status = 'failed' and new.status = 'retrying') then
    perform private.raise_error('immutable_column', 'a job''s expiry changes only when a failed job is retried');
  end if;
  return new;
end;
$$;

drop function private.create_job(text, text, text, text, text[], timestamptz, jsonb, uuid, text, integer, jsonb, text, integer);
-- Creation: the API's path. The BEFORE INSERT trigger validates, exactly as for direct inserts.
-- p_valid_for_seconds: the expiry measured from the scheduled time (the API's validFor); or
-- p_expires_at, not both.
create function private.create_job(
  p_workspace_id text,
  p_to_phone text,
  p_body text,
  p_from_number text default null,
  p_media_urls text[] default '{}',
  p_scheduled_time timestamptz default null,
  p_metadata jsonb default '{}',
  p_created_by uuid default null,
  p_template_id text default null,
  p_template_version integer default null,
  p_template_variables jsonb default null,
  p_encoding text default null,
  p_segments integer default null,
  p_retry_policy jsonb default null,
  p_expires_at timestamptz default null,
  p_valid_for_seconds integer default null
) returns public.scheduled_sms_jobs
language plpgsql
set search_path = ''
as $$
declare
  v_job public.scheduled_sms_jobs;
  v_scheduled_time timestamptz := coalesce(p_scheduled_time, pg_catalog.now());
begin
  if p_expires_at is not null and p_valid_for_seconds is not null then
    perform private.raise_error('invalid_expiry', 'give validFor or expiresAt, not both');
  end if;
  insert into public.scheduled_sms_jobs
    (workspace_id, to_phone, from_number, body, media_urls, scheduled_time, metadata, created_by,
     template_id, template_version, template_variables, encoding, segments, retry_policy, expires_at)
  values
    (p_workspace_id, p_to_phone, p_from_number, p_body, coalesce(p_media_urls, '{}'),
     v_scheduled_time, coalesce(p_metadata, '{}'), p_created_by,
     p_template_id, p_template_version, p_template_variables, p_encoding, p_segments, p_retry_policy,
     coalesce(p_expires_at, v_scheduled_time + pg_catalog.make_interval(secs => p_valid_for_seconds)))
  returning * into v_job;
  return v_job;
end;
$$;
comment on function private.create_job is 'Creates a job (status queued if due now, scheduled if later) and its created event.';

-- Claims of 20261128000800, redefined: a claimed row whose expiry has passed is not handed to a
-- worker but ends failed (reason and code `expired`) in the same statement. Checking the rows the
-- claim already locked costs one comparison each; no other row is read.
create or replace function private.claim_due_jobs(
  p_worker text,
  p_limit integer default 100,
  p_lease_seconds integer default private.limit_value('default_lease_seconds')::integer,
  p_lookahead_ms integer default 0
) returns setof public.scheduled_sms_jobs
language plpgsql
set search_path = ''
-- Walk the partial index in due order and stop after p_limit rows. Without fresh statistics (a
-- burst into an empty table) the planner would otherwise bitmap-scan and sort the whole backlog.
set enable_bitmapscan = off
as $$
begin
  perform private.check_worker_args(p_worker, p_lease_seconds);
  if p_limit is null or p_limit < 1 or p_limit > private.limit_value('claim_batch_max') then
    perform private.raise_error('invalid_argument', pg_catalog.format(
      'batch size must be 1 to %s', private.limit_value('claim_batch_max')));
  end if;
  if p_lookahead_ms is null or p_lookahead_ms < 0 or p_lookahead_ms > private.limit_value('claim_lookahead_max_ms') then
    perform private.raise_error('invalid_argument', pg_catalog.format(
      'lookahead must be 0 to %s ms', private.limit_value('claim_lookahead_max_ms')));
  end if;
  return query
  with due as (
    select j.id, coalesce(j.expires_at <= greatest(j.next_attempt_at, pg_catalog.now()), false) as expired
    from public.scheduled_sms_jobs j
    where j.is_pending
      and j.next_attempt_at <= pg_catalog.now() + pg_catalog.make_interval(secs => p_lookahead_ms / 1000.0)
    order by j.next_attempt_at
    limit p_limit
    for update skip locked
  ),
  expired as (
    update public.scheduled_sms_jobs j
    set status = 'failed',
        status_reason = 'expired',
        last_error_code = 'expired',
        last_error_message = pg_catalog.format('the message expired at %s before it could be sent', j.expires_at)
    from due
    where j.id = due.id and due.expired
    returning j.id
  )
  update public.scheduled_sms_jobs j
  set status = 'processing',
      status_reason = null,
      attempts = j.attempts + 1,
      lease_owner = p_worker,
      lease_expires_at = pg_catalog.now() + pg_catalog.make_interval(secs => p_lease_seconds)
  from due
  where j.id = due.id and not due.expired
  returning j.*;
end;
$$;
comment on function private.claim_due_jobs is
  'Claims jobs due now (or within p_lookahead_ms: a runner claims just ahead and sends at the due time, so claiming never makes a send late) for a worker: status processing, attempts + 1, lease set. Skips locked rows. Expired rows among them end failed (expired) instead.';

-- One job by id (the Trigger.dev task path). An expired job ends failed (expired) and is returned
-- with that status: the caller sends only a job it got back as processing.
create or replace function private.claim_job(
  p_job_id text,
  p_worker text,
  p_lease_seconds integer default private.limit_value('default_lease_seconds')::integer
) returns public.scheduled_sms_jobs
language plpgsql
set search_path = ''
as $$
declare
  v_job public.scheduled_sms_jobs;
begin
  perform private.check_worker_args(p_worker, p_lease_seconds);
  v_job := private.lock_job(p_job_id);
  perform private.require_transition(v_job, 'processing');
  if v_job.next_attempt_at > pg_catalog.now() then
    perform private.raise_error('job_not_due', pg_catalog.format(
      'job %s is due at %s', p_job_id, v_job.next_attempt_at));
  end if;
  if v_job.expires_at <= pg_catalog.now() then
    update public.scheduled_sms_jobs
    set status = 'failed',
        status_reason = 'expired',
        last_error_code = 'expired',
        last_error_message = pg_catalog.format('the message expired at %s before it could be sent', v_job.expires_at)
    where id = p_job_id
    returning * into v_job;
    return v_job;
  end if;
  update public.scheduled_sms_jobs
  set status = 'processing',
      status_reason = null,
      attempts = attempts + 1,
      lease_owner = p_worker,
      lease_expires_at = pg_catalog.now() + pg_catalog.make_interval(secs => p_lease_seconds)
  where id = p_job_id
  returning * into v_job;
  return v_job;
end;
$$;
comment on function private.claim_job is 'Claims one due job by id (the Trigger.dev task path); an expired one ends failed (expired) and is returned so.';

-- Retries of 20261128000900, redefined: the backoff comes from the job's own policy for the
-- error's class (p_error_class), never sooner than p_min_delay_seconds (Twilio's Retry-After), and
-- a retry that would come after the job's expiry ends it failed (expired) now instead.
drop function private.retry_job(text, text, text, text, double precision);
create function private.retry_job(
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
  if p_min_delay_seconds is null or p_min_delay_seconds < 0 or p_min_delay_seconds > 86400 then
    perform private.raise_error('invalid_argument', 'minimum retry delay must be 0 to 86400 seconds');
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
comment on function private.retry_job is
  'processing -> retrying after a transient error of class p_error_class (backoff from the job''s policy, at least p_min_delay_seconds), or -> failed when the class has no attempts left (retries_exhausted) or the retry would come after the expiry (expired).';

-- The sweep's expiry pass: pending jobs whose expiry passed (a runner outage, a throttle, a long
-- Retry-After) end failed, one statement over the expiry index. Returns how many.
create function private.expire_pending_jobs()
returns integer
language plpgsql
set search_path = ''
as $$
declare
  v_count integer;
begin
  with gone as (
    select j.id from public.scheduled_sms_jobs j
    where j.is_pending and j.expires_at is not null and j.expires_at <= pg_catalog.now()
    for update skip locked
  )
  update public.scheduled_sms_jobs j
  set status = 'failed',
      status_reason = 'expired',
      last_error_code = 'expired',
      last_error_message = pg_catalog.format('the message expired at %s before it could be sent', j.expires_at)
  from gone
  where j.id = gone.id;
  get diagnostics v_count = row_count;
  return v_count;
end;
$$;
comment on function private.expire_pending_jobs is 'queued|scheduled|retrying jobs whose expiry passed -> failed (expired).';

alter table private.sweep_runs add column expired_jobs integer not null default 0;
comment on column private.sweep_runs.expired_jobs is 'Pending jobs the sweep ended failed because their expiry passed.';

-- The sweep of 20261128001300, redefined: after the expired leases (which may return jobs whose
-- expiry has passed), pending jobs past their expiry end failed before anything is dispatched.
create or replace function private.run_sweep()
returns bigint
language plpgsql
set search_path = ''
as $$
declare
  v_run_id bigint;
  v_dispatch record;
begin
  insert into private.sweep_runs default values returning id into v_run_id;
  update private.sweep_runs
  set expired_leases = private.expire_stale_leases()
  where id = v_run_id;
  update private.sweep_runs
  set expired_jobs = private.expire_pending_jobs()
  where id = v_run_id;
  -- Recurring schedules: occurrences due within the lookahead become jobs, before dispatch, so
  -- in 'trigger' mode their insert dispatches them.
  perform private.materialise_recurring();
  select * into v_dispatch from private.dispatch_sweep();
  update private.sweep_runs
  set dispatched = v_dispatch.dispatched,
      redispatched = v_dispatch.redispatched,
      dispatch_requests = v_dispatch.requests,
      finished_at = pg_catalog.clock_timestamp()
  where id = v_run_id;
  delete from private.sweep_runs
  where started_at < pg_catalog.now() - pg_catalog.make_interval(hours => private.limit_value('sweep_history_hours')::integer);
  return v_run_id;
end;
$$;
comment on function private.run_sweep is
  'The periodic sweep: recovers expired leases, fails expired jobs, materialises recurring occurrences, dispatches to Trigger.dev in ''trigger'' mode, and records that it ran.';

-- Twilio codes that say the number itself cannot get the message: a manual retry of a job that
-- failed with one is refused unless forced. 21610 (STOP) also recorded an opt-out.
create function private.permanent_number_error_codes()
returns text[]
language sql
immutable
parallel safe
set search_path = ''
as $$
  select array['21211', '21212', '21408', '21610', '21612', '21614', '30005', '30006']
$$;

-- The new attempt's expiry: the one given (p_expires_at, or p_valid_for_seconds from the attempt
-- time), else the job's own if it is still ahead of the attempt; an expiry that has passed must be
-- replaced (invalid_expiry).
create function private.manual_retry_expiry(
  p_job public.scheduled_sms_jobs,
  p_attempt_at timestamptz,
  p_expires_at timestamptz,
  p_valid_for_seconds integer
) returns timestamptz
language plpgsql
stable
set search_path = ''
as $$
declare
  v_expires_at timestamptz := coalesce(p_expires_at, p_attempt_at + pg_catalog.make_interval(secs => p_valid_for_seconds));
begin
  if v_expires_at is null then
    if p_job.expires_at is not null and p_job.expires_at <= p_attempt_at then
      perform private.raise_error('invalid_expiry', pg_catalog.format(
        'job %s expired at %s: give validFor or expiresAt for the new attempt', p_job.id, p_job.expires_at));
    end if;
    return p_job.expires_at;
  end if;
  perform private.validate_expiry(v_expires_at, p_attempt_at);
  return v_expires_at;
end;
$$;

-- A manual retry: failed -> retrying, due at p_next_attempt_at (null: now), attempts reset to 0
-- under the job's own policy; the events so far stay. Refused (unless p_force) for a recipient who
-- opted out (recipient_opted_out) or a job that failed with a permanent number error
-- (permanent_number_error). The caller checks the workspace and the role (force: owner or admin).
create function private.manual_retry_job(
  p_job_id text,
  p_next_attempt_at timestamptz default null,
  p_expires_at timestamptz default null,
  p_valid_for_seconds integer default null,
  p_force boolean default false
) returns public.scheduled_sms_jobs
language plpgsql
set search_path = ''
as $$
declare
  v_job public.scheduled_sms_jobs;
  v_at timestamptz := coalesce(p_next_attempt_at, pg_catalog.now());
  v_expires_at timestamptz;
begin
  if p_expires_at is not null and p_valid_for_seconds is not null then
    perform private.raise_error('invalid_expiry', 'give validFor or expiresAt, not both');
  end if;
  perform private.validate_send_time(v_at);
  v_job := private.lock_job(p_job_id);
  if v_job.status <> 'failed' then
    perform private.raise_error('invalid_transition', pg_catalog.format(
      'job %s is %s: only a failed job can be retried', p_job_id, v_job.status));
  end if;
  if not coalesce(p_force, false) then
    if exists (select 1 from public.sms_opt_outs o where o.workspace_id = v_job.workspace_id and o.phone = v_job.to_phone) then
      perform private.raise_error('recipient_opted_out', pg_catalog.format(
        '%s opted out of messages from workspace %s', v_job.to_phone, v_job.workspace_id));
    end if;
    if v_job.last_error_code = any (private.permanent_number_error_codes()) then
      perform private.raise_error('permanent_number_error', pg_catalog.format(
        'job %s failed with Twilio error %s, which no retry fixes for %s', p_job_id, v_job.last_error_code, v_job.to_phone));
    end if;
  end if;
  v_expires_at := private.manual_retry_expiry(v_job, v_at, p_expires_at, p_valid_for_seconds);
  update public.scheduled_sms_jobs
  set status = 'retrying',
      status_reason = case when coalesce(p_force, false) then 'manual_retry_forced' else 'manual_retry' end,
      attempts = 0,
      next_attempt_at = v_at,
      expires_at = v_expires_at
  where id = p_job_id
  returning * into v_job;
  return v_job;
end;
$$;
comment on function private.manual_retry_job is
  'failed -> retrying now or at p_next_attempt_at, attempts reset under the job''s policy; refuses opted-out recipients and permanent number errors unless forced.';

-- A batch's failed jobs, retried in one statement; the ones a plain retry refuses (opted out,
-- permanent number error, or expired without a new expiry) are skipped and counted, unless forced
-- (an expired one without a new expiry is skipped even then).
create function private.manual_retry_batch(
  p_batch_id text,
  p_next_attempt_at timestamptz default null,
  p_expires_at timestamptz default null,
  p_valid_for_seconds integer default null,
  p_force boolean default false,
  out retried integer,
  out skipped integer
)
language plpgsql
set search_path = ''
as $$
declare
  v_workspace_id text;
  v_at timestamptz := coalesce(p_next_attempt_at, pg_catalog.now());
  v_new_expiry timestamptz;
  v_failed integer;
begin
  if p_expires_at is not null and p_valid_for_seconds is not null then
    perform private.raise_error('invalid_expiry', 'give validFor or expiresAt, not both');
  end if;
  perform private.validate_send_time(v_at);
  v_new_expiry := coalesce(p_expires_at, v_at + pg_catalog.make_interval(secs => p_valid_for_seconds));
  perform private.validate_expiry(v_new_expiry, v_at);
  select b.workspace_id into v_workspace_id from public.sms_batches b where b.id = p_batch_id;
  if v_workspace_id is null then
    perform private.raise_error('invalid_argument', pg_catalog.format('batch %s does not exist', p_batch_id));
  end if;
  with failed as (
    select j.id,
           (coalesce(p_force, false)
            or (not exists (select 1 from public.sms_opt_outs o where o.workspace_id = j.workspace_id and o.phone = j.to_phone)
                and coalesce(j.last_error_code <> all (private.permanent_number_error_codes()), true)))
           and (v_new_expiry is not null or j.expires_at is null or j.expires_at > v_at) as allowed
    from public.scheduled_sms_jobs j
    where j.workspace_id = v_workspace_id and j.batch_id = p_batch_id and j.status = 'failed'
    for update
  ),
  done as (
    update public.scheduled_sms_jobs j
    set status = 'retrying',
        status_reason = case when coalesce(p_force, false) then 'manual_retry_forced' else 'manual_retry' end,
        attempts = 0,
        next_attempt_at = v_at,
        expires_at = coalesce(v_new_expiry, j.expires_at)
    from failed
    where j.id = failed.id and failed.allowed
    returning 1
  )
  select (select pg_catalog.count(*) from done), (select pg_catalog.count(*) from failed)
  into retried, v_failed;
  skipped := v_failed - retried;
end;
$$;
comment on function private.manual_retry_batch is
  'Retries a batch''s failed jobs (one statement); returns how many were retried and how many skipped (opted out, permanent number error, expired without a new expiry).';

-- create_batch of 20261130000300, with the batch's retry policy overrides and expiry (each job
-- resolves the policy in its insert trigger, as a single send does).
drop function private.create_batch(text, uuid, timestamptz, text, text[], text, integer, jsonb, integer, jsonb);
/**
 * Creates a batch and one job per item, in input order, in one statement: ids are drawn first,
 * with the item's position (ordinality), so they map back to the request's recipients whatever
 * order the INSERT writes them in. Every row passes the BEFORE INSERT trigger (the one rulebook);
 * one refused row fails the whole call, and the caller's transaction with it.
 *
 * p_items: [{"to_phone", "body", "metadata", "template_variables", "encoding", "segments"}], the
 * recipients the API accepted; an item's metadata (its own, or null) is merged over the shared
 * p_metadata (its keys win), which is sent once, not once per recipient. p_rejected: how many the
 * API refused (kept on the batch).
 * p_scheduled_time null: now. p_retry_policy (overrides), p_expires_at or p_valid_for_seconds (from the
 * scheduled time): every job's, as for a single send.
 */
create function private.create_batch(
  p_workspace_id text,
  p_created_by uuid,
  p_scheduled_time timestamptz,
  p_from_number text,
  p_media_urls text[],
  p_template_id text,
  p_template_version integer,
  p_metadata jsonb,
  p_rejected integer,
  p_items jsonb,
  p_retry_policy jsonb default null,
  p_expires_at timestamptz default null,
  p_valid_for_seconds integer default null,
  out batch_id text,
  out created_at timestamptz,
  out scheduled_time timestamptz,
  out job_ids text[]
)
language plpgsql
set search_path = ''
as $$
declare
  v_batch public.sms_batches;
  v_inserted integer;
begin
  if p_expires_at is not null and p_valid_for_seconds is not null then
    perform private.raise_error('invalid_expiry', 'give validFor or expiresAt, not both');
  end if;
  if p_items is null or pg_catalog.jsonb_typeof(p_items) <> 'array' or p_rejected is null or p_rejected < 0 then
    perform private.raise_error('invalid_argument', 'items must be a JSON array and rejected a count');
  end if;
  scheduled_time := coalesce(p_scheduled_time, pg_catalog.now());
  perform private.validate_send_time(scheduled_time);
  insert into public.sms_batches
    (workspace_id, created_by, scheduled_time, template_id, template_version, metadata, accepted, rejected)
  values
    (p_workspace_id, p_created_by, scheduled_time, p_template_id, p_template_version, coalesce(p_metadata, '{}'),
     pg_catalog.jsonb_array_length(p_items), p_rejected)
  returning * into v_batch;

  with items as materialized (
    select private.new_id('job') as id, i.*
    from rows from (pg_catalog.jsonb_to_recordset(p_items)
           as (to_phone text, body text, metadata jsonb, template_variables jsonb, encoding text, segments integer))
         with ordinality as i (to_phone, body, metadata, template_variables, encoding, segments, position)
  ),
  inserted as (
    insert into public.scheduled_sms_jobs
      (id, workspace_id, to_phone, from_number, body, media_urls, scheduled_time, metadata, created_by,
       template_id, template_version, template_variables, encoding, segments, batch_id,
       retry_policy, expires_at)
    select items.id, p_workspace_id, items.to_phone, p_from_number, items.body, coalesce(p_media_urls, '{}'),
           v_batch.scheduled_time, v_batch.metadata || coalesce(items.metadata, '{}'), p_created_by,
           p_template_id, p_template_version, items.template_variables, items.encoding, items.segments, v_batch.id,
           p_retry_policy,
           coalesce(p_expires_at, v_batch.scheduled_time + pg_catalog.make_interval(secs => p_valid_for_seconds))
    from items
    order by items.position
    returning 1
  )
  select coalesce(pg_catalog.array_agg(items.id order by items.position), '{}'),
         (select pg_catalog.count(*) from inserted)
  into job_ids, v_inserted
  from items;
  if v_inserted <> pg_catalog.cardinality(job_ids) then
    raise exception 'batch % inserted % of % jobs', v_batch.id, v_inserted, pg_catalog.cardinality(job_ids);
  end if;

  batch_id := v_batch.id;
  created_at := v_batch.created_at;
end;
$$;
comment on function private.create_batch is
  'Creates a schedule-bulk batch and its jobs (one INSERT … SELECT through the job insert trigger); job_ids are in p_items order.';

-- Recurring schedules keep the message's retry policy overrides and its validity (seconds from
-- each occurrence's time); each occurrence resolves the policy when it becomes a job, like any
-- new job, and expires that long after its time.
alter table public.recurring_sms_schedules
  add column retry_policy jsonb,
  add column valid_for_seconds integer;
comment on column public.recurring_sms_schedules.retry_policy is
  'Retry policy overrides for each occurrence (resolved against the workspace''s when the occurrence becomes a job).';
comment on column public.recurring_sms_schedules.valid_for_seconds is
  'Each occurrence expires this many seconds after its time; null: no expiry.';
grant insert (retry_policy, valid_for_seconds) on public.recurring_sms_schedules to authenticated;

create function private.check_schedule_retry_policy_and_expiry()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform private.check_retry_policy(new.retry_policy);
  if new.valid_for_seconds is not null and new.valid_for_seconds
       not between private.limit_value('expiry_min_seconds') and private.limit_value('expiry_max_seconds') then
    perform private.raise_error('invalid_expiry', pg_catalog.format('valid_for_seconds must be %s to %s',
      private.limit_value('expiry_min_seconds'), private.limit_value('expiry_max_seconds')));
  end if;
  return new;
end;
$$;
create trigger recurring_sms_schedules_retry_policy before insert on public.recurring_sms_schedules
  for each row execute function private.check_schedule_retry_policy_and_expiry();

drop function private.create_recurring_schedule(text, text, text, text, text, text, text[], timestamptz,
  timestamptz, integer, jsonb, uuid, text, integer, jsonb, text, integer);
-- Creates a schedule through the same INSERT path as direct inserts, and previews its next runs.
create function private.create_recurring_schedule(
  p_workspace_id text,
  p_to_phone text,
  p_body text,
  p_cron_expression text,
  p_timezone text default null,
  p_from_number text default null,
  p_media_urls text[] default '{}',
  p_start_at timestamptz default null,
  p_end_at timestamptz default null,
  p_max_occurrences integer default null,
  p_metadata jsonb default '{}',
  p_created_by uuid default null,
  p_template_id text default null,
  p_template_version integer default null,
  p_template_variables jsonb default null,
  p_encoding text default null,
  p_segments integer default null,
  p_retry_policy jsonb default null,
  p_valid_for_seconds integer default null
) returns table (
  id text,
  workspace_id text,
  status public.recurring_schedule_status,
  cron_expression text,
  timezone text,
  start_at timestamptz,
  end_at timestamptz,
  max_occurrences integer,
  next_run_at timestamptz,
  next_runs timestamptz[],
  created_at timestamptz
)
language plpgsql
set search_path = ''
as $$
declare
  v_schedule public.recurring_sms_schedules;
begin
  insert into public.recurring_sms_schedules
    (workspace_id, to_phone, from_number, body, media_urls, metadata, cron_expression, timezone,
     start_at, end_at, max_occurrences, created_by, template_id, template_version, template_variables,
     encoding, segments, retry_policy, valid_for_seconds)
  values
    (p_workspace_id, p_to_phone, p_from_number, p_body, coalesce(p_media_urls, '{}'),
     coalesce(p_metadata, '{}'), p_cron_expression, p_timezone, coalesce(p_start_at, pg_catalog.now()),
     p_end_at, p_max_occurrences, p_created_by, p_template_id, p_template_version, p_template_variables,
     p_encoding, p_segments, p_retry_policy, p_valid_for_seconds)
  returning * into v_schedule;
  return query
  select v_schedule.id, v_schedule.workspace_id, v_schedule.status, v_schedule.cron_expression,
         v_schedule.timezone, v_schedule.start_at, v_schedule.end_at, v_schedule.max_occurrences,
         v_schedule.next_run_at, private.schedule_upcoming_runs(v_schedule), v_schedule.created_at;
end;
$$;
comment on function private.create_recurring_schedule is
  'Creates a recurring schedule (validated by the insert triggers) and returns it with its next preview_runs run times.';


-- materialise_schedule of 20261130000210, with the schedule's retry policy and validity.
-- Materialises one locked, active schedule up to p_now + lookahead. Returns the jobs created.
create or replace function private.materialise_schedule(
  p_schedule public.recurring_sms_schedules,
  p_now timestamptz,
  out materialised integer,
  out missed integer,
  out skipped integer,
  out ended boolean
)
language plpgsql
set search_path = ''
as $$
declare
  v_spec private.cron_spec := private.parse_cron(p_schedule.cron_expression);
  v_horizon timestamptz := p_now + pg_catalog.make_interval(secs => private.limit_value('recurring_lookahead_seconds'));
  v_cutoff timestamptz := p_now - pg_catalog.make_interval(secs => private.limit_value('recurring_missed_tolerance_seconds'));
  v_next timestamptz := p_schedule.next_run_at;
  v_count integer := p_schedule.occurrences_count;
  v_last timestamptz := p_schedule.last_run_at;
  v_first_missed timestamptz;
  v_last_missed timestamptz;
  v_capped boolean := false;
  v_job_id text;
  v_error_code text;
  v_error_message text;
  v_end_reason text;
begin
  materialised := 0;
  missed := 0;
  skipped := 0;
  ended := false;

  -- Downtime: occurrences already more than the tolerance late are recorded, not sent.
  if v_next is not null and v_next < v_cutoff
     and (p_schedule.end_at is null or v_next < p_schedule.end_at) then
    v_first_missed := v_next;
    while v_next is not null and v_next < v_cutoff
          and (p_schedule.end_at is null or v_next < p_schedule.end_at) loop
      if missed >= private.limit_value('recurring_missed_count_max') then
        v_capped := true;
        -- Jump straight to the first occurrence within the tolerance.
        v_next := private.cron_next_from_spec(v_spec, p_schedule.timezone, v_cutoff - interval '1 microsecond');
        exit;
      end if;
      missed := missed + 1;
      v_last_missed := v_next;
      v_next := private.cron_next_from_spec(v_spec, p_schedule.timezone, v_next);
    end loop;
    insert into public.recurring_sms_schedule_events
      (schedule_id, workspace_id, event_type, occurrence_at, details)
    values (p_schedule.id, p_schedule.workspace_id, 'occurrences_missed', v_first_missed,
      pg_catalog.jsonb_build_object('count', missed, 'count_is_lower_bound', v_capped,
        'first_missed_at', v_first_missed, 'last_missed_at', v_last_missed,
        'tolerance_seconds', private.limit_value('recurring_missed_tolerance_seconds'),
        'swept_at', p_now));
  end if;

  loop
    if v_next is null then
      v_end_reason := 'no_more_occurrences';
    elsif p_schedule.end_at is not null and v_next >= p_schedule.end_at then
      v_end_reason := 'end_at';
    elsif p_schedule.max_occurrences is not null and v_count >= p_schedule.max_occurrences then
      v_end_reason := 'max_occurrences';
    end if;
    exit when v_end_reason is not null;
    exit when v_next > v_horizon or materialised + skipped >= private.limit_value('recurring_occurrences_per_sweep');

    -- The same INSERT path as every job (validation trigger); the unique (schedule, occurrence)
    -- key makes a second materialisation of the same occurrence a no-op.
    begin
      v_job_id := null;
      insert into public.scheduled_sms_jobs
        (workspace_id, to_phone, from_number, body, media_urls, metadata, scheduled_time,
         created_by, recurring_schedule_id, occurrence_at, template_id, template_version, template_variables,
         encoding, segments, retry_policy, expires_at)
      values
        (p_schedule.workspace_id, p_schedule.to_phone, p_schedule.from_number, p_schedule.body,
         p_schedule.media_urls, p_schedule.metadata, greatest(v_next, p_now),
         p_schedule.created_by, p_schedule.id, v_next, p_schedule.template_id, p_schedule.template_version,
         p_schedule.template_variables, p_schedule.encoding, p_schedule.segments, p_schedule.retry_policy,
         greatest(v_next, p_now) + pg_catalog.make_interval(secs => p_schedule.valid_for_seconds))
      on conflict (recurring_schedule_id, occurrence_at) where recurring_schedule_id is not null do nothing
      returning id into v_job_id;
      if v_job_id is not null then
        materialised := materialised + 1;
        v_count := v_count + 1;
      end if;
    exception when others then
      get stacked diagnostics v_error_code = pg_exception_hint, v_error_message = message_text;
      if coalesce(v_error_code, '') = '' then
        get stacked diagnostics v_error_code = returned_sqlstate;
      end if;
      skipped := skipped + 1;
      insert into public.recurring_sms_schedule_events
        (schedule_id, workspace_id, event_type, occurrence_at, error_code, error_message)
      values (p_schedule.id, p_schedule.workspace_id, 'occurrence_skipped', v_next,
        v_error_code, v_error_message);
    end;
    v_last := v_next;
    v_next := private.cron_next_from_spec(v_spec, p_schedule.timezone, v_next);
  end loop;

  update public.recurring_sms_schedules
  set occurrences_count = v_count,
      last_run_at = v_last,
      next_run_at = case when v_end_reason is null then v_next end,
      missed_count = missed_count + missed,
      skipped_count = skipped_count + skipped
  where id = p_schedule.id;
  if v_end_reason is not null then
    perform private.end_schedule(p_schedule.id, v_end_reason);
    ended := true;
  end if;
end;
$$;
comment on function private.materialise_schedule is
  'One schedule''s share of a sweep: records missed occurrences, creates jobs up to the lookahead, ends the schedule at end_at / max_occurrences.';
