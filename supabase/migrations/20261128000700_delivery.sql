-- Delivery support: Twilio configuration lookups, opt-outs, delivery-status callbacks and the
-- wake-up signal for local runners.

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
  p_error_message text default null
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

-- The Twilio account a job sends with: its auth token verifies the job's status callbacks.
create function private.twilio_account_for_job(p_job_id text)
returns table (workspace_id text, account_sid text, auth_token text)
language sql
stable
set search_path = ''
as $$
  select j.workspace_id, c.account_sid, c.auth_token
  from public.scheduled_sms_jobs j
  left join private.twilio_credentials c on c.workspace_id = j.workspace_id
  where j.id = p_job_id
$$;

-- An opt-out stops what is already waiting too: pending jobs to that recipient are cancelled.
create function private.cancel_jobs_of_opted_out()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.scheduled_sms_jobs j
  set status = 'cancelled', status_reason = 'recipient_opted_out'
  from new_opt_outs o
  where j.workspace_id = o.workspace_id and j.to_phone = o.phone
    and j.status in ('queued', 'scheduled', 'retrying');
  return null;
end;
$$;
create trigger sms_opt_outs_cancel_pending after insert on public.sms_opt_outs
  referencing new table as new_opt_outs
  for each statement execute function private.cancel_jobs_of_opted_out();

create function private.record_opt_out(p_workspace_id text, p_phone text, p_source text)
returns void
language sql
set search_path = ''
as $$
  insert into public.sms_opt_outs (workspace_id, phone, source, created_by)
  values (p_workspace_id, p_phone, p_source, null)
  on conflict (workspace_id, phone) do nothing
$$;

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
  where n.status in ('queued', 'scheduled', 'retrying');
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
