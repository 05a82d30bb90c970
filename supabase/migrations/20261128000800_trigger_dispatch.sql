-- Dispatch to Trigger.dev ('trigger' dispatch mode). The database decides what is due and hands
-- each pending attempt to the `send-sms` task (trigger/messageJobs.ts) through Trigger.dev's batch
-- trigger endpoint, with pg_net:
--   * an AFTER INSERT statement trigger dispatches new rows due within the horizon;
--   * an AFTER UPDATE statement trigger dispatches rows that became 'retrying' within the horizon;
--   * the pg_cron sweep dispatches rows as they come within the horizon, and dispatches again any
--     row still not claimed a grace period after it was due (pg_net is fire-and-forget: a request
--     lost in a crash, refused by a rate limit or never answered is repaired here, never assumed).
-- The task claims the row by id (private.claim_job), so an extra run for a row that was already
-- claimed, cancelled or completed does nothing. In 'local' mode (the default) none of this runs.

-- Service settings for Trigger.dev. private.settings is not readable by anon or authenticated.
insert into private.settings (key, value, description) values
  ('trigger_api_url', 'https://api.trigger.dev',
   'Trigger.dev API base URL: Trigger.dev Cloud, or a self-hosted instance.'),
  ('trigger_secret_key', '',
   'Secret API key (tr_prod_…) of the Trigger.dev environment running the send-sms task. While empty, ''trigger'' mode dispatches nothing and the sweep logs a warning.')
on conflict (key) do nothing;

-- Limits of dispatching. Mirrored by dispatchLimits in supabase/functions/_shared/limits.ts
-- (tests/trigger-dispatch keeps them equal).
create function private.dispatch_limit(p_name text)
returns bigint
language sql
immutable
parallel safe
set search_path = ''
as $$
  select case p_name
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
  end
$$;
comment on function private.dispatch_limit is 'The limits of dispatching rows to Trigger.dev, by name.';

-- The jobs table's dispatched_at / dispatch_count columns (20261128000300_messages.sql) record
-- which attempt has been handed to Trigger.dev.

-- A new retry is a new attempt: it has not been dispatched yet.
create function private.reset_dispatch_on_retry()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.dispatched_at := null;
  return new;
end;
$$;
create trigger scheduled_sms_jobs_reset_dispatch before update on public.scheduled_sms_jobs
  for each row when (new.status = 'retrying' and old.status is distinct from 'retrying')
  execute function private.reset_dispatch_on_retry();

-- 'trigger' mode with a secret key: the only state in which anything is dispatched.
create function private.trigger_dispatch_enabled()
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(private.setting('dispatch_mode') = 'trigger', false)
     and coalesce(private.setting('trigger_secret_key'), '') <> ''
$$;

-- Trigger.dev's idempotency key for one dispatch of one attempt: a lost request sent again is
-- the same run; a re-dispatch or the next attempt is a new one.
create function private.dispatch_idempotency_key(p_job_id text, p_attempt integer, p_dispatch_count integer)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
  select p_job_id || ':attempt-' || p_attempt || ':dispatch-' || p_dispatch_count
$$;

-- One item of a batch trigger request (BatchTriggerTaskItem in @trigger.dev/core/v3/schemas).
-- The task id is the `send-sms` task of trigger/messageJobs.ts. delay is the due time as ISO-8601
-- UTC with Z, rounded up to the millisecond (a run must not start before the row is due), and only
-- when it is in the future. The workspace is the concurrency key: each workspace gets its own
-- slice of the task queue's concurrency, so one tenant's bulk send cannot starve the others.
create function private.trigger_batch_item(
  p_job_id text,
  p_workspace_id text,
  p_attempt integer,
  p_dispatch_count integer,
  p_due timestamptz
) returns jsonb
language sql
stable
set search_path = ''
as $$
  select pg_catalog.jsonb_build_object(
    'task', 'send-sms',
    'payload', pg_catalog.jsonb_build_object('jobId', p_job_id),
    'options', pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
      'payloadType', 'application/json',
      'delay', case when p_due > pg_catalog.now() then
        pg_catalog.to_char(
          pg_catalog.date_trunc('milliseconds', p_due + interval '999 microseconds') at time zone 'UTC',
          'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') end,
      'idempotencyKey', private.dispatch_idempotency_key(p_job_id, p_attempt, p_dispatch_count),
      'concurrencyKey', p_workspace_id,
      'tags', pg_catalog.jsonb_build_array('workspace:' || p_workspace_id))))
$$;

-- Sends the given jobs (those still pending) to Trigger.dev, in the order given (callers pass them
-- earliest due first): per dispatch_batch_items jobs, one UPDATE marking them dispatched and one
-- POST {trigger_api_url}/api/v2/tasks/batch. One UPDATE per chunk, not one for all: the job table's
-- statement triggers then never see more than a chunk's rows. Callers bound the number of ids;
-- pg_net sends the requests only after the transaction commits (a rollback sends nothing).
create function private.dispatch_jobs(p_job_ids text[], out jobs integer, out requests integer)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_batch integer := private.dispatch_limit('dispatch_batch_items')::integer;
  v_total integer := coalesce(pg_catalog.cardinality(p_job_ids), 0);
  v_url text;
  v_headers jsonb;
  v_body jsonb;
  v_count integer;
  v_start integer := 1;
begin
  jobs := 0;
  requests := 0;
  if v_total = 0 or not private.trigger_dispatch_enabled() then
    return;
  end if;
  v_url := pg_catalog.rtrim(private.setting('trigger_api_url'), '/') || '/api/v2/tasks/batch';
  v_headers := pg_catalog.jsonb_build_object(
    'Content-Type', 'application/json',
    'Authorization', 'Bearer ' || private.setting('trigger_secret_key'));

  while v_start <= v_total loop
    with marked as (
      update public.scheduled_sms_jobs j
      set dispatched_at = pg_catalog.now(),
          dispatch_count = j.dispatch_count + 1
      from (select distinct u.id from pg_catalog.unnest(p_job_ids[v_start:v_start + v_batch - 1]) as u(id)) wanted
      where j.id = wanted.id and j.status in ('queued', 'scheduled', 'retrying')
      returning j.id, j.workspace_id, j.attempts, j.dispatch_count, j.next_attempt_at
    )
    select pg_catalog.count(*)::integer,
           pg_catalog.jsonb_build_object('items', pg_catalog.jsonb_agg(
             private.trigger_batch_item(m.id, m.workspace_id, m.attempts + 1, m.dispatch_count, m.next_attempt_at)
             order by m.next_attempt_at, m.id))
    into v_count, v_body
    from marked m;
    if v_count > 0 then
      perform net.http_post(
        url := v_url,
        body := v_body,
        headers := v_headers,
        timeout_milliseconds := private.dispatch_limit('dispatch_request_timeout_ms')::integer);
      jobs := jobs + v_count;
      requests := requests + 1;
    end if;
    v_start := v_start + v_batch;
  end loop;
end;
$$;
comment on function private.dispatch_jobs is
  'Marks the given pending jobs dispatched and sends them, in the given order, to Trigger.dev''s batch trigger endpoint in chunks of dispatch_batch_items.';

-- New rows, and rows that became 'retrying' (retry_job, expired leases; the BEFORE UPDATE trigger
-- above cleared their dispatched_at): dispatch those not yet dispatched that are due
-- within the horizon, earliest first, at most dispatch_requests_per_statement requests' worth; the
-- sweep takes the rest a minute later. No join of old and new rows is needed, and the dispatch's
-- own UPDATE sets dispatched_at, so it selects nothing when this fires again.
create function private.dispatch_new_pending_jobs()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_ids text[];
begin
  if not private.trigger_dispatch_enabled() then
    return null;
  end if;
  select pg_catalog.array_agg(d.id order by d.next_attempt_at, d.id) into v_ids
  from (
    select n.id, n.next_attempt_at from new_jobs n
    where (case when tg_op = 'INSERT' then n.status in ('queued', 'scheduled', 'retrying')
                else n.status = 'retrying' end)
      and n.dispatched_at is null
      and n.next_attempt_at <= pg_catalog.now()
        + pg_catalog.make_interval(secs => private.dispatch_limit('dispatch_horizon_seconds'))
    order by n.next_attempt_at, n.id
    limit private.dispatch_limit('dispatch_requests_per_statement') * private.dispatch_limit('dispatch_batch_items')
  ) d;
  perform private.dispatch_jobs(v_ids);
  return null;
end;
$$;
create trigger scheduled_sms_jobs_dispatch_insert after insert on public.scheduled_sms_jobs
  referencing new table as new_jobs
  for each statement execute function private.dispatch_new_pending_jobs();
create trigger scheduled_sms_jobs_dispatch_retry after update on public.scheduled_sms_jobs
  referencing new table as new_jobs
  for each statement execute function private.dispatch_new_pending_jobs();

-- The sweep's share: first the rows entering the horizon that were never dispatched (or whose
-- statement went over its cap), then rows not claimed within the grace period after both their due
-- time and their last dispatch. Together at most dispatch_requests_per_sweep requests; rows locked
-- by a claim in progress are skipped.
create function private.dispatch_sweep(out dispatched integer, out redispatched integer, out requests integer)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_batch bigint := private.dispatch_limit('dispatch_batch_items');
  v_budget bigint := private.dispatch_limit('dispatch_requests_per_sweep');
  v_ids text[];
  v_requests integer;
begin
  dispatched := 0;
  redispatched := 0;
  requests := 0;
  if private.setting('dispatch_mode') is distinct from 'trigger' then
    return;
  end if;
  if not private.trigger_dispatch_enabled() then
    raise warning 'dispatch_mode is ''trigger'' but private.settings has no trigger_secret_key: nothing is dispatched';
    return;
  end if;

  select pg_catalog.array_agg(d.id order by d.next_attempt_at, d.id) into v_ids
  from (
    select j.id, j.next_attempt_at from public.scheduled_sms_jobs j
    where j.status in ('queued', 'scheduled', 'retrying')
      and j.next_attempt_at <= pg_catalog.now()
        + pg_catalog.make_interval(secs => private.dispatch_limit('dispatch_horizon_seconds'))
      and j.dispatched_at is null
    order by j.next_attempt_at, j.id
    limit v_budget * v_batch
    for update skip locked
  ) d;
  select r.jobs, r.requests into dispatched, v_requests from private.dispatch_jobs(v_ids) r;
  requests := v_requests;

  if requests < v_budget then
    select pg_catalog.array_agg(d.id order by d.next_attempt_at, d.id) into v_ids
    from (
      select j.id, j.next_attempt_at from public.scheduled_sms_jobs j
      where j.status in ('queued', 'scheduled', 'retrying')
        and j.next_attempt_at < pg_catalog.now()
          - pg_catalog.make_interval(secs => private.dispatch_limit('dispatch_grace_seconds'))
        and j.dispatched_at < pg_catalog.now()
          - pg_catalog.make_interval(secs => private.dispatch_limit('dispatch_grace_seconds'))
      order by j.next_attempt_at, j.id
      limit (v_budget - requests) * v_batch
      for update skip locked
    ) d;
    select r.jobs, r.requests into redispatched, v_requests from private.dispatch_jobs(v_ids) r;
    requests := requests + v_requests;
  end if;
end;
$$;
comment on function private.dispatch_sweep is
  'Trigger mode: dispatches rows entering the horizon and re-dispatches rows not claimed within the grace period; at most dispatch_requests_per_sweep requests.';

alter table private.sweep_runs
  add column dispatched integer not null default 0,
  add column redispatched integer not null default 0,
  add column dispatch_requests integer not null default 0;
comment on column private.sweep_runs.dispatched is 'Rows the sweep sent to Trigger.dev for the first time (''trigger'' mode).';
comment on column private.sweep_runs.redispatched is 'Rows sent again because no run claimed them within the grace period.';
comment on column private.sweep_runs.dispatch_requests is 'Batch trigger requests the sweep made.';

-- The sweep of 20261128000500_sweep_and_monitoring.sql (expired leases, recurring occurrences,
-- bookkeeping) plus dispatch, last. Expired leases go first: the rows they return to 'retrying' are
-- dispatched by the update trigger in the same transaction. This definition replaces the earlier
-- one: whoever changes the sweep changes it here and keeps every step.
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
  -- Recurring schedules: occurrences due within the lookahead become jobs, before dispatch
  -- (private.materialise_recurring, 20261128000900_recurring.sql).
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
  'The periodic sweep: recovers expired leases, materialises recurring occurrences, dispatches to Trigger.dev in ''trigger'' mode, and records that it ran.';
