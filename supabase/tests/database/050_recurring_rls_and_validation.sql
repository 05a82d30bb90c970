-- Recurring schedules under RLS, both ways: members read and insert their own workspace's
-- schedules and schedule events, nobody reads or writes another workspace's; direct inserts are
-- validated in the database (invalid_cron SMS10, invalid_timezone SMS11, invalid_schedule SMS12,
-- internal_column_set SMS13) and get their first run time from the evaluator.
begin;
select plan(33);

\ir helpers/acting_as.sql

-- One schedule per workspace, inserted directly by a member as a client app would.
select pg_temp.act_as('member@demo.test');
select lives_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression, timezone)
  values ('ws_demo', '+61412345678', 'weekly reminder', '0 9 * * MON', 'Australia/Brisbane') $$,
  'a member inserts a schedule directly');
select pg_temp.act_as('owner@other.test');
select lives_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression)
  values ('ws_other', '+12125550100', 'other reminder', '30 8 * * *') $$,
  'another workspace''s owner inserts one (timezone from the workspace settings)');

-- RLS: reads.
select pg_temp.act_as('viewer@demo.test');
select is((select count(*)::int from recurring_sms_schedules), 1, 'a viewer sees only its workspace''s schedule');
select is((select workspace_id from recurring_sms_schedules), 'ws_demo', '... the demo one');
select is((select count(*)::int from recurring_sms_schedule_events), 1, 'a viewer sees its workspace''s schedule events only');
select is((select event_type from recurring_sms_schedule_events), 'created', '... the created event');
select pg_temp.act_as('owner@other.test');
select is((select count(*)::int from recurring_sms_schedules where workspace_id = 'ws_demo'), 0,
  'another workspace''s owner sees no demo schedule');
select is((select timezone from recurring_sms_schedules), 'America/New_York', 'the timezone defaulted to the workspace''s');
select pg_temp.act_as_anon();
select throws_ok($$ select count(*) from recurring_sms_schedules $$, '42501', null, 'anon cannot read schedules');
select throws_ok($$ select count(*) from recurring_sms_schedule_events $$, '42501', null, 'anon cannot read schedule events');

-- RLS: writes.
select pg_temp.act_as('owner@other.test');
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression)
  values ('ws_demo', '+61412345678', 'hi', '* * * * *') $$, 'SMS15', null,
  'a non-member cannot insert into another workspace (workspace_not_found: it cannot see it)');
select pg_temp.act_as('viewer@demo.test');
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression)
  values ('ws_demo', '+61412345678', 'hi', '* * * * *') $$, '42501', null, 'a viewer cannot insert schedules');
select pg_temp.act_as('member@demo.test');
select throws_ok($$ update recurring_sms_schedules set status = 'cancelled' $$, '42501', null,
  'clients cannot update schedules (pause/resume/cancel go through the service)');
select throws_ok($$ delete from recurring_sms_schedules $$, '42501', null, 'clients cannot delete schedules');
select throws_ok($$ insert into recurring_sms_schedule_events (schedule_id, workspace_id, event_type)
  select id, workspace_id, 'paused' from recurring_sms_schedules $$, '42501', null,
  'clients cannot write schedule events');
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression, next_run_at)
  values ('ws_demo', '+61412345678', 'hi', '* * * * *', now()) $$, '42501', null, 'clients cannot name next_run_at');
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression, missed_count)
  values ('ws_demo', '+61412345678', 'hi', '* * * * *', 0) $$, '42501', null, 'clients cannot name missed_count');

-- Validation codes of direct inserts.
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression)
  values ('ws_demo', '+61412345678', 'hi', '61 * * * *') $$, 'SMS10', null, 'minute 61: invalid_cron');
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression)
  values ('ws_demo', '+61412345678', 'hi', '0 0 31 2 *') $$, 'SMS10', null,
  'an expression that matches no date (31 February): invalid_cron');
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression, timezone)
  values ('ws_demo', '+61412345678', 'hi', '0 9 * * *', 'Mars/Olympus_Mons') $$, 'SMS11', null,
  'unknown timezone: invalid_timezone');
select throws_ok(format($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression, timezone, end_at)
  values ('ws_demo', '+61412345678', 'hi', '0 0 %s * *', 'UTC', now() + interval '1 day') $$,
  extract(day from now() + interval '10 days')), 'SMS12', null,
  'no occurrence between start and end_at: invalid_schedule');
select pg_temp.act_as_service();
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression, skipped_count)
  values ('ws_demo', '+61412345678', 'hi', '* * * * *', 2) $$, 'SMS13', null,
  'even the service role cannot set skipped_count: internal_column_set');

-- First run time from the evaluator: from start_at when it is ahead, never in the past.
select pg_temp.act_as('member@demo.test');
insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression, timezone, start_at)
values ('ws_demo', '+61412345678', 'future', '0 9 * * *', 'America/New_York', '2027-06-01T00:00:00Z'),
       ('ws_demo', '+61412345678', 'past start', '* * * * *', 'UTC', now() - interval '3 days');
select is((select next_run_at from recurring_sms_schedules where body = 'future'), '2027-06-01T13:00:00Z'::timestamptz,
  'next_run_at is the first 09:00 New York time at or after start_at (09:00 EDT = 13:00 UTC)');
select is((select next_run_at from recurring_sms_schedules where body = 'past start'),
  date_trunc('minute', now()) + interval '1 minute',
  'a start in the past does not back-fill: the first run is the next minute after now');
select is((select status::text from recurring_sms_schedules where body = 'future'), 'active', 'inserted schedules are active');
select is((select count(*)::int from recurring_sms_schedule_events e join recurring_sms_schedules s on s.id = e.schedule_id
           where s.body in ('future', 'past start') and e.event_type = 'created'), 2, 'each insert logs a created event');

-- The evaluator functions are not callable by client roles.
select throws_ok($$ select private.cron_next('* * * * *', 'UTC', now()) $$, '42501', null,
  'clients cannot call the evaluator directly');
select throws_ok($$ select private.materialise_recurring(now()) $$, '42501', null, 'clients cannot run the materialisation');
select pg_temp.act_as_service();
select throws_ok($$ select private.materialise_recurring(now()) $$, '42501', null,
  'neither can the service role (only the sweep, as the owner)');
select pg_temp.act_as_postgres();
select is((select count(*)::int from recurring_sms_schedules), 4, 'the owner sees all schedules');

-- Changing the expression or timezone (service side) is validated and moves the next run.
select pg_temp.act_as_service();
select throws_ok($$ update recurring_sms_schedules set cron_expression = '0 9 * *' where body = 'future' $$,
  'SMS10', null, 'an update to an invalid expression: invalid_cron');
select throws_ok($$ update recurring_sms_schedules set timezone = 'Mars/Olympus_Mons' where body = 'future' $$,
  'SMS11', null, 'an update to an unknown timezone: invalid_timezone');
update recurring_sms_schedules set timezone = 'Europe/London' where body = 'future';
select is((select next_run_at from recurring_sms_schedules where body = 'future'), '2027-06-01T08:00:00Z'::timestamptz,
  'a new timezone moves the next run (09:00 BST = 08:00 UTC)');

select * from finish();
rollback;
