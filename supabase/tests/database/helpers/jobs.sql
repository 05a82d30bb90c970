-- Shared job helpers for the pgTAP files, included with `\ir helpers/jobs.sql` inside each test's
-- transaction (after begin;). Not a test itself: dev/run-tests.ts runs only the top-level *.sql
-- files of supabase/tests/database. In pg_temp so they exist only for this session, never touch
-- the schema under test, and vanish when the test's transaction is rolled back; the grant lets
-- the client roles the tests switch to call them.

-- Jobs of ws_demo in a given status, reached through the service's own functions (as the table
-- owner, which is how the API and the workers call them). Labelled by body.
create function pg_temp.make_job(p_label text, p_status text, p_max_attempts integer default null) returns text
language plpgsql as $$
declare
  v_id text;
begin
  insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, scheduled_time, max_attempts)
  values ('ws_demo', '+61412345678', p_label,
          case when p_status = 'scheduled' then now() + interval '1 day' else now() end, p_max_attempts)
  returning id into v_id;
  if p_status in ('processing', 'retrying', 'completed', 'failed') then
    perform private.claim_job(v_id, 'worker-1');
  end if;
  case p_status
    when 'retrying' then perform private.retry_job(v_id, 'worker-1', '30003', 'Unreachable destination handset');
    when 'completed' then perform private.complete_job(v_id, 'worker-1', 'SM' || md5(v_id));
    when 'failed' then perform private.fail_job(v_id, 'worker-1', '21211', 'Invalid To number');
    when 'cancelled' then perform private.cancel_job(v_id);
    else null;
  end case;
  return v_id;
end $$;
create function pg_temp.jid(p_label text) returns text
language sql as $$ select id from public.scheduled_sms_jobs where body = p_label $$;
-- status, attempts, status_reason and lease owner of a job, in one line.
create function pg_temp.state(p_label text) returns text
language sql as $$
  select status::text || ' a' || attempts || ' ' || coalesce(status_reason, '-') || ' ' || coalesce(lease_owner, '-')
  from public.scheduled_sms_jobs where body = p_label
$$;
create function pg_temp.event_count(p_label text) returns integer
language sql as $$
  select count(*)::integer from public.sms_job_events e join public.scheduled_sms_jobs j on j.id = e.job_id
  where j.body = p_label
$$;
grant execute on function pg_temp.make_job(text, text, integer), pg_temp.jid(text), pg_temp.state(text),
  pg_temp.event_count(text) to public;
