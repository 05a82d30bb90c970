-- Twilio's own count of a message's segments (NumSegments / num_segments), recorded beside the
-- count made at creation (scheduled_sms_jobs.segments), so an estimate that disagrees with Twilio
-- is visible. It comes with the send's answer (complete_job(s)) or a status callback that carries it
-- (record_message_status); 0, which Twilio answers for a Messaging Service send before it picks a
-- sender, means not known yet. The three functions are redefined whole with the new parameter.

alter table public.scheduled_sms_jobs
  add column twilio_segments integer check (twilio_segments >= 1);
comment on column public.scheduled_sms_jobs.twilio_segments is 'The segments Twilio counted (num_segments); null until it reported them.';

create function private.positive_or_null(p_value integer)
returns integer
language sql
immutable
parallel safe
set search_path = ''
as $$
  select case when p_value > 0 then p_value end
$$;

drop function private.complete_job(text, text, text, text);
create function private.complete_job(
  p_job_id text,
  p_worker text,
  p_twilio_sid text,
  p_message_status text default 'queued',
  p_twilio_segments integer default null
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
        twilio_segments = coalesce(private.positive_or_null(p_twilio_segments), twilio_segments),
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

drop function private.complete_jobs(text, text[], text[], text[]);
-- Many completions from one worker in one statement (a busy runner batches them, as
-- graphile-worker batches its completions): one transaction and one trigger run per batch instead
-- of per message. Rows whose lease the worker lost take complete_job's careful one-by-one path.
create function private.complete_jobs(
  p_worker text,
  p_job_ids text[],
  p_twilio_sids text[],
  p_message_statuses text[],
  p_twilio_segments integer[] default null
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
     or pg_catalog.array_position(p_twilio_sids, null) is not null
     or (p_twilio_segments is not null and pg_catalog.cardinality(p_job_ids) <> pg_catalog.cardinality(p_twilio_segments)) then
    perform private.raise_error('invalid_argument', 'one Twilio sid, message status (and segment count) per job id');
  end if;
  -- Driven from the (small) input by primary key; joining the unnest() directly made the planner
  -- rescan it once per candidate row.
  with input as materialized (
    select * from unnest(p_job_ids, p_twilio_sids, p_message_statuses,
                         coalesce(p_twilio_segments, pg_catalog.array_fill(null::integer, array[pg_catalog.cardinality(p_job_ids)])))
      as i (job_id, sid, message_status, segments)
  ),
  done as (
    update public.scheduled_sms_jobs j
    set status = 'completed',
        status_reason = 'accepted_by_twilio',
        twilio_sid = i.sid,
        twilio_segments = coalesce(private.positive_or_null(i.segments), j.twilio_segments),
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
    select i.job_id, i.sid, i.message_status, i.segments
    from unnest(p_job_ids, p_twilio_sids, p_message_statuses,
                coalesce(p_twilio_segments, pg_catalog.array_fill(null::integer, array[pg_catalog.cardinality(p_job_ids)])))
      as i (job_id, sid, message_status, segments)
    where i.job_id <> all (v_completed)
  loop
    begin
      perform private.complete_job(v_rest.job_id, p_worker, v_rest.sid, v_rest.message_status, v_rest.segments);
    exception when sqlstate 'SMS20' then
      null; -- the job was deleted (with its workspace): nothing left to record
    end;
  end loop;
  return pg_catalog.cardinality(v_completed);
end;
$$;
comment on function private.complete_jobs is 'complete_job for many jobs of one worker at once.';

drop function private.record_message_status(text, text, text, text, text);
-- Applies one Twilio status callback to the job named in its callback URL (signed by Twilio, so
-- it cannot be forged). A callback may beat the worker's own record of the send: then the job has
-- no sid yet and the status is applied all the same. Idempotent: a duplicate or an out-of-order
-- (older) status changes nothing. A callback about another sid than the job's (a duplicate send)
-- is logged, not applied. Returns the job id, or null when there is no such job.
create function private.record_message_status(
  p_job_id text,
  p_twilio_sid text,
  p_message_status text,
  p_error_code text default null,
  p_error_message text default null,
  p_twilio_segments integer default null
) returns text
language plpgsql
set search_path = ''
as $$
declare
  v_job public.scheduled_sms_jobs;
  v_new_rank integer := private.message_status_rank(p_message_status);
begin
  select * into v_job from public.scheduled_sms_jobs where id = p_job_id for update;
  if not found then
    return null;
  end if;
  if v_new_rank is null then
    perform private.raise_error('invalid_argument', pg_catalog.format('unknown message status %L', p_message_status));
  end if;
  if v_job.twilio_sid is not null and v_job.twilio_sid <> p_twilio_sid then
    insert into public.sms_job_events (job_id, workspace_id, event_type, from_status, to_status, attempt, error_code, details)
    values (v_job.id, v_job.workspace_id, 'duplicate_message_status', v_job.status, v_job.status, v_job.attempts,
            p_error_code, pg_catalog.jsonb_build_object('twilio_sid', p_twilio_sid, 'message_status', p_message_status,
                                                        'job_twilio_sid', v_job.twilio_sid));
    return v_job.id;
  end if;
  -- The segment count Twilio reports (where a callback carries it) is news even when the status is not.
  if private.positive_or_null(p_twilio_segments) is not null and v_job.twilio_segments is distinct from p_twilio_segments then
    update public.scheduled_sms_jobs set twilio_segments = p_twilio_segments where id = v_job.id;
  end if;
  if v_new_rank <= coalesce(private.message_status_rank(v_job.message_status), 0) then
    return v_job.id;
  end if;
  update public.scheduled_sms_jobs
  set message_status = p_message_status,
      last_error_code = coalesce(p_error_code, last_error_code),
      last_error_message = coalesce(p_error_message, last_error_message)
  where id = v_job.id;
  insert into public.sms_job_events
    (job_id, workspace_id, event_type, from_status, to_status, attempt, error_code, error_message, details)
  values (v_job.id, v_job.workspace_id, 'message_status', v_job.status, v_job.status, v_job.attempts,
          p_error_code, p_error_message,
          pg_catalog.jsonb_build_object('twilio_sid', p_twilio_sid, 'from', v_job.message_status,
                                        'to', p_message_status));
  return v_job.id;
end;
$$;

