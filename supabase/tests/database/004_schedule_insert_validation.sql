-- Direct inserts into recurring_sms_schedules: the message rules of jobs, plus a valid 5-field
-- cron expression (SMS10), an IANA timezone (SMS11) and a sane window (SMS12). Clients cannot set
-- the columns the service manages.
begin;
select plan(41);

\ir helpers/acting_as.sql

select pg_temp.act_as('member@demo.test');

-- invalid_cron (SMS10) -----------------------------------------------------------------------------
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression) values ('ws_demo', '+61412345678', 'hi', '* * * *') $$,
  'SMS10', null, 'four fields are refused');
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression) values ('ws_demo', '+61412345678', 'hi', '0 0 9 * * *') $$,
  'SMS10', null, 'six fields (seconds) are refused');
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression) values ('ws_demo', '+61412345678', 'hi', 'every monday') $$,
  'SMS10', null, 'words are refused');
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression) values ('ws_demo', '+61412345678', 'hi', '60 * * * *') $$,
  'SMS10', null, 'minute 60 is refused');
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression) values ('ws_demo', '+61412345678', 'hi', '0 24 * * *') $$,
  'SMS10', null, 'hour 24 is refused');
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression) values ('ws_demo', '+61412345678', 'hi', '0 9 32 * *') $$,
  'SMS10', null, 'day 32 is refused');
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression) values ('ws_demo', '+61412345678', 'hi', '0 9 * 13 *') $$,
  'SMS10', null, 'month 13 is refused');
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression) values ('ws_demo', '+61412345678', 'hi', '*/0 * * * *') $$,
  'SMS10', null, 'a step of 0 is refused');
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression) values ('ws_demo', '+61412345678', 'hi', '0 17-9 * * *') $$,
  'SMS10', null, 'a backwards range is refused');
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body) values ('ws_demo', '+61412345678', 'hi') $$,
  'SMS10', null, 'a missing cron expression is refused as invalid_cron');
select lives_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression)
                   values ('ws_demo', '+61412345678', 'weekday mornings', '30 7 * * MON-FRI') $$,
  'day names and ranges are accepted');
select lives_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression)
                   values ('ws_demo', '+61412345678', 'lists and steps', '0,30 */2 1-15 jan,jul 0') $$,
  'lists, steps, lower-case month names and Sunday as 0 are accepted');

-- invalid_timezone (SMS11) -------------------------------------------------------------------------
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression, timezone)
                    values ('ws_demo', '+61412345678', 'hi', '0 9 * * *', 'Mars/Olympus') $$,
  'SMS11', null, 'an unknown zone is refused');
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression, timezone)
                    values ('ws_demo', '+61412345678', 'hi', '0 9 * * *', '+10:00') $$,
  'SMS11', null, 'a UTC offset is not a timezone name');
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression, timezone)
                    values ('ws_demo', '+61412345678', 'hi', '0 9 * * *', '') $$,
  'SMS11', null, 'an empty timezone is refused');
select lives_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression, timezone)
                   values ('ws_demo', '+61412345678', 'new york', '0 9 * * *', 'America/New_York') $$,
  'an IANA name is accepted');
select results_eq(
  $$ select body || ' ' || timezone from recurring_sms_schedules where body in ('new york', 'weekday mornings') order by body $$,
  array['new york America/New_York', 'weekday mornings Australia/Brisbane'],
  'the timezone given is kept; without one the workspace''s timezone is used');

-- invalid_schedule (SMS12) -------------------------------------------------------------------------
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression, start_at, end_at)
                    values ('ws_demo', '+61412345678', 'hi', '0 9 * * *', now() + interval '2 days', now() + interval '1 day') $$,
  'SMS12', null, 'end_at before start_at is refused');
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression, end_at)
                    values ('ws_demo', '+61412345678', 'hi', '0 9 * * *', now()) $$,
  'SMS12', null, 'end_at equal to start_at (now by default) is refused');
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression, max_occurrences)
                    values ('ws_demo', '+61412345678', 'hi', '0 9 * * *', 0) $$,
  'SMS12', null, 'max_occurrences below 1 is refused');
select lives_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression, end_at, max_occurrences)
                   values ('ws_demo', '+61412345678', 'bounded', '0 9 * * *', now() + interval '30 days', 5) $$,
  'an end after the start and a positive occurrence limit are accepted');

-- The message rules apply to schedules too -------------------------------------------------------
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression) values ('ws_demo', '0412345678', 'hi', '0 9 * * *') $$,
  'SMS01', null, 'a schedule''s recipient must be E.164');
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression) values ('ws_demo', '+61412345678', ' ', '0 9 * * *') $$,
  'SMS02', null, 'a schedule''s body must not be blank');
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression, media_urls)
                    values ('ws_demo', '+61412345678', 'hi', '0 9 * * *', array['http://cdn.example.com/a.jpg']) $$,
  'SMS03', null, 'a schedule''s media must be https');
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression, metadata)
                    values ('ws_demo', '+61412345678', 'hi', '0 9 * * *', '[]') $$,
  'SMS08', null, 'a schedule''s metadata must be an object');
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, from_number, body, cron_expression)
                    values ('ws_demo', '+61412345678', '+15017122661', 'hi', '0 9 * * *') $$,
  'SMS06', null, 'a schedule cannot send from another workspace''s number');
select pg_temp.act_as('owner@demo.test');
select is(pg_temp.rows_affected($$ insert into sms_opt_outs (workspace_id, phone) values ('ws_demo', '+61400000001') $$), 1,
  'the owner records an opt-out');
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression) values ('ws_demo', '+61400000001', 'hi', '0 9 * * *') $$,
  'SMS09', null, 'a schedule cannot target an opted-out recipient');

-- Internal columns ---------------------------------------------------------------------------------
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression, status)
                    values ('ws_demo', '+61412345678', 'hi', '0 9 * * *', 'active') $$,
  '42501', 'permission denied for table recurring_sms_schedules', 'a client cannot set a schedule''s status');
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression, next_run_at)
                    values ('ws_demo', '+61412345678', 'hi', '0 9 * * *', now()) $$,
  '42501', 'permission denied for table recurring_sms_schedules', 'a client cannot set next_run_at');
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression, occurrences_count)
                    values ('ws_demo', '+61412345678', 'hi', '0 9 * * *', 0) $$,
  '42501', 'permission denied for table recurring_sms_schedules', 'a client cannot set occurrences_count');
select pg_temp.act_as_service();
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression, status)
                    values ('ws_demo', '+61412345678', 'hi', '0 9 * * *', 'paused') $$,
  'SMS13', null, 'service_role cannot create a schedule in another status than active');
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression, occurrences_count)
                    values ('ws_demo', '+61412345678', 'hi', '0 9 * * *', 3) $$,
  'SMS13', null, 'service_role cannot preset occurrences_count');
select throws_ok($$ insert into recurring_sms_schedules (workspace_id, to_phone, body, cron_expression, last_run_at)
                    values ('ws_demo', '+61412345678', 'hi', '0 9 * * *', now()) $$,
  'SMS13', null, 'service_role cannot preset last_run_at');

-- What the accepted rows hold, and that refusals left nothing ------------------------------------
select pg_temp.act_as_postgres();
select results_eq(
  $$ select body || ' ' || status::text || ' ' || occurrences_count || ' ' || from_number || ' ' || created_by::text
     from recurring_sms_schedules order by body $$,
  array['bounded active 0 +15005550006 00000000-0000-4000-8000-000000000004',
        'lists and steps active 0 +15005550006 00000000-0000-4000-8000-000000000004',
        'new york active 0 +15005550006 00000000-0000-4000-8000-000000000004',
        'weekday mornings active 0 +15005550006 00000000-0000-4000-8000-000000000004'],
  'only the four accepted schedules exist: active, no occurrences, default sender, attributed to the member');
select ok((select bool_and(id ~ '^sched_[0-9a-f]{32}$') from recurring_sms_schedules),
  'schedule ids are opaque random ids');
select is((select count(*)::integer from scheduled_sms_jobs), 0, 'creating schedules created no job by itself');

-- The cron check itself, on inputs the table tests do not reach -----------------------------------
select ok(private.is_valid_cron(E'  0\t9  * *   1  '), 'extra whitespace between fields is accepted');
select ok(not private.is_valid_cron(null), 'null is not a cron expression');
select ok(not private.is_valid_cron('0 9 * * 8'), 'weekday 8 is refused');
select ok(not private.is_valid_cron('0 9 * * MON,'), 'an empty list item is refused');

select * from finish();
rollback;
