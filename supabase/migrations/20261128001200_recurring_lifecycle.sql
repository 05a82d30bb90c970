-- A recurring schedule's life cycle: create (through the same insert path and validation as a direct
-- insert), pause, resume, cancel, and the status job-status shows. The Edge Function calls these as
-- the table owner after checking the caller's workspace role; they raise catalogued errors.

create function private.lock_schedule(p_schedule_id text)
returns public.recurring_sms_schedules
language plpgsql
set search_path = ''
as $$
declare
  v_schedule public.recurring_sms_schedules;
begin
  select * into v_schedule from public.recurring_sms_schedules where id = p_schedule_id for update;
  if not found then
    perform private.raise_error('job_not_found', pg_catalog.format('schedule %s does not exist', p_schedule_id));
  end if;
  return v_schedule;
end;
$$;

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
  p_created_by uuid default null
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
     start_at, end_at, max_occurrences, created_by)
  values
    (p_workspace_id, p_to_phone, p_from_number, p_body, coalesce(p_media_urls, '{}'),
     coalesce(p_metadata, '{}'), p_cron_expression, p_timezone, coalesce(p_start_at, pg_catalog.now()),
     p_end_at, p_max_occurrences, p_created_by)
  returning * into v_schedule;
  return query
  select v_schedule.id, v_schedule.workspace_id, v_schedule.status, v_schedule.cron_expression,
         v_schedule.timezone, v_schedule.start_at, v_schedule.end_at, v_schedule.max_occurrences,
         v_schedule.next_run_at, private.schedule_upcoming_runs(v_schedule), v_schedule.created_at;
end;
$$;
comment on function private.create_recurring_schedule is
  'Creates a recurring schedule (validated by the insert triggers) and returns it with its next preview_runs run times.';

-- The next runs of a schedule as it stands: from next_run_at, before end_at, within max_occurrences.
create function private.schedule_upcoming_runs(
  p_schedule public.recurring_sms_schedules,
  p_count integer default private.limit_value('recurring_preview_runs')::integer
) returns timestamptz[]
language plpgsql
stable
set search_path = ''
as $$
declare
  v_count integer := p_count;
begin
  if p_schedule.status <> 'active' and p_schedule.status <> 'paused' or p_schedule.next_run_at is null then
    return '{}';
  end if;
  if p_schedule.max_occurrences is not null then
    v_count := least(v_count, greatest(p_schedule.max_occurrences - p_schedule.occurrences_count, 0));
  end if;
  if v_count = 0 or (p_schedule.end_at is not null and p_schedule.next_run_at >= p_schedule.end_at) then
    return '{}';
  end if;
  return array[p_schedule.next_run_at] || private.cron_next_runs(p_schedule.cron_expression,
    p_schedule.timezone, p_schedule.next_run_at, v_count - 1, p_schedule.end_at);
end;
$$;

-- Cancels the pending jobs of a schedule (optionally only occurrences after p_after).
create function private.cancel_schedule_jobs(p_schedule_id text, p_reason text, p_after timestamptz default null)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  v_count integer;
begin
  with pending as (
    select j.id from public.scheduled_sms_jobs j
    where j.recurring_schedule_id = p_schedule_id
      and j.is_pending
      and (p_after is null or j.occurrence_at > p_after)
    -- Wait for a row another transaction holds (a claim or a dispatch): skipping it could leave a
    -- pending occurrence of a stopped schedule to be sent. A row claimed meanwhile is no longer pending.
    for update
  )
  update public.scheduled_sms_jobs j
  set status = 'cancelled', status_reason = p_reason
  from pending
  where j.id = pending.id;
  get diagnostics v_count = row_count;
  return v_count;
end;
$$;

-- active|paused -> cancelled: no more occurrences, and its pending jobs are cancelled. Cancelling
-- a cancelled schedule returns it unchanged; an ended one is refused (invalid_transition).
create function private.cancel_recurring_schedule(p_schedule_id text, p_actor uuid default null)
returns public.recurring_sms_schedules
language plpgsql
set search_path = ''
as $$
declare
  v_schedule public.recurring_sms_schedules := private.lock_schedule(p_schedule_id);
  v_cancelled integer;
begin
  if v_schedule.status = 'cancelled' then
    return v_schedule;
  end if;
  if v_schedule.status not in ('active', 'paused') then
    perform private.raise_error('invalid_transition', pg_catalog.format(
      'schedule %s is %s and cannot be cancelled', p_schedule_id, v_schedule.status));
  end if;
  update public.recurring_sms_schedules s
  set status = 'cancelled', next_run_at = null
  where s.id = p_schedule_id
  returning * into v_schedule;
  v_cancelled := private.cancel_schedule_jobs(p_schedule_id, 'schedule_cancelled');
  insert into public.recurring_sms_schedule_events (schedule_id, workspace_id, event_type, details, actor)
  values (v_schedule.id, v_schedule.workspace_id, 'cancelled',
    pg_catalog.jsonb_build_object('jobs_cancelled', v_cancelled), p_actor);
  return v_schedule;
end;
$$;
comment on function private.cancel_recurring_schedule is
  'active|paused -> cancelled; cancels the schedule''s pending jobs (reason schedule_cancelled). Idempotent.';

-- active -> paused: nothing is materialised while paused, and occurrences already materialised
-- for after p_now (at most lookahead_seconds ahead) are cancelled (reason schedule_paused).
create function private.pause_recurring_schedule(
  p_schedule_id text,
  p_actor uuid default null,
  p_now timestamptz default now()
) returns public.recurring_sms_schedules
language plpgsql
set search_path = ''
as $$
declare
  v_schedule public.recurring_sms_schedules := private.lock_schedule(p_schedule_id);
  v_cancelled integer;
begin
  if v_schedule.status = 'paused' then
    return v_schedule;
  end if;
  if v_schedule.status <> 'active' then
    perform private.raise_error('invalid_transition', pg_catalog.format(
      'schedule %s is %s and cannot be paused', p_schedule_id, v_schedule.status));
  end if;
  update public.recurring_sms_schedules s set status = 'paused' where s.id = p_schedule_id
  returning * into v_schedule;
  v_cancelled := private.cancel_schedule_jobs(p_schedule_id, 'schedule_paused', p_now);
  insert into public.recurring_sms_schedule_events (schedule_id, workspace_id, event_type, details, actor)
  values (v_schedule.id, v_schedule.workspace_id, 'paused',
    pg_catalog.jsonb_build_object('jobs_cancelled', v_cancelled, 'at', p_now), p_actor);
  return v_schedule;
end;
$$;
comment on function private.pause_recurring_schedule is
  'active -> paused; cancels occurrences already materialised for after p_now. Idempotent.';

-- paused -> active, continuing from the first occurrence after p_now (and after the last one
-- materialised): the paused time is not back-filled. Ends the schedule if nothing is left.
create function private.resume_recurring_schedule(
  p_schedule_id text,
  p_actor uuid default null,
  p_now timestamptz default now()
) returns public.recurring_sms_schedules
language plpgsql
set search_path = ''
as $$
declare
  v_schedule public.recurring_sms_schedules := private.lock_schedule(p_schedule_id);
  v_next timestamptz;
begin
  if v_schedule.status = 'active' then
    return v_schedule;
  end if;
  if v_schedule.status <> 'paused' then
    perform private.raise_error('invalid_transition', pg_catalog.format(
      'schedule %s is %s and cannot be resumed', p_schedule_id, v_schedule.status));
  end if;
  v_next := private.cron_next(v_schedule.cron_expression, v_schedule.timezone,
    greatest(p_now, coalesce(v_schedule.last_run_at, p_now), v_schedule.start_at - interval '1 microsecond'));
  update public.recurring_sms_schedules s set status = 'active', next_run_at = v_next
  where s.id = p_schedule_id
  returning * into v_schedule;
  insert into public.recurring_sms_schedule_events (schedule_id, workspace_id, event_type, details, actor)
  values (v_schedule.id, v_schedule.workspace_id, 'resumed',
    pg_catalog.jsonb_build_object('next_run_at', v_next, 'at', p_now), p_actor);
  if v_next is null then
    perform private.end_schedule(p_schedule_id, 'no_more_occurrences');
  elsif v_schedule.end_at is not null and v_next >= v_schedule.end_at then
    perform private.end_schedule(p_schedule_id, 'end_at');
  elsif v_schedule.max_occurrences is not null and v_schedule.occurrences_count >= v_schedule.max_occurrences then
    perform private.end_schedule(p_schedule_id, 'max_occurrences');
  end if;
  select * into v_schedule from public.recurring_sms_schedules s where s.id = p_schedule_id;
  return v_schedule;
end;
$$;
comment on function private.resume_recurring_schedule is
  'paused -> active from the first occurrence after p_now (no back-fill of paused time); ended if none is left. Idempotent.';

-- What job-status shows for a schedule.
create function private.recurring_schedule_status(p_schedule_id text)
returns table (
  id text,
  workspace_id text,
  status public.recurring_schedule_status,
  ended_reason text,
  cron_expression text,
  timezone text,
  start_at timestamptz,
  end_at timestamptz,
  max_occurrences integer,
  next_run_at timestamptz,
  next_runs timestamptz[],
  occurrences_count integer,
  sent_count integer,
  failed_count integer,
  pending_count integer,
  cancelled_count integer,
  missed_count integer,
  skipped_count integer,
  last_occurrence_at timestamptz,
  last_occurrence_job_id text,
  last_occurrence_status public.sms_job_status,
  last_occurrence_message_status text,
  created_at timestamptz,
  updated_at timestamptz
)
language sql
stable
set search_path = ''
as $$
  select s.id, s.workspace_id, s.status, s.ended_reason, s.cron_expression, s.timezone, s.start_at,
         s.end_at, s.max_occurrences, s.next_run_at, private.schedule_upcoming_runs(s),
         s.occurrences_count,
         coalesce(c.sent, 0), coalesce(c.failed, 0), coalesce(c.pending, 0), coalesce(c.cancelled, 0),
         s.missed_count, s.skipped_count,
         l.occurrence_at, l.id, l.status, l.message_status, s.created_at, s.updated_at
  from public.recurring_sms_schedules s
  left join lateral (
    select (count(*) filter (where j.status = 'completed'))::integer as sent,
           (count(*) filter (where j.status = 'failed'))::integer as failed,
           (count(*) filter (where j.is_pending or j.status = 'processing'))::integer as pending,
           (count(*) filter (where j.status = 'cancelled'))::integer as cancelled
    from public.scheduled_sms_jobs j where j.recurring_schedule_id = s.id
  ) c on true
  left join lateral (
    select j.id, j.occurrence_at, j.status, j.message_status
    from public.scheduled_sms_jobs j
    where j.recurring_schedule_id = s.id
    order by j.occurrence_at desc
    limit 1
  ) l on true
  where s.id = p_schedule_id
$$;
comment on function private.recurring_schedule_status is
  'A schedule''s status, next runs, counts of sent/failed/pending/cancelled occurrences, missed and skipped counts, and its last occurrence.';
