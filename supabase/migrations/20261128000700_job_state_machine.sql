-- The job state machine. It is defined once (private.is_allowed_job_transition) and
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

-- A pure helper, callable by the API roles: the guard trigger runs with the updating role's rights,
-- and service_role (which may update jobs) must reach the state machine, not a permission error.
grant execute on function private.is_allowed_job_transition(public.sms_job_status, public.sms_job_status)
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

