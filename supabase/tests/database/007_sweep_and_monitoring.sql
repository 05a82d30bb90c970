-- The pg_cron sweep and the monitoring views: the 'sms-sweep' job is scheduled every minute, a
-- sweep recovers expired leases and records itself, and the health view reports it.
begin;
select plan(19);

-- Callers, set up exactly as PostgREST does for a request: the role for the transaction, then the
-- JWT claims (auth.uid(), auth.role()) for the transaction. act_as_postgres() is the table owner,
-- which is how the API and the delivery workers reach the private functions.
create function pg_temp.act_as(p_email text) returns void
language plpgsql as $$
declare
  v_id uuid;
begin
  reset role;
  select u.id into strict v_id from auth.users u where u.email = p_email;
  set local role authenticated;
  perform set_config('request.jwt.claims', json_build_object('sub', v_id, 'role', 'authenticated')::text, true);
end $$;
create function pg_temp.act_as_anon() returns void
language plpgsql as $$
begin
  reset role;
  set local role anon;
  perform set_config('request.jwt.claims', '{"role":"anon"}', true);
end $$;
create function pg_temp.act_as_service() returns void
language plpgsql as $$
begin
  reset role;
  set local role service_role;
  perform set_config('request.jwt.claims', '{"role":"service_role"}', true);
end $$;
create function pg_temp.act_as_postgres() returns void
language plpgsql as $$
begin
  reset role;
  perform set_config('request.jwt.claims', '', true);
end $$;
-- Rows changed by a statement run with the current role's rights (RLS applies).
create function pg_temp.rows_affected(p_sql text) returns integer
language plpgsql as $$
declare
  v_count integer;
begin
  execute p_sql;
  get diagnostics v_count = row_count;
  return v_count;
end $$;
grant execute on function pg_temp.act_as(text), pg_temp.act_as_anon(), pg_temp.act_as_service(),
  pg_temp.act_as_postgres(), pg_temp.rows_affected(text) to public;
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

-- The cron job --------------------------------------------------------------------------------------
select results_eq(
  $$ select schedule || ' | ' || command || ' | ' || active::text || ' | ' || (database = current_database())::text
     from cron.job where jobname = 'sms-sweep' $$,
  array['* * * * * | select private.run_sweep() | true | true'],
  'pg_cron runs private.run_sweep() every minute in this database as the job sms-sweep');
select is((select count(*)::integer from cron.job where command like '%run_sweep%'), 1, 'the sweep is scheduled once');

-- A sweep recovers expired leases and records its run ----------------------------------------------
select pg_temp.make_job('stuck', 'processing');
select pg_temp.make_job('stuck for good', 'processing', 1);
select pg_temp.make_job('alive', 'processing');
update scheduled_sms_jobs set lease_expires_at = now() - interval '30 seconds' where body in ('stuck', 'stuck for good');
insert into private.sweep_runs (started_at, finished_at) values
  (now() - interval '25 hours', now() - interval '25 hours'),
  (now() - interval '23 hours', now() - interval '23 hours');
create temp table sweep on commit drop as select private.run_sweep() as run_id;
select results_eq(
  $$ select r.expired_leases::text || ' ' || (r.finished_at >= r.started_at)::text
     from private.sweep_runs r join sweep s on s.run_id = r.id $$,
  array['2 true'], 'the sweep records its run, finished, with the number of leases it expired');
select results_eq(
  $$ select body || ' ' || status::text || ' ' || coalesce(status_reason, '-') from scheduled_sms_jobs order by body $$,
  array['alive processing -', 'stuck retrying lease_expired', 'stuck for good failed retries_exhausted'],
  'the sweep sent the stuck jobs back to retrying or failed them, and left the live one');
select is((select count(*)::integer from private.sweep_runs where started_at < now() - interval '24 hours'), 0,
  'sweep history older than 24 hours is pruned');
select is((select count(*)::integer from private.sweep_runs where started_at = now() - interval '23 hours'), 1,
  'recent sweep history is kept');
create temp table second_sweep on commit drop as select private.run_sweep() as run_id;
select is((select r.expired_leases from private.sweep_runs r join second_sweep s on s.run_id = r.id), 0,
  'a sweep with nothing stuck records 0 expired leases');

-- last_sweep_at in the health view ---------------------------------------------------------------------
select pg_temp.act_as_postgres();
create temp table sweep_seen on commit drop as select max(finished_at) as at from private.sweep_runs;
grant select on sweep_seen to public;
select pg_temp.act_as('viewer@demo.test');
select ok((select last_sweep_at between (select at from sweep_seen) and clock_timestamp()
            from sms_queue_health where workspace_id = 'ws_demo'),
  'members see the latest recorded sweep as last_sweep_at in sms_queue_health');
select pg_temp.act_as('owner@other.test');
select ok((select last_sweep_at >= (select at from sweep_seen) from sms_queue_health where workspace_id = 'ws_other'),
  'every workspace sees the same last sweep (it is not tenant data)');
select throws_ok($$ select private.run_sweep() $$, '42501', 'permission denied for function run_sweep',
  'a signed-in user cannot run the sweep');
select throws_ok($$ select * from private.sweep_runs $$, '42501', 'permission denied for table sweep_runs',
  'a signed-in user cannot read the sweep history table');
select pg_temp.act_as_service();
select throws_ok($$ select private.run_sweep() $$, '42501', 'permission denied for function run_sweep',
  'service_role cannot run the sweep either (pg_cron and the owner do)');

-- The health figures ------------------------------------------------------------------------------------
select pg_temp.act_as_postgres();
delete from scheduled_sms_jobs;
select pg_temp.make_job('h queued old', 'queued');
select pg_temp.make_job('h queued new', 'queued');
select pg_temp.make_job('h scheduled', 'scheduled');
select pg_temp.make_job('h retrying', 'retrying');
select pg_temp.make_job('h processing', 'processing');
select pg_temp.make_job('h completed', 'completed');
select pg_temp.make_job('h failed', 'failed');
select pg_temp.make_job('h cancelled', 'cancelled');
update scheduled_sms_jobs set next_attempt_at = now() - interval '10 minutes' where body = 'h queued old';
select pg_temp.act_as('viewer@demo.test');
select results_eq(
  $$ select queued || ' ' || scheduled || ' ' || processing || ' ' || retrying || ' ' || completed || ' ' || failed || ' '
            || cancelled || ' ' || retries_pending || ' ' || failures_last_hour
     from sms_queue_health where workspace_id = 'ws_demo' $$,
  array['2 1 1 1 1 1 1 1 1'], 'sms_queue_health counts ws_demo''s jobs by status, retries pending and failures in the last hour');
select results_eq(
  $$ select (oldest_overdue_at = now() - interval '10 minutes')::text || ' ' || oldest_overdue_age::text
     from sms_queue_health where workspace_id = 'ws_demo' $$,
  array['true 00:10:00'], 'the oldest overdue job and its age');
select results_eq(
  $$ select queued || ' ' || failed || ' ' || coalesce(oldest_overdue_age::text, 'none')
     from sms_queue_health where workspace_id = 'ws_other' $$,
  array[]::text[], 'a ws_demo viewer has no ws_other health row');
select pg_temp.act_as('owner@other.test');
select results_eq(
  $$ select queued || ' ' || failed || ' ' || coalesce(oldest_overdue_age::text, 'none') || ' ' || failures_last_hour
     from sms_queue_health $$,
  array['0 0 none 0'], 'owner@other.test sees an empty, healthy ws_other');
select pg_temp.act_as('viewer@demo.test');
select results_eq(
  $$ select to_phone || ' ' || attempts || '/' || max_attempts || ' ' || status_reason || ' ' || last_error_code || ' ' || last_error_message
     from sms_recent_failures $$,
  array['+61412345678 1/4 permanent_error 21211 Invalid To number'],
  'sms_recent_failures lists the failed job with its attempts and last error');
select pg_temp.act_as_postgres();
update workspace_settings set max_retries = 0 where workspace_id = 'ws_demo';
select pg_temp.make_job('h failed later', 'processing');
select private.retry_job(pg_temp.jid('h failed later'), 'worker-1', '30008', 'Unknown error');
-- updated_at is now() for every row of this transaction: age the first failure, triggers off.
set local session_replication_role = replica;
update scheduled_sms_jobs set updated_at = now() - interval '5 minutes' where body = 'h failed';
set local session_replication_role = origin;
select pg_temp.act_as('viewer@demo.test');
select results_eq(
  $$ select status_reason || ' ' || (failed_at = now())::text from sms_recent_failures $$,
  array['retries_exhausted true', 'permanent_error false'],
  'failures are listed newest first, with when they failed');
select is((select failures_last_hour from sms_queue_health where workspace_id = 'ws_demo'), 2::bigint,
  'an exhausted retry counts as a failure in the last hour');

select * from finish();
rollback;
