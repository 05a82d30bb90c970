-- The service_role paths with service_role as the FIRST role to run them in the transaction (see
-- 008 for why): inserts, the update guard, schedules, opt-outs, settings, cancels and deletes.
begin;
select plan(17);

\ir helpers/acting_as.sql

select pg_temp.act_as_service();
select lives_ok(
  $$ insert into scheduled_sms_jobs (workspace_id, to_phone, body) values
       ('ws_demo', '+61412345678', 'svc 1'), ('ws_demo', '+61412345678', 'svc 2'), ('ws_other', '+12125550001', 'svc 3') $$,
  'service_role inserts jobs into any workspace');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_demo', 'x', 'hi') $$,
  'SMS01', null, 'invalid_phone reaches service_role');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body, status) values ('ws_demo', '+61412345678', 'hi', 'completed') $$,
  'SMS13', null, 'internal_column_set reaches service_role');
select is(pg_temp.rows_affected($$ update scheduled_sms_jobs set metadata = '{"checked": true}' where body = 'svc 1' $$), 1,
  'service_role edits a job''s metadata (the update guard runs as service_role)');
select throws_ok($$ update scheduled_sms_jobs set status = 'completed' where body = 'svc 1' $$, 'SMS21', null,
  'service_role: queued -> completed directly is invalid_transition');
select throws_ok($$ update scheduled_sms_jobs set body = 'changed' where body = 'svc 1' $$, 'SMS24', null,
  'service_role: the body cannot change (immutable_column)');
select is(pg_temp.rows_affected($$ update scheduled_sms_jobs set status = 'cancelled', status_reason = 'ops' where body = 'svc 2' $$), 1,
  'service_role: a legal status change passes the guard');
select results_eq(
  $$ select e.event_type || ' ' || e.from_status || '->' || e.to_status from sms_job_events e
     join scheduled_sms_jobs j on j.id = e.job_id where j.body = 'svc 2' and e.event_type <> 'created' $$,
  array['cancelled queued->cancelled'], '... and is logged');
select results_eq($$ select status::text from public.cancel_sms_job((select id from scheduled_sms_jobs where body = 'svc 3')) $$,
  array['cancelled'], 'service_role cancels through the RPC');
select lives_ok(
  $$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression) values ('ws_other', '+12125550001', 'svc weekly', '0 9 * * 1') $$,
  'service_role creates a schedule');
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression) values ('ws_demo', '+61412345678', 'hi', 'x') $$,
  'SMS10', null, 'invalid_cron reaches service_role');
select lives_ok($$ insert into sms_opt_outs (workspace_id, phone, source) values ('ws_demo', '+61412345678', 'stop_keyword') $$,
  'service_role records an opt-out with its source');
select is((select status_reason from scheduled_sms_jobs where body = 'svc 1'), 'recipient_opted_out',
  'the opt-out cancelled the pending job to that number');
select is(pg_temp.rows_affected($$ update workspace_settings set retry_base_seconds = 60 where workspace_id = 'ws_other' $$), 1,
  'service_role updates settings');
select lives_ok($$ delete from scheduled_sms_jobs where body = 'svc 1' $$, 'service_role deletes a job');
select is((select count(*)::integer from sms_job_events e where not exists (select 1 from scheduled_sms_jobs j where j.id = e.job_id)), 0,
  '... and its events go with it');
select throws_ok($$ select private.claim_due_jobs('svc-worker') $$, '42501', 'permission denied for function claim_due_jobs',
  'service_role cannot call the worker functions (the delivery processes connect as the owner)');

select * from finish();
rollback;
