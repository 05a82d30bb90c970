-- Creating jobs and handing them to workers: private.create_job (the API's path, through the same
-- insert trigger as direct inserts), claims with leases, lease renewal and expiry, and the NOTIFY
-- that wakes local runners when work arrives.

-- Creation: the API's path. The BEFORE INSERT trigger validates, exactly as for direct inserts.
create function private.create_job(
  p_workspace_id text,
  p_to_phone text,
  p_body text,
  p_from_number text default null,
  p_media_urls text[] default '{}',
  p_scheduled_time timestamptz default null,
  p_metadata jsonb default '{}',
  p_created_by uuid default null
) returns public.scheduled_sms_jobs
language plpgsql
set search_path = ''
as $$
declare
  v_job public.scheduled_sms_jobs;
begin
  insert into public.scheduled_sms_jobs
    (workspace_id, to_phone, from_number, body, media_urls, scheduled_time, metadata, created_by)
  values
    (p_workspace_id, p_to_phone, p_from_number, p_body, coalesce(p_media_urls, '{}'),
     coalesce(p_scheduled_time, pg_catalog.now()), coalesce(p_metadata, '{}'), p_created_by)
  returning * into v_job;
  return v_job;
end;
$$;
comment on function private.create_job is 'Creates a job (status queued if due now, scheduled if later) and its created event.';

-- Claim up to p_limit due jobs in one statement (graphile-worker style): rows another claimer holds
-- are skipped, not waited for, so concurrent claimers never get the same row.
create function private.claim_due_jobs(
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
    select j.id
    from public.scheduled_sms_jobs j
    where j.is_pending
      and j.next_attempt_at <= pg_catalog.now() + pg_catalog.make_interval(secs => p_lookahead_ms / 1000.0)
    order by j.next_attempt_at
    limit p_limit
    for update skip locked
  )
  update public.scheduled_sms_jobs j
  set status = 'processing',
      status_reason = null,
      attempts = j.attempts + 1,
      lease_owner = p_worker,
      lease_expires_at = pg_catalog.now() + pg_catalog.make_interval(secs => p_lease_seconds)
  from due
  where j.id = due.id
  returning j.*;
end;
$$;
comment on function private.claim_due_jobs is
  'Claims jobs due now (or within p_lookahead_ms: a runner claims just ahead and sends at the due time, so claiming never makes a send late) for a worker: status processing, attempts + 1, lease set. Skips locked rows.';

create function private.claim_job(
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
comment on function private.claim_job is 'Claims one due job by id (the Trigger.dev task path).';

create function private.renew_leases(
  p_worker text,
  p_job_ids text[],
  p_lease_seconds integer default private.limit_value('default_lease_seconds')::integer
) returns integer
language plpgsql
set search_path = ''
as $$
declare
  v_count integer;
begin
  perform private.check_worker_args(p_worker, p_lease_seconds);
  update public.scheduled_sms_jobs
  set lease_expires_at = pg_catalog.now() + pg_catalog.make_interval(secs => p_lease_seconds)
  where id = any (p_job_ids) and status = 'processing' and lease_owner = p_worker;
  get diagnostics v_count = row_count;
  return v_count;
end;
$$;
comment on function private.renew_leases is 'Extends the leases a worker still holds; returns how many it holds.';

-- A worker that died mid-attempt leaves its lease to expire. Whether Twilio got the message is
-- unknown, so the job is retried (or failed if no attempts are left) and the event says so.
create function private.expire_stale_leases()
returns integer
language plpgsql
set search_path = ''
as $$
declare
  v_count integer;
begin
  with stale as (
    select j.id from public.scheduled_sms_jobs j
    where j.status = 'processing' and j.lease_expires_at < pg_catalog.now()
    for update skip locked
  )
  update public.scheduled_sms_jobs j
  set status = case when j.attempts < j.max_attempts then 'retrying' else 'failed' end::public.sms_job_status,
      status_reason = case when j.attempts < j.max_attempts then 'lease_expired' else 'retries_exhausted' end,
      last_error_code = 'lease_expired',
      last_error_message = 'the worker''s lease expired before the attempt was recorded; the message may or may not have been sent',
      next_attempt_at = pg_catalog.now(),
      lease_owner = null,
      lease_expires_at = null
  from stale
  where j.id = stale.id;
  get diagnostics v_count = row_count;
  return v_count;
end;
$$;
comment on function private.expire_stale_leases is 'processing jobs whose lease expired -> retrying (or failed when no attempts are left).';

-- Local runners sleep until the next due job; this wakes them when rows arrive or come back.
create function private.notify_jobs_due()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_next timestamptz;
begin
  select min(n.next_attempt_at) into v_next from new_jobs n
  where n.is_pending;
  if v_next is not null then
    perform pg_catalog.pg_notify('sms_jobs_due', (extract(epoch from v_next) * 1000)::bigint::text);
  end if;
  return null;
end;
$$;
create trigger scheduled_sms_jobs_notify_insert after insert on public.scheduled_sms_jobs
  referencing new table as new_jobs
  for each statement execute function private.notify_jobs_due();
create trigger scheduled_sms_jobs_notify_update after update on public.scheduled_sms_jobs
  referencing new table as new_jobs
  for each statement execute function private.notify_jobs_due();

