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

-- The Trigger.dev secret key (tr_prod_…) is a Vault secret named trigger_secret_key; while it is
-- missing, 'trigger' mode dispatches nothing and the sweep logs a warning. Set it with
-- select private.set_secret('trigger_secret_key', 'tr_prod_…').

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
  -- CASE, not AND: the secret is decrypted only in 'trigger' mode (this runs on every insert).
  select case when private.setting('dispatch_mode') = 'trigger'
              then coalesce(private.secret('trigger_secret_key'), '') <> ''
              else false end
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
  v_batch integer := private.limit_value('dispatch_batch_items')::integer;
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
    'Authorization', 'Bearer ' || private.secret('trigger_secret_key'));

  while v_start <= v_total loop
    with marked as (
      update public.scheduled_sms_jobs j
      set dispatched_at = pg_catalog.now(),
          dispatch_count = j.dispatch_count + 1
      from (select distinct u.id from pg_catalog.unnest(p_job_ids[v_start:v_start + v_batch - 1]) as u(id)) wanted
      where j.id = wanted.id and j.is_pending
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
        timeout_milliseconds := private.limit_value('dispatch_request_timeout_ms')::integer);
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
    where (case when tg_op = 'INSERT' then n.is_pending else n.status = 'retrying' end)
      and n.dispatched_at is null
      and n.next_attempt_at <= pg_catalog.now()
        + pg_catalog.make_interval(secs => private.limit_value('dispatch_horizon_seconds'))
    order by n.next_attempt_at, n.id
    limit private.limit_value('dispatch_requests_per_statement') * private.limit_value('dispatch_batch_items')
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
  v_batch bigint := private.limit_value('dispatch_batch_items');
  v_budget bigint := private.limit_value('dispatch_requests_per_sweep');
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
    raise warning 'dispatch_mode is ''trigger'' but Vault has no trigger_secret_key: nothing is dispatched';
    return;
  end if;

  select pg_catalog.array_agg(d.id order by d.next_attempt_at, d.id) into v_ids
  from (
    select j.id, j.next_attempt_at from public.scheduled_sms_jobs j
    where j.is_pending
      and j.next_attempt_at <= pg_catalog.now()
        + pg_catalog.make_interval(secs => private.limit_value('dispatch_horizon_seconds'))
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
      where j.is_pending
        and j.next_attempt_at < pg_catalog.now()
          - pg_catalog.make_interval(secs => private.limit_value('dispatch_grace_seconds'))
        and j.dispatched_at < pg_catalog.now()
          - pg_catalog.make_interval(secs => private.limit_value('dispatch_grace_seconds'))
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

