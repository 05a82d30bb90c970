-- Delivery analytics (20261130000700_delivery_analytics.sql): the hourly rollup and its histograms,
-- kept by the event log's trigger as deltas and folded once a minute, must equal a rebuild from
-- the log at every step; only the service reads them.
begin;
select plan(12);

\ir helpers/acting_as.sql
\ir helpers/jobs.sql

select pg_temp.act_as_postgres();
-- Start from no jobs and a rollup rebuilt from what is left, so the figures are this test's alone.
delete from public.scheduled_sms_jobs;
select private.rebuild_delivery_statistics();

-- The rollup as a read sees it (folded rows plus deltas), summed per key, as comparable text.
create function pg_temp.rollup() returns setof text
language sql as $$
  select concat_ws(' ', a.workspace_id, a.hour, a.sender, a.template_id, a.batch_id, a.schedule_id, a.error_code,
                   a.currency, sum(a.attempted), sum(a.sent), sum(a.delivered), sum(a.undelivered), sum(a.failed_ours),
                   sum(a.failed_twilio), sum(a.cancelled), sum(a.segments), sum(a.segments_ucs2), sum(a.cost), max(a.lag_max_ms))
  from (select workspace_id, hour, sender, template_id, batch_id, schedule_id, error_code, currency, attempted, sent,
               delivered, undelivered, failed_ours, failed_twilio, cancelled, segments, segments_ucs2, cost, lag_max_ms
        from private.delivery_hourly
        union all
        select workspace_id, hour, sender, template_id, batch_id, schedule_id, error_code, currency, attempted, sent,
               delivered, undelivered, failed_ours, failed_twilio, cancelled, segments, segments_ucs2, cost, lag_max_ms
        from private.delivery_hourly_deltas) a
  group by a.workspace_id, a.hour, a.sender, a.template_id, a.batch_id, a.schedule_id, a.error_code, a.currency
  union all
  select concat_ws(' ', t.workspace_id, t.hour, t.sender, t.template_id, t.batch_id, t.schedule_id, t.metric, t.bucket, sum(t.count))
  from (select workspace_id, hour, sender, template_id, batch_id, schedule_id, metric, bucket, count from private.delivery_timing_hourly
        union all
        select workspace_id, hour, sender, template_id, batch_id, schedule_id, metric, bucket, count from private.delivery_timing_deltas) t
  group by t.workspace_id, t.hour, t.sender, t.template_id, t.batch_id, t.schedule_id, t.metric, t.bucket
$$;

-- A mixed workload: sent, delivered, undelivered, Twilio's failures, ours, cancelled, retried, priced.
select pg_temp.make_job('an-' || s || '-' || n, s)
from unnest(array['queued', 'retrying', 'completed', 'failed', 'cancelled']) s, generate_series(1, 3) n;
select private.record_message_status(pg_temp.jid('an-completed-1'), 'SM' || md5(pg_temp.jid('an-completed-1')), 'delivered');
select private.record_message_status(pg_temp.jid('an-completed-2'), 'SM' || md5(pg_temp.jid('an-completed-2')), 'undelivered', '30003', 'Unreachable');
select private.record_message_status(pg_temp.jid('an-completed-3'), 'SM' || md5(pg_temp.jid('an-completed-3')), 'failed', '30007', 'Filtered');
select private.record_message_price(pg_temp.jid('an-completed-1'), 'SM' || md5(pg_temp.jid('an-completed-1')), -0.0079, 'USD');

create temporary table incremental as select * from pg_temp.rollup();
select isnt((select count(*)::integer from incremental), 0, 'the workload is in the rollup');
select is((select count(*)::integer from private.delivery_hourly), 0, 'nothing is folded yet: the figures come from the deltas');
select is(
  (select concat_ws(' ', sum(sent), sum(delivered), sum(undelivered), sum(failed_ours), sum(failed_twilio), sum(cancelled), sum(attempted), sum(cost))
   from private.delivery_stats_of('ws_demo', now() - interval '1 hour', now() + interval '1 hour', 'day', 'Australia/Brisbane', '')),
  '3 1 1 3 1 3 6 0.0079',
  'a read counts 3 sent, 1 delivered, 1 undelivered, 3 failed by us and 1 by Twilio, 3 cancelled, 6 attempted and the price');

select private.fold_delivery_statistics();
select is((select count(*)::integer from private.delivery_hourly_deltas) + (select count(*)::integer from private.delivery_timing_deltas), 0,
  'the fold empties the deltas');
select set_eq($$ select * from pg_temp.rollup() $$, $$ select * from incremental $$, 'the fold keeps every figure');

-- More after the fold (a cancel, a send and its delivery), then the rebuild from the log must agree.
select private.cancel_job(pg_temp.jid('an-queued-1'));
select private.claim_job(pg_temp.jid('an-queued-2'), 'worker-2');
select private.complete_job(pg_temp.jid('an-queued-2'), 'worker-2', 'SM' || md5(pg_temp.jid('an-queued-2')));
select private.record_message_status(pg_temp.jid('an-queued-2'), 'SM' || md5(pg_temp.jid('an-queued-2')), 'delivered');
create temporary table before_rebuild as select * from pg_temp.rollup();
select private.rebuild_delivery_statistics();
select set_eq($$ select * from pg_temp.rollup() $$, $$ select * from before_rebuild $$,
  'rebuilding from the event log gives exactly what the trigger''s deltas and the fold gave (counters and histograms)');
select ok(exists (select 1 from private.delivery_timing_hourly where metric = 'latency')
          and exists (select 1 from private.delivery_timing_hourly where metric = 'lag'),
  'send lag and delivery latency are in the histograms');

-- A price is recorded once; a report about another message (a duplicate send) is not this job's cost.
select private.record_message_price(pg_temp.jid('an-completed-1'), 'SM' || md5(pg_temp.jid('an-completed-1')), -0.0079, 'USD');
select private.record_message_price(pg_temp.jid('an-completed-2'), 'SMother', -0.0079, 'USD');
select is((select sum(cost) from private.delivery_stats_of('ws_demo', now() - interval '1 hour', now() + interval '1 hour', 'day', 'UTC', '')),
  0.0079, 'a repeated price report and one about another sid add no cost');

-- Day buckets follow the workspace's local midnights: 23 hours on the day New York moves to DST.
select is((select count(*)::integer from private.analytics_buckets('2026-03-08 05:00+00', '2026-03-09 04:00+00', 'hour', 'America/New_York')),
  23, '8 March 2026 in New York has 23 hourly buckets');
select results_eq($$ select bucket from private.analytics_buckets('2026-11-01 04:00+00', '2026-11-03 05:00+00', 'day', 'America/New_York') $$,
  $$ values ('2026-11-01 04:00+00'::timestamptz), ('2026-11-02 05:00+00'::timestamptz) $$,
  'day buckets start at local midnight on both sides of the change back to standard time (a 25-hour day)');

-- Nobody but the service reads them.
select pg_temp.act_as('owner@demo.test');
select throws_ok($$ select * from private.delivery_hourly $$, '42501', 'permission denied for table delivery_hourly',
  'a workspace owner cannot read the analytics rollup');
select throws_ok($$ select * from private.delivery_stats_of('ws_demo', now() - interval '1 day', now(), 'day', 'UTC', '') $$,
  '42501', 'permission denied for function delivery_stats_of',
  'nor call its read functions (the API reads them after its own role check)');

select * from finish();
rollback;
