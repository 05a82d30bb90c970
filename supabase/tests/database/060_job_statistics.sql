-- The overview's statistics (20261130000100_job_statistics.sql): job counts by status and activity
-- per minute, kept by the event log's trigger as deltas, folded once a minute, exact at every read.
begin;
select plan(16);

\ir helpers/acting_as.sql
\ir helpers/jobs.sql

select pg_temp.act_as_postgres();
-- Start from no jobs and statistics rebuilt from what is left (nothing), so the figures below are
-- this test's alone, whatever earlier runs left in the database.
delete from public.scheduled_sms_jobs;
select private.rebuild_job_statistics();

create function pg_temp.counts_agree(p_workspace text) returns boolean
language sql as $$
  select not exists (
    select s.status from private.job_counts_of(p_workspace) s
    full join (select j.status, count(*) as n from public.scheduled_sms_jobs j
               where j.workspace_id = p_workspace group by 1) a on a.status = s.status
    where coalesce(s.count, 0) <> coalesce(a.n, 0))
$$;
create function pg_temp.count_of(p_status text) returns bigint
language sql as $$ select count from private.job_counts_of('ws_demo') where status::text = p_status $$;

select pg_temp.make_job('st-' || s || '-' || n, s)
from unnest(array['scheduled', 'queued', 'processing', 'retrying', 'completed', 'failed', 'cancelled']) s,
     generate_series(1, 3) n;
select ok(pg_temp.counts_agree('ws_demo'), 'counts by status equal the jobs table after inserts, claims, retries, completions, failures and cancels');
select is(pg_temp.count_of('completed'), 3::bigint, 'three completed jobs are counted as completed');
select is((select count(*)::integer from private.job_counts), 0, 'nothing is folded yet: the counts come from the deltas');

select private.fold_job_statistics();
select is((select count(*)::integer from private.job_count_deltas), 0, 'the fold empties the deltas');
select ok(pg_temp.counts_agree('ws_demo'), 'counts still agree after the fold');

-- More changes after the fold: totals plus new deltas.
select private.cancel_job(pg_temp.jid('st-scheduled-1'));
select private.claim_job(pg_temp.jid('st-queued-1'), 'worker-2');
delete from public.scheduled_sms_jobs where body = 'st-failed-1';
select ok(pg_temp.counts_agree('ws_demo'), 'counts agree with folded totals and later deltas (a cancel, a claim, a delete)');
select is(pg_temp.count_of('failed'), 2::bigint, 'a deleted job leaves the counts');

-- Activity: sent when Twilio accepts, delivered and failed from callbacks, failures by code.
create function pg_temp.activity(p_since interval) returns text
language sql as $$
  select coalesce(sum(sent), 0) || ' sent, ' || coalesce(sum(delivered), 0) || ' delivered, ' || coalesce(sum(failed), 0) || ' failed'
  from private.job_activity_of('ws_demo', now() - p_since, 'minute', 'Australia/Brisbane')
$$;
select is(pg_temp.activity('1 hour'), '3 sent, 0 delivered, 3 failed',
  'the last hour shows the three completions and the three failures');
select private.record_message_status(pg_temp.jid('st-completed-1'), 'SM' || md5(pg_temp.jid('st-completed-1')), 'delivered');
select private.record_message_status(pg_temp.jid('st-completed-2'), 'SM' || md5(pg_temp.jid('st-completed-2')), 'undelivered', '30003', 'Unreachable');
select private.record_message_status(pg_temp.jid('st-completed-2'), 'SM' || md5(pg_temp.jid('st-completed-2')), 'failed', '30003', 'Unreachable');
select is(pg_temp.activity('1 hour'), '3 sent, 1 delivered, 4 failed',
  'a delivery report counts as delivered, an undelivered one as a failure (once, though Twilio reported twice)');
select results_eq(
  $$ select error_code || ' ' || failures from private.job_failures_of('ws_demo', now() - interval '7 days') $$,
  array['21211 3', '30003 1'],
  'failures by error code, most first (the deleted job''s failure stays in the history)');
select private.fold_job_statistics();
select is(pg_temp.activity('1 hour'), '3 sent, 1 delivered, 4 failed', 'the fold keeps the activity as it was');
select is((select bucket from private.job_activity_of('ws_demo', now() - interval '1 minute', 'hour', 'Asia/Kolkata')),
  date_trunc('hour', now(), 'Asia/Kolkata'),
  'hour buckets follow the workspace''s timezone (Asia/Kolkata''s hours start at :30 UTC)');

-- The rebuild from the tables gives the same figures as the incremental upkeep.
create temporary table before_rebuild as
  select status::text, count from private.job_counts_of('ws_demo');
select private.rebuild_job_statistics();
select set_eq($$ select status::text, count from private.job_counts_of('ws_demo') $$,
  $$ select * from before_rebuild $$, 'rebuilding the counts from the jobs gives what the deltas gave');
select is(pg_temp.activity('1 hour'), '3 sent, 1 delivered, 3 failed',
  'rebuilding the activity from the events gives the same, less the deleted job''s failure (its events went with it)');

-- Nobody but the service reads them.
select pg_temp.act_as('owner@demo.test');
select throws_ok($$ select * from private.job_counts $$, '42501', 'permission denied for table job_counts',
  'a workspace owner cannot read the statistics tables');
select throws_ok($$ select * from private.job_counts_of('ws_demo') $$, '42501', 'permission denied for function job_counts_of',
  'nor call the statistics functions (the API reads them after its own role check)');

select * from finish();
rollback;
