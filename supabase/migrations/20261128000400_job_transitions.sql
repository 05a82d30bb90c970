-- Job status transitions. The state machine is defined once (private.is_allowed_job_transition) and
-- enforced on every UPDATE; each transition function checks the from-state with a clear error, and
-- every status change is written to sms_job_events in the same transaction by one statement trigger.

create function private.is_allowed_job_transition(
  p_from public.sms_job_status,
  p_to public.sms_job_status
) returns boolean
language sql
immutable
parallel safe
set search_path = ''
as $$
  select case p_to
    when 'processing' then p_from in ('queued', 'scheduled', 'retrying')
    when 'cancelled' then p_from in ('queued', 'scheduled', 'retrying')
    -- retrying -> completed: a late success from an attempt whose lease had expired.
    when 'completed' then p_from in ('processing', 'retrying')
    when 'retrying' then p_from = 'processing'
    when 'failed' then p_from = 'processing'
    else false
  end
$$;
comment on function private.is_allowed_job_transition is 'The job state machine: the only allowed status changes.';

create function private.is_pending_job_status(p_status public.sms_job_status)
returns boolean
language sql
immutable
parallel safe
set search_path = ''
as $$
  select p_status in ('queued', 'scheduled', 'retrying')
$$;
comment on function private.is_pending_job_status is 'Waiting to be sent: may be claimed or cancelled.';
-- Pure helpers, callable by the API roles: the guard trigger below runs with the updating role's
-- rights, and service_role (which may update jobs) must reach the state machine, not a permission error.
grant execute on function private.is_allowed_job_transition(public.sms_job_status, public.sms_job_status),
  private.is_pending_job_status(public.sms_job_status)
  to authenticated, service_role;

create function private.guard_job_update()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.id <> old.id or new.workspace_id <> old.workspace_id or new.to_phone <> old.to_phone
     or new.from_number <> old.from_number or new.body <> old.body
     or new.media_urls <> old.media_urls or new.scheduled_time <> old.scheduled_time
     or new.created_at <> old.created_at then
    perform private.raise_error('immutable_column',
      'a job''s id, workspace, recipient, sender, body, media and scheduled_time are fixed once created');
  end if;
  if new.status <> old.status and not private.is_allowed_job_transition(old.status, new.status) then
    perform private.raise_error('invalid_transition', pg_catalog.format(
      'job %s cannot go from %s to %s', old.id, old.status, new.status));
  end if;
  return new;
end;
$$;
create trigger scheduled_sms_jobs_guard before update on public.scheduled_sms_jobs
  for each row execute function private.guard_job_update();

create function private.log_job_transitions()
returns trigger
language plpgsql
security definer
set search_path = ''
-- Transition tables have no statistics; a plan cached from small updates would join a large one
-- row by row. A hash join is right at every size.
set enable_nestloop = off
as $$
begin
  insert into public.sms_job_events
    (job_id, workspace_id, event_type, from_status, to_status, attempt, error_code, error_message, details, actor)
  select n.id, n.workspace_id,
         case n.status
           when 'processing' then 'claimed'
           when 'retrying' then 'retry_scheduled'
           else n.status::text
         end,
         o.status, n.status, n.attempts,
         case when n.status in ('retrying', 'failed') then n.last_error_code end,
         case when n.status in ('retrying', 'failed') then n.last_error_message end,
         pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
           'reason', n.status_reason,
           'max_attempts', n.max_attempts,
           'next_attempt_at', case when n.status = 'retrying' then n.next_attempt_at end,
           'lease_owner', coalesce(n.lease_owner, o.lease_owner),
           'lease_expires_at', n.lease_expires_at,
           'twilio_sid', n.twilio_sid,
           'message_status', n.message_status)),
         auth.uid()
  from new_rows n
  join old_rows o on o.id = n.id
  where n.status is distinct from o.status;
  return null;
end;
$$;
create trigger scheduled_sms_jobs_log_transitions after update on public.scheduled_sms_jobs
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.log_job_transitions();

create function private.check_worker_args(p_worker text, p_lease_seconds integer)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_worker is null or pg_catalog.char_length(p_worker) not between 1 and 200 then
    perform private.raise_error('invalid_argument', 'worker id must have 1 to 200 characters');
  end if;
  if p_lease_seconds is null or p_lease_seconds < 1
     or p_lease_seconds > private.limit_value('max_lease_seconds') then
    perform private.raise_error('invalid_argument', pg_catalog.format(
      'lease must be 1 to %s seconds', private.limit_value('max_lease_seconds')));
  end if;
end;
$$;

create function private.lock_job(p_job_id text)
returns public.scheduled_sms_jobs
language plpgsql
set search_path = ''
as $$
declare
  v_job public.scheduled_sms_jobs;
begin
  select * into v_job from public.scheduled_sms_jobs where id = p_job_id for update;
  if not found then
    perform private.raise_error('job_not_found', pg_catalog.format('job %s does not exist', p_job_id));
  end if;
  return v_job;
end;
$$;

create function private.require_transition(p_job public.scheduled_sms_jobs, p_to public.sms_job_status)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if not private.is_allowed_job_transition(p_job.status, p_to) then
    perform private.raise_error('invalid_transition', pg_catalog.format(
      'job %s is %s and cannot become %s', p_job.id, p_job.status, p_to));
  end if;
end;
$$;

create function private.require_lease(p_job public.scheduled_sms_jobs, p_worker text)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_job.status = 'processing' and p_job.lease_owner is distinct from p_worker then
    perform private.raise_error('lease_lost', pg_catalog.format(
      'job %s is leased to %s, not %s', p_job.id, p_job.lease_owner, p_worker));
  end if;
end;
$$;

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
    where j.status in ('queued', 'scheduled', 'retrying')
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

-- Twilio's message statuses in delivery order. A callback may only move a job forward, so a late
-- 'sent' never overwrites 'delivered'. Terminal statuses share the top rank except 'read'.
create function private.message_status_rank(p_status text)
returns integer
language sql
immutable
parallel safe
set search_path = ''
as $$
  select case p_status
    when 'accepted' then 1
    when 'scheduled' then 1
    when 'queued' then 2
    when 'sending' then 3
    when 'sent' then 4
    when 'delivered' then 5
    when 'undelivered' then 5
    when 'failed' then 5
    when 'canceled' then 5
    when 'read' then 6
  end
$$;
comment on function private.message_status_rank is 'Order of Twilio message statuses; null for statuses we do not know.';

-- The later of two message statuses: a completion recorded after a faster callback keeps the callback's.
create function private.later_message_status(p_current text, p_new text)
returns text
language sql
immutable
set search_path = ''
as $$
  select case when coalesce(private.message_status_rank(p_current), 0) > coalesce(private.message_status_rank(p_new), 0)
              then p_current else p_new end
$$;

create function private.complete_job(
  p_job_id text,
  p_worker text,
  p_twilio_sid text,
  p_message_status text default 'queued'
) returns public.scheduled_sms_jobs
language plpgsql
set search_path = ''
as $$
declare
  v_job public.scheduled_sms_jobs;
begin
  if p_twilio_sid is null or p_twilio_sid = '' then
    perform private.raise_error('invalid_argument', 'a completed job needs the Twilio message sid');
  end if;
  v_job := private.lock_job(p_job_id);
  -- Twilio accepted a message, so this function never refuses: the send happened and must be on
  -- record. If the worker lost its lease meanwhile, either the job still waits for a retry (the
  -- late success completes it) or another attempt/cancel owns it: then the send is logged as a
  -- duplicate for whoever reconciles.
  if (v_job.status = 'processing' and v_job.lease_owner = p_worker)
     or (v_job.status = 'retrying' and v_job.twilio_sid is null) then
    update public.scheduled_sms_jobs
    set status = 'completed',
        status_reason = case when v_job.status = 'retrying' then 'completed_after_lease_expired'
                             else 'accepted_by_twilio' end,
        twilio_sid = p_twilio_sid,
        -- a status callback may have arrived first (see private.record_message_status)
        message_status = private.later_message_status(v_job.message_status, p_message_status),
        completed_at = pg_catalog.now(),
        lease_owner = null,
        lease_expires_at = null
    where id = p_job_id
    returning * into v_job;
    return v_job;
  end if;
  insert into public.sms_job_events (job_id, workspace_id, event_type, from_status, to_status, attempt, details)
  values (v_job.id, v_job.workspace_id, 'duplicate_send', v_job.status, v_job.status, v_job.attempts,
          pg_catalog.jsonb_build_object('twilio_sid', p_twilio_sid, 'worker', p_worker,
            'job_twilio_sid', v_job.twilio_sid,
            'note', 'Twilio accepted a message for this job from a worker that no longer held its lease'));
  return v_job;
end;
$$;
comment on function private.complete_job is
  'processing -> completed when Twilio accepted the message (or retrying -> completed for a late success); a send the job cannot absorb is logged as a duplicate_send event.';

-- Exponential backoff with jitter from the workspace's retry policy: base * 2^(attempt-1), capped,
-- then a random point in [half, full] of that delay so retries of a burst spread out.
create function private.retry_delay_seconds(p_workspace_id text, p_attempt integer)
returns double precision
language sql
volatile
security definer
set search_path = ''
as $$
  select d * (0.5 + pg_catalog.random() / 2)
  from (
    select least(s.retry_max_seconds::double precision,
                 s.retry_base_seconds * pg_catalog.power(2, greatest(p_attempt - 1, 0))) as d
    from public.workspace_settings s
    where s.workspace_id = p_workspace_id
  ) policy
$$;

create function private.retry_job(
  p_job_id text,
  p_worker text,
  p_error_code text,
  p_error_message text,
  p_min_delay_seconds double precision default 0
) returns public.scheduled_sms_jobs
language plpgsql
set search_path = ''
as $$
declare
  v_job public.scheduled_sms_jobs;
  v_delay double precision;
begin
  v_job := private.lock_job(p_job_id);
  perform private.require_lease(v_job, p_worker);
  perform private.require_transition(v_job, 'retrying');
  if p_min_delay_seconds is null or p_min_delay_seconds < 0 or p_min_delay_seconds > 86400 then
    perform private.raise_error('invalid_argument', 'minimum retry delay must be 0 to 86400 seconds');
  end if;
  if v_job.attempts >= v_job.max_attempts then
    -- No attempts left: the transient error becomes the final one.
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
  v_delay := greatest(coalesce(private.retry_delay_seconds(v_job.workspace_id, v_job.attempts), 0),
                      p_min_delay_seconds);
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
  'processing -> retrying after a transient error (backoff from the workspace policy, at least p_min_delay_seconds), or -> failed when no attempts are left.';

create function private.fail_job(
  p_job_id text,
  p_worker text,
  p_error_code text,
  p_error_message text,
  p_reason text default 'permanent_error'
) returns public.scheduled_sms_jobs
language plpgsql
set search_path = ''
as $$
declare
  v_job public.scheduled_sms_jobs;
begin
  v_job := private.lock_job(p_job_id);
  perform private.require_lease(v_job, p_worker);
  perform private.require_transition(v_job, 'failed');
  update public.scheduled_sms_jobs
  set status = 'failed',
      status_reason = p_reason,
      last_error_code = p_error_code,
      last_error_message = p_error_message,
      lease_owner = null,
      lease_expires_at = null
  where id = p_job_id
  returning * into v_job;
  return v_job;
end;
$$;
comment on function private.fail_job is 'processing -> failed: a permanent error.';

create function private.cancel_job(p_job_id text, p_reason text default 'cancelled_by_user')
returns public.scheduled_sms_jobs
language plpgsql
set search_path = ''
as $$
declare
  v_job public.scheduled_sms_jobs;
begin
  v_job := private.lock_job(p_job_id);
  if v_job.status = 'cancelled' then
    return v_job;  -- idempotent: cancelling twice is not an error and logs nothing new
  end if;
  perform private.require_transition(v_job, 'cancelled');
  update public.scheduled_sms_jobs
  set status = 'cancelled',
      status_reason = p_reason
  where id = p_job_id
  returning * into v_job;
  return v_job;
end;
$$;
comment on function private.cancel_job is 'queued|scheduled|retrying -> cancelled; a cancelled job is returned unchanged.';

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

-- Client RPC: cancel a pending job of a workspace where the caller may write. A job the caller
-- cannot see answers job_not_found, so ids cannot be probed.
create function public.cancel_sms_job(p_job_id text)
returns public.scheduled_sms_jobs
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not exists (
    select 1 from public.scheduled_sms_jobs j
    where j.id = p_job_id
      and ((select auth.role()) = 'service_role'
           or j.workspace_id in (select private.current_user_workspace_ids(private.writer_roles())))
  ) then
    perform private.raise_error('job_not_found', pg_catalog.format('job %s does not exist', p_job_id));
  end if;
  return private.cancel_job(p_job_id, 'cancelled_by_user');
end;
$$;
comment on function public.cancel_sms_job is 'Cancels a queued, scheduled or retrying job of one of the caller''s workspaces (owner/admin/member).';
revoke all on function public.cancel_sms_job(text) from public, anon;
grant execute on function public.cancel_sms_job(text) to authenticated, service_role;
