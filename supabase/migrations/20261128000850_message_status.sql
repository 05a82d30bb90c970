-- Twilio's delivery statuses on a job: their order, and the status callbacks that apply them. A
-- status only ever moves forward, whichever order callbacks (and the worker's own record) arrive in.

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

