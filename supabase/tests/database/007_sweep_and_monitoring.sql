-- The pg_cron sweep and the monitoring views: the 'sms-sweep' job is scheduled every minute, a
-- sweep recovers expired leases and records itself, and the health view reports it.
begin;
select plan(19);

\ir helpers/acting_as.sql
\ir helpers/jobs.sql

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
