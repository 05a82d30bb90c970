-- What happens to a claimed job: completed (Twilio accepted it), retried with backoff, failed, or
-- cancelled before it was sent.

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

-- Many completions from one worker in one statement (a busy runner batches them, as
-- graphile-worker batches its completions): one transaction and one trigger run per batch instead
-- of per message. Rows whose lease the worker lost take complete_job's careful one-by-one path.
create function private.complete_jobs(
  p_worker text,
  p_job_ids text[],
  p_twilio_sids text[],
  p_message_statuses text[]
) returns integer
language plpgsql
set search_path = ''
as $$
declare
  v_completed text[];
  v_rest record;
begin
  if pg_catalog.cardinality(p_job_ids) <> pg_catalog.cardinality(p_twilio_sids)
     or pg_catalog.cardinality(p_job_ids) <> pg_catalog.cardinality(p_message_statuses)
     or pg_catalog.array_position(p_twilio_sids, null) is not null then
    perform private.raise_error('invalid_argument', 'one Twilio sid and message status per job id');
  end if;
  -- Driven from the (small) input by primary key; joining the unnest() directly made the planner
  -- rescan it once per candidate row.
  with input as materialized (
    select * from unnest(p_job_ids, p_twilio_sids, p_message_statuses) as i (job_id, sid, message_status)
  ),
  done as (
    update public.scheduled_sms_jobs j
    set status = 'completed',
        status_reason = 'accepted_by_twilio',
        twilio_sid = i.sid,
        message_status = private.later_message_status(j.message_status, i.message_status),
        completed_at = pg_catalog.now(),
        lease_owner = null,
        lease_expires_at = null
    from input i
    where j.id = any (p_job_ids) and j.id = i.job_id and j.status = 'processing' and j.lease_owner = p_worker
    returning j.id
  )
  select coalesce(pg_catalog.array_agg(done.id), '{}') into v_completed from done;
  for v_rest in
    select i.job_id, i.sid, i.message_status
    from unnest(p_job_ids, p_twilio_sids, p_message_statuses) as i (job_id, sid, message_status)
    where i.job_id <> all (v_completed)
  loop
    begin
      perform private.complete_job(v_rest.job_id, p_worker, v_rest.sid, v_rest.message_status);
    exception when sqlstate 'SMS20' then
      null; -- the job was deleted (with its workspace): nothing left to record
    end;
  end loop;
  return pg_catalog.cardinality(v_completed);
end;
$$;
comment on function private.complete_jobs is 'complete_job for many jobs of one worker at once.';

-- Cancelling from a client app (PostgREST /rpc/cancel_sms_job). The public function is SECURITY
-- INVOKER, so nothing in the exposed schema runs with the owner's rights; it calls the private
-- function that checks the caller may write to the job's workspace. A job the caller cannot see
-- answers job_not_found, so ids cannot be probed.
create function private.cancel_job_as_caller(p_job_id text)
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
comment on function private.cancel_job_as_caller is
  'cancel_job for the calling user (owner/admin/member of the job''s workspace) or the service role.';
grant execute on function private.cancel_job_as_caller(text) to authenticated, service_role;

create function public.cancel_sms_job(p_job_id text)
returns public.scheduled_sms_jobs
language sql
security invoker
set search_path = ''
as $$
  select * from private.cancel_job_as_caller(p_job_id)
$$;
comment on function public.cancel_sms_job is 'Cancels a queued, scheduled or retrying job of one of the caller''s workspaces (owner/admin/member).';
revoke all on function public.cancel_sms_job(text) from public, anon;
grant execute on function public.cancel_sms_job(text) to authenticated, service_role;
