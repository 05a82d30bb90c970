-- RLS both ways for the message tables (jobs, events, schedules, opt-outs), the cancel RPC and the
-- monitoring views. Rows are created by the table owner (as the API does), then read and written
-- by each kind of caller.
begin;
select plan(63);

\ir helpers/acting_as.sql

insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, scheduled_time) values
  ('ws_demo', '+61412345001', 'demo job A', now()),
  ('ws_demo', '+61412345002', 'demo job B', now() + interval '1 day'),
  ('ws_other', '+12125550001', 'other job X', now() + interval '1 hour');
insert into public.recurring_sms_schedules (workspace_id, to_phone, body, cron_expression) values
  ('ws_demo', '+61412345001', 'demo schedule', '0 9 * * MON'),
  ('ws_other', '+12125550001', 'other schedule', '30 8 * * *');
insert into public.sms_opt_outs (workspace_id, phone) values
  ('ws_demo', '+61400000001'),
  ('ws_other', '+12125559999');

-- scheduled_sms_jobs: reading ---------------------------------------------------------------------
select pg_temp.act_as('owner@demo.test');
select results_eq($$ select body from public.scheduled_sms_jobs order by body $$,
  array['demo job A', 'demo job B'], 'owner@demo.test sees exactly ws_demo''s jobs');
select pg_temp.act_as('viewer@demo.test');
select results_eq($$ select body from public.scheduled_sms_jobs order by body $$,
  array['demo job A', 'demo job B'], 'viewer@demo.test sees exactly ws_demo''s jobs');
select pg_temp.act_as('member@demo.test');
select results_eq($$ select body from public.scheduled_sms_jobs order by body $$,
  array['demo job A', 'demo job B'], 'member@demo.test sees exactly ws_demo''s jobs');
select pg_temp.act_as('owner@other.test');
select results_eq($$ select body from public.scheduled_sms_jobs $$,
  array['other job X'], 'owner@other.test sees only ws_other''s job');
select is_empty($$ select * from public.scheduled_sms_jobs where workspace_id = 'ws_demo' $$,
  'owner@other.test sees no ws_demo job even when asking for ws_demo');

-- scheduled_sms_jobs: writing into another workspace --------------------------------------------
select throws_ok(
  $$ insert into public.scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_demo', '+61412345003', 'intruder') $$,
  'SMS15', null, 'owner@other.test cannot insert a job into ws_demo (workspace_not_found)');
select throws_ok(
  $$ insert into public.scheduled_sms_jobs (workspace_id, to_phone, from_number, body)
     values ('ws_demo', '+61412345003', '+15005550006', 'intruder') $$,
  'SMS15', null, 'owner@other.test cannot insert into ws_demo even naming ws_demo''s sender');
select throws_ok(
  $$ update public.scheduled_sms_jobs set body = 'changed' where workspace_id = 'ws_demo' $$,
  '42501', 'permission denied for table scheduled_sms_jobs', 'owner@other.test cannot update ws_demo''s jobs');
select throws_ok(
  $$ delete from public.scheduled_sms_jobs where workspace_id = 'ws_demo' $$,
  '42501', 'permission denied for table scheduled_sms_jobs', 'owner@other.test cannot delete ws_demo''s jobs');
select pg_temp.act_as_postgres();
create temp table demo_job_a on commit drop as
  select id from public.scheduled_sms_jobs where body = 'demo job A';
grant select on demo_job_a to public;
select pg_temp.act_as('owner@other.test');
select throws_ok($$ select public.cancel_sms_job((select id from demo_job_a)) $$,
  'SMS20', null, 'owner@other.test cannot cancel a ws_demo job: it answers job_not_found');

-- scheduled_sms_jobs: viewers read only -----------------------------------------------------------
select pg_temp.act_as('viewer@demo.test');
select throws_ok(
  $$ insert into public.scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_demo', '+61412345003', 'from a viewer') $$,
  '42501', 'new row violates row-level security policy for table "scheduled_sms_jobs"',
  'a viewer cannot insert a job');
select throws_ok($$ select public.cancel_sms_job((select id from demo_job_a)) $$,
  'SMS20', null, 'a viewer cannot cancel a job (job_not_found)');
select pg_temp.act_as_postgres();
select results_eq($$ select status::text from public.scheduled_sms_jobs where body = 'demo job A' $$,
  array['queued'], 'the refused cancels left ws_demo''s job queued');
select is((select count(*)::integer from public.scheduled_sms_jobs where workspace_id = 'ws_demo'), 2,
  'the refused inserts left no row behind');

-- scheduled_sms_jobs: members and owners send and cancel ------------------------------------------
select pg_temp.act_as('member@demo.test');
select lives_ok(
  $$ insert into public.scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_demo', '+61412345004', 'from the member') $$,
  'a member inserts a job into ws_demo');
select results_eq(
  $$ select status::text || ' ' || from_number || ' ' || created_by::text from public.scheduled_sms_jobs
     where body = 'from the member' $$,
  array['queued +15005550006 00000000-0000-4000-8000-000000000004'],
  'the member''s job is queued, sent from the default sender and attributed to the member');
select pg_temp.act_as('owner@demo.test');
select lives_ok(
  $$ insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, scheduled_time)
     values ('ws_demo', '+61412345005', 'from the owner', now() + interval '2 hours') $$,
  'the owner inserts a job into ws_demo');
select throws_ok(
  $$ insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, created_by)
     values ('ws_demo', '+61412345005', 'spoofed author', '00000000-0000-4000-8000-000000000004') $$,
  '42501', 'permission denied for table scheduled_sms_jobs', 'a client cannot choose created_by');
select pg_temp.act_as('member@demo.test');
select results_eq($$ select status::text || ' ' || status_reason from public.cancel_sms_job((select id from demo_job_a)) $$,
  array['cancelled cancelled_by_user'], 'a member cancels a queued ws_demo job');
select pg_temp.act_as('owner@demo.test');
select results_eq(
  $$ select status::text from public.cancel_sms_job((select id from public.scheduled_sms_jobs where body = 'demo job B')) $$,
  array['cancelled'], 'the owner cancels a scheduled ws_demo job');

-- scheduled_sms_jobs: anon and service_role --------------------------------------------------------
select pg_temp.act_as_anon();
select throws_ok($$ select * from public.scheduled_sms_jobs $$, '42501',
  'permission denied for table scheduled_sms_jobs', 'anon cannot read jobs');
select throws_ok($$ insert into public.scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_demo', '+61412345006', 'anon') $$,
  '42501', 'permission denied for table scheduled_sms_jobs', 'anon cannot insert jobs');
select throws_ok($$ select public.cancel_sms_job('job_0') $$, '42501',
  'permission denied for function cancel_sms_job', 'anon cannot call cancel_sms_job');
select pg_temp.act_as_service();
select results_eq($$ select body from public.scheduled_sms_jobs order by body $$,
  array['demo job A', 'demo job B', 'from the member', 'from the owner', 'other job X'],
  'service_role sees every job of every workspace');
select results_eq(
  $$ select status::text from public.cancel_sms_job((select id from public.scheduled_sms_jobs where body = 'other job X')) $$,
  array['cancelled'], 'service_role cancels any workspace''s job through the RPC');
select lives_ok(
  $$ insert into public.scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_other', '+12125550002', 'from the service') $$,
  'service_role inserts into any workspace');

-- sms_job_events -----------------------------------------------------------------------------------
select pg_temp.act_as('viewer@demo.test');
select results_eq(
  $$ select j.body || ' ' || e.event_type from public.sms_job_events e
     join public.scheduled_sms_jobs j on j.id = e.job_id order by j.body, e.id $$,
  array['demo job A created', 'demo job A cancelled', 'demo job B created', 'demo job B cancelled',
        'from the member created', 'from the owner created'],
  'a ws_demo viewer reads exactly ws_demo''s events');
select pg_temp.act_as('owner@other.test');
select is_empty($$ select * from public.sms_job_events where workspace_id = 'ws_demo' $$,
  'owner@other.test reads no ws_demo event');
select results_eq($$ select event_type from public.sms_job_events order by id $$,
  array['created', 'cancelled', 'created'], 'owner@other.test reads ws_other''s events only');
select pg_temp.act_as('owner@demo.test');
select throws_ok(
  $$ insert into public.sms_job_events (job_id, workspace_id, event_type)
     values ((select id from demo_job_a), 'ws_demo', 'completed') $$,
  '42501', 'permission denied for table sms_job_events', 'an owner cannot forge an event');
select throws_ok($$ delete from public.sms_job_events $$, '42501',
  'permission denied for table sms_job_events', 'an owner cannot delete events');
select pg_temp.act_as_anon();
select throws_ok($$ select * from public.sms_job_events $$, '42501',
  'permission denied for table sms_job_events', 'anon cannot read events');
select pg_temp.act_as_service();
select is((select count(*)::integer from public.sms_job_events), 9, 'service_role reads every event');

-- recurring_sms_schedules --------------------------------------------------------------------------
select pg_temp.act_as('viewer@demo.test');
select results_eq($$ select body from public.recurring_sms_schedules $$, array['demo schedule'],
  'a ws_demo viewer reads only ws_demo''s schedules');
select throws_ok(
  $$ insert into public.recurring_sms_schedules (workspace_id, to_phone, body, cron_expression)
     values ('ws_demo', '+61412345001', 'viewer schedule', '0 9 * * *') $$,
  '42501', 'new row violates row-level security policy for table "recurring_sms_schedules"',
  'a viewer cannot create a schedule');
select pg_temp.act_as('owner@other.test');
select is_empty($$ select * from public.recurring_sms_schedules where workspace_id = 'ws_demo' $$,
  'owner@other.test reads no ws_demo schedule');
select throws_ok(
  $$ insert into public.recurring_sms_schedules (workspace_id, to_phone, body, cron_expression)
     values ('ws_demo', '+61412345001', 'intruder schedule', '0 9 * * *') $$,
  'SMS15', null, 'owner@other.test cannot create a schedule in ws_demo');
select throws_ok($$ update public.recurring_sms_schedules set status = 'paused' $$, '42501',
  'permission denied for table recurring_sms_schedules', 'schedules are not updated through the table');
select pg_temp.act_as('member@demo.test');
select lives_ok(
  $$ insert into public.recurring_sms_schedules (workspace_id, to_phone, body, cron_expression)
     values ('ws_demo', '+61412345001', 'member schedule', '15 7 * * 1-5') $$,
  'a member creates a schedule in ws_demo');
select results_eq(
  $$ select timezone || ' ' || from_number || ' ' || status::text || ' ' || created_by::text
     from public.recurring_sms_schedules where body = 'member schedule' $$,
  array['Australia/Brisbane +15005550006 active 00000000-0000-4000-8000-000000000004'],
  'the schedule takes the workspace''s timezone and default sender, is active and attributed to the member');
select pg_temp.act_as('owner@demo.test');
select lives_ok(
  $$ insert into public.recurring_sms_schedules (workspace_id, to_phone, body, cron_expression, timezone)
     values ('ws_demo', '+61412345001', 'owner schedule', '0 18 * * FRI', 'Europe/London') $$,
  'the owner creates a schedule in ws_demo with its own timezone');
select pg_temp.act_as_anon();
select throws_ok($$ select * from public.recurring_sms_schedules $$, '42501',
  'permission denied for table recurring_sms_schedules', 'anon cannot read schedules');
select pg_temp.act_as_service();
select results_eq($$ select body from public.recurring_sms_schedules order by body $$,
  array['demo schedule', 'member schedule', 'other schedule', 'owner schedule'],
  'service_role reads every schedule');

-- sms_opt_outs -------------------------------------------------------------------------------------
select pg_temp.act_as('viewer@demo.test');
select results_eq($$ select workspace_id || ' ' || phone from public.sms_opt_outs $$,
  array['ws_demo +61400000001'], 'a ws_demo viewer reads only ws_demo''s opt-outs');
select throws_ok($$ insert into public.sms_opt_outs (workspace_id, phone) values ('ws_demo', '+61400000002') $$,
  '42501', 'new row violates row-level security policy for table "sms_opt_outs"', 'a viewer cannot record an opt-out');
select pg_temp.act_as('owner@other.test');
select is_empty($$ select * from public.sms_opt_outs where workspace_id = 'ws_demo' $$,
  'owner@other.test reads no ws_demo opt-out');
select throws_ok($$ insert into public.sms_opt_outs (workspace_id, phone) values ('ws_demo', '+61400000003') $$,
  '42501', 'new row violates row-level security policy for table "sms_opt_outs"',
  'owner@other.test cannot record an opt-out for ws_demo');
select pg_temp.act_as('member@demo.test');
select lives_ok($$ insert into public.sms_opt_outs (workspace_id, phone) values ('ws_demo', '+61400000004') $$,
  'a member records an opt-out for ws_demo');
select results_eq(
  $$ select source || ' ' || created_by::text from public.sms_opt_outs where phone = '+61400000004' $$,
  array['manual 00000000-0000-4000-8000-000000000004'], 'the opt-out is manual and attributed to the member');
select throws_ok($$ delete from public.sms_opt_outs where phone = '+61400000001' $$, '42501',
  'permission denied for table sms_opt_outs', 'an opt-out cannot be removed by a member');
select throws_ok($$ insert into public.sms_opt_outs (workspace_id, phone, source) values ('ws_demo', '+61400000005', 'twilio_21610') $$,
  '42501', 'permission denied for table sms_opt_outs', 'a client cannot claim an opt-out came from Twilio');
select pg_temp.act_as('owner@demo.test');
select lives_ok($$ insert into public.sms_opt_outs (workspace_id, phone) values ('ws_demo', '+61400000006') $$,
  'the owner records an opt-out for ws_demo');
select pg_temp.act_as_anon();
select throws_ok($$ select * from public.sms_opt_outs $$, '42501',
  'permission denied for table sms_opt_outs', 'anon cannot read opt-outs');
select pg_temp.act_as_service();
select results_eq($$ select phone from public.sms_opt_outs order by phone $$,
  array['+12125559999', '+61400000001', '+61400000004', '+61400000006'], 'service_role reads every opt-out');

-- Monitoring views -----------------------------------------------------------------------------------
-- A failed ws_demo job and a failed ws_other job, through the worker functions.
select pg_temp.act_as_postgres();
insert into public.scheduled_sms_jobs (workspace_id, to_phone, body) values
  ('ws_demo', '+61412345007', 'demo failure'), ('ws_other', '+12125550003', 'other failure');
select is((select count(*)::integer from private.claim_due_jobs('monitor-test-worker')), 4,
  'the worker claims the four due jobs (the member''s, the service''s and both failures-to-be)');
select private.fail_job(id, 'monitor-test-worker', '21211', 'Invalid To number')
from public.scheduled_sms_jobs where body in ('demo failure', 'other failure');

select pg_temp.act_as('viewer@demo.test');
select results_eq(
  $$ select workspace_id || ' q' || queued || ' s' || scheduled || ' p' || processing || ' c' || cancelled || ' f' || failed
            || ' h' || failures_last_hour
     from public.sms_queue_health $$,
  array['ws_demo q0 s1 p1 c2 f1 h1'],
  'a ws_demo viewer sees one health row, ws_demo''s, with its own counts');
select results_eq($$ select job_id from public.sms_recent_failures $$,
  $$ select id from public.scheduled_sms_jobs where body = 'demo failure' $$,
  'a ws_demo viewer sees only ws_demo''s failure');
select pg_temp.act_as('owner@other.test');
select results_eq($$ select workspace_id from public.sms_queue_health $$, array['ws_other'],
  'owner@other.test sees only ws_other''s health row');
select results_eq($$ select to_phone || ' ' || last_error_code from public.sms_recent_failures $$,
  array['+12125550003 21211'], 'owner@other.test sees only ws_other''s failure');
select pg_temp.act_as_anon();
select throws_ok($$ select * from public.sms_queue_health $$, '42501',
  'permission denied for view sms_queue_health', 'anon cannot read the queue health view');
select throws_ok($$ select * from public.sms_recent_failures $$, '42501',
  'permission denied for view sms_recent_failures', 'anon cannot read the failures view');
select pg_temp.act_as_service();
select results_eq($$ select workspace_id from public.sms_queue_health order by workspace_id $$,
  array['ws_demo', 'ws_other'], 'service_role sees every workspace''s health');
select is((select count(*)::integer from public.sms_recent_failures), 2, 'service_role sees every failure');

select * from finish();
rollback;
