-- The client paths with authenticated as the FIRST role to run them in the transaction.
-- PL/pgSQL checks EXECUTE on the functions a trigger calls only when it first evaluates each
-- expression in a transaction, so a test where the table owner ran a trigger first could miss a
-- missing grant. Here nothing runs the triggers before signed-in users do, as in a real request.
begin;
select plan(18);

\ir helpers/acting_as.sql

select pg_temp.act_as('member@demo.test');
select lives_ok(
  $$ insert into scheduled_sms_jobs (workspace_id, to_phone, from_number, body, media_urls, metadata, scheduled_time)
     values ('ws_demo', '+61412345678', '+15005550006', 'first', array['https://cdn.example.com/a.jpg'],
             '{"campaign": "spring"}', now() + interval '1 hour') $$,
  'a member''s first insert runs every validation as authenticated');
select lives_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_demo', '+61412345679', 'second') $$,
  'a member''s insert without sender or time takes the defaults');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_demo', '0412', 'hi') $$,
  'SMS01', null, 'invalid_phone reaches the client');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body, scheduled_time) values ('ws_demo', '+61412345678', 'hi', now() - interval '1 day') $$,
  'SMS04', null, 'scheduled_time_in_past reaches the client');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, from_number, body) values ('ws_demo', '+61412345678', '+15017122661', 'hi') $$,
  'SMS06', null, 'sender_not_allowed reaches the client');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_other', '+61412345678', 'hi') $$,
  'SMS15', null, 'workspace_not_found reaches the client');
select lives_ok(
  $$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression) values ('ws_demo', '+61412345678', 'weekly', '0 9 * * MON') $$,
  'a member''s first schedule runs the cron and timezone checks as authenticated');
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression) values ('ws_demo', '+61412345678', 'hi', '0 9 * *') $$,
  'SMS10', null, 'invalid_cron reaches the client');
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression, timezone) values ('ws_demo', '+61412345678', 'hi', '0 9 * * *', 'Nowhere/City') $$,
  'SMS11', null, 'invalid_timezone reaches the client');
select lives_ok($$ insert into sms_opt_outs (workspace_id, phone) values ('ws_demo', '+61412345678') $$,
  'a member records an opt-out');
select results_eq($$ select body || ' ' || status::text || ' ' || coalesce(status_reason, '-') from scheduled_sms_jobs order by body $$,
  array['first cancelled recipient_opted_out', 'second queued -'],
  'the opt-out cancelled the pending job to that number, not the other one');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_demo', '+61412345678', 'hi') $$,
  'SMS09', null, 'recipient_opted_out reaches the client');
select results_eq($$ select status::text from public.cancel_sms_job((select id from scheduled_sms_jobs where body = 'second')) $$,
  array['cancelled'], 'a member cancels through the RPC');
select results_eq(
  $$ select event_type || ' ' || to_status from sms_job_events e join scheduled_sms_jobs j on j.id = e.job_id order by j.body, e.id $$,
  array['created scheduled', 'cancelled cancelled', 'created queued', 'cancelled cancelled'],
  'the member reads the events of its jobs');
select results_eq($$ select workspace_id || ' ' || cancelled || ' ' || (last_sweep_at is null or last_sweep_at <= now())::text from sms_queue_health $$,
  array['ws_demo 2 true'], 'the member reads its workspace''s health');
select pg_temp.act_as('owner@demo.test');
select is(pg_temp.rows_affected($$ update workspace_settings set timezone = 'Pacific/Auckland' where workspace_id = 'ws_demo' $$), 1,
  'the owner updates settings');
select throws_ok($$ update workspace_settings set timezone = 'Nowhere/City' where workspace_id = 'ws_demo' $$,
  'SMS11', null, 'an invalid settings timezone reaches the owner as invalid_timezone');
select throws_ok($$ select private.claim_due_jobs('sneaky-worker') $$, '42501', 'permission denied for function claim_due_jobs',
  'a signed-in user cannot claim jobs');

select * from finish();
rollback;
