-- Sender routing and quiet hours (20261130001100_sender_routing_and_quiet_hours.sql): countries of
-- numbers, senders' countries (derived, set, refused, RLS), geo-match / sticky / default /
-- explicit selection, categories, the quiet-hours window (edges, a window across midnight, DST
-- changes, single- vs multi-timezone countries), moving a marketing message at creation, holding
-- and skipping at both claims, schedules, bulk batches and the guard.
begin;
select plan(67);

\ir helpers/acting_as.sql
\ir helpers/jobs.sql

-- Countries --------------------------------------------------------------------------------------
select is(private.phone_country('+447911123456'), 'GB', 'a UK mobile is GB');
select is(private.phone_country('+12045550123'), 'CA', '+1 204 is Canada (area code)');
select is(private.phone_country('+12125550123'), 'US', 'another +1 number is the United States');
select is(private.phone_country('+17875550123'), 'PR', '+1 787 is Puerto Rico');
select is(private.phone_country('+61412345678'), 'AU', '+61 is Australia');
select is(private.phone_country('+77012345678'), 'KZ', '+7 7 is Kazakhstan (longest prefix)');
select is(private.phone_country('+74951234567'), 'RU', 'another +7 number is Russia');
select is(private.phone_country('+8801712345678'), 'BD', 'a three-digit calling code');
select is(private.phone_country('+999123456'), null, 'an unknown calling code has no country');
select is(private.phone_country('MG' || repeat('ab', 16)), null, 'a Messaging Service SID has no country');
select is_empty($$ select c.timezone from private.countries c
                   where c.timezone is not null and c.timezone not in (select name from pg_timezone_names) $$,
  'every country timezone is an IANA zone this database knows');
select is(private.recipient_timezone('GB', 'Australia/Brisbane'), 'Europe/London',
  'a recipient in a one-timezone country: the country''s zone');
select is(private.recipient_timezone('US', 'Australia/Brisbane'), 'Australia/Brisbane',
  'a recipient in a country of several timezones: the workspace''s zone');
select is(private.recipient_timezone(null, 'UTC'), 'UTC', 'an unknown country: the workspace''s zone');

-- Senders' countries ------------------------------------------------------------------------------
-- At the highest rate, so that pacing never keeps a due message out of a claim here.
insert into public.workspace_senders (sender, workspace_id, label, messages_per_second) values
  ('+447700900123', 'ws_demo', 'UK line', 1000),
  ('+447700900456', 'ws_demo', 'second UK line', 1000),
  ('MG' || repeat('cd', 16), 'ws_demo', 'Messaging Service', 1000);
select is((select country from public.workspace_senders where sender = '+447700900123'), 'GB',
  'a sender''s country is derived from its number');
select is((select country from public.workspace_senders where sender = '+15005550006'), 'US',
  'senders registered before the migration got theirs too');
select is((select country from public.workspace_senders where sender = 'MG' || repeat('cd', 16)), null,
  'a Messaging Service has none until it is set');
select pg_temp.act_as('member@demo.test');
update public.workspace_senders set country = 'FR' where sender = 'MG' || repeat('cd', 16);
select pg_temp.act_as('owner@demo.test');
select is((select country from public.workspace_senders where sender = 'MG' || repeat('cd', 16)), null,
  'a member cannot set a sender''s country (RLS)');
update public.workspace_senders set country = 'FR' where sender = 'MG' || repeat('cd', 16);
select is((select country from public.workspace_senders where sender = 'MG' || repeat('cd', 16)), 'FR',
  'an owner sets a Messaging Service''s country');
select throws_ok($$ update public.workspace_senders set country = 'XX' where sender = 'MG' || repeat('cd', 16) $$,
  'SMS43', null, 'an unknown country code is refused (invalid_country)');
select throws_ok($$ update public.workspace_senders set country = 'gb' where sender = 'MG' || repeat('cd', 16) $$,
  'SMS43', null, 'a country is two capital letters');
select pg_temp.act_as_postgres();

-- Routing -----------------------------------------------------------------------------------------
insert into public.scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_demo', '+447911123456', 'uk geo');
select is((select from_number || ' ' || sender_selection from public.scheduled_sms_jobs where body = 'uk geo'),
  '+447700900123 geo_match', 'no sender given, a UK recipient: the first of the workspace''s UK senders (geo_match)');
select is((select to_country from public.scheduled_sms_jobs where body = 'uk geo'), 'GB',
  'the job records the recipient''s country');
select is((select details ->> 'sender_selection' from public.sms_job_events
           where job_id = pg_temp.jid('uk geo') and event_type = 'created'),
  'geo_match', 'the created event records the choice');
insert into public.scheduled_sms_jobs (workspace_id, to_phone, from_number, body)
values ('ws_demo', '+447911999999', '+447700900456', 'uk explicit second');
insert into public.scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_demo', '+447911999999', 'uk sticky geo');
select is((select from_number || ' ' || sender_selection from public.scheduled_sms_jobs where body = 'uk sticky geo'),
  '+447700900456 geo_match', 'among several senders of the country, the recipient''s last one');
insert into public.scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_demo', '+61412345678', 'au default');
select is((select from_number || ' ' || sender_selection from public.scheduled_sms_jobs where body = 'au default'),
  '+15005550006 default', 'no sender of the country and no earlier message: the workspace default');
insert into public.scheduled_sms_jobs (workspace_id, to_phone, from_number, body)
values ('ws_demo', '+4915112345678', '+447700900123', 'de explicit');
select is((select sender_selection from public.scheduled_sms_jobs where body = 'de explicit'), 'explicit',
  'a sender named in the request always wins (explicit)');
insert into public.scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_demo', '+4915112345678', 'de sticky');
select is((select from_number || ' ' || sender_selection from public.scheduled_sms_jobs where body = 'de sticky'),
  '+447700900123 sticky', 'no sender of the recipient''s country (DE): the sender of their last message (sticky)');
select throws_ok($$ insert into public.scheduled_sms_jobs (workspace_id, to_phone, from_number, body)
                   values ('ws_demo', '+12125550123', '+15017122661', 'foreign sender') $$,
  'SMS06', null, 'an explicit sender of another workspace is still refused (sender_not_allowed)');
-- The Messaging Service set to FR is a French sender: a new French recipient goes to it.
insert into public.scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_demo', '+33700000001', 'fr geo');
select is((select from_number || ' ' || sender_selection from public.scheduled_sms_jobs where body = 'fr geo'),
  'MG' || repeat('cd', 16) || ' geo_match', 'a sender''s set country takes part in geo-match');

-- Categories --------------------------------------------------------------------------------------
select is((select category from public.scheduled_sms_jobs where body = 'uk geo'), 'transactional',
  'a message is transactional unless it says otherwise');
select throws_ok($$ insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, category)
                   values ('ws_demo', '+61412345678', 'bad category', 'promo') $$,
  'SMS42', null, 'an unknown category is refused (invalid_category)');
select throws_ok($$ update public.scheduled_sms_jobs set category = 'marketing' where body = 'uk geo' $$,
  'SMS24', null, 'a job''s category is fixed once created');

-- The window -------------------------------------------------------------------------------------
select is(private.quiet_hours_opening('2026-06-10 12:00+00', 'Europe/London', '08:00', '21:00'), null,
  'inside the window: no wait');
select is(private.quiet_hours_opening('2026-06-10 07:00+00', 'Europe/London', '08:00', '21:00'), null,
  'at the opening exactly (08:00 BST): inside');
select is(private.quiet_hours_opening('2026-06-10 06:59:59+00', 'Europe/London', '08:00', '21:00'),
  '2026-06-10 07:00+00'::timestamptz, 'a second before the opening: the opening the same day');
select is(private.quiet_hours_opening('2026-06-10 20:00+00', 'Europe/London', '08:00', '21:00'),
  '2026-06-11 07:00+00'::timestamptz, 'at the close exactly (21:00 BST): the next morning');
select is(private.quiet_hours_opening('2026-06-10 19:59:59+00', 'Europe/London', '08:00', '21:00'), null,
  'a second before the close: inside');
select is(private.quiet_hours_opening('2026-06-10 23:30+00', 'Europe/London', '22:00', '06:00'), null,
  'a window across midnight: inside after midnight');
select is(private.quiet_hours_opening('2026-06-10 12:00+00', 'Europe/London', '22:00', '06:00'),
  '2026-06-10 21:00+00'::timestamptz, 'a window across midnight: outside it waits for the evening opening');
select is(private.quiet_hours_opening('2026-03-08 10:00+00', 'America/New_York', '08:00', '21:00'),
  '2026-03-08 12:00+00'::timestamptz, 'the night clocks spring forward: 08:00 EDT (UTC-4), not EST');
select is(private.quiet_hours_opening('2026-11-01 02:30+00', 'America/New_York', '08:00', '21:00'),
  '2026-11-01 13:00+00'::timestamptz, 'the night clocks fall back: 22:30 EDT waits for 08:00 EST (UTC-5)');
select is(private.quiet_hours_opening('2026-03-29 00:30+00', 'Europe/London', '08:00', '21:00'),
  '2026-03-29 07:00+00'::timestamptz, 'London''s spring change: 00:30 GMT waits for 08:00 BST');

-- Settings ----------------------------------------------------------------------------------------
select is((select quiet_hours_enabled::text || ' ' || quiet_hours_start || '-' || quiet_hours_end
           from public.workspace_settings where workspace_id = 'ws_demo'),
  'false 08:00:00-21:00:00', 'quiet hours are off by default, 08:00-21:00');
select pg_temp.act_as('member@demo.test');
update public.workspace_settings set quiet_hours_enabled = true where workspace_id = 'ws_demo';
select pg_temp.act_as('owner@demo.test');
select is((select quiet_hours_enabled from public.workspace_settings where workspace_id = 'ws_demo'), false,
  'a member cannot turn quiet hours on (RLS)');
select throws_ok($$ update public.workspace_settings set quiet_hours_start = '09:00', quiet_hours_end = '09:00'
                   where workspace_id = 'ws_demo' $$, 'SMS41', null, 'a window that opens when it closes is refused (invalid_quiet_hours)');
-- A window that is closed now, wherever the clock stands: it opens in an hour and lasts an hour.
update public.workspace_settings
set quiet_hours_enabled = true,
    quiet_hours_start = ((now() at time zone 'Europe/London') + interval '1 hour')::time(0),
    quiet_hours_end = ((now() at time zone 'Europe/London') + interval '2 hours')::time(0)
where workspace_id = 'ws_demo';
select is((select quiet_hours_enabled from public.workspace_settings where workspace_id = 'ws_demo'), true,
  'an owner turns quiet hours on');
select pg_temp.act_as_postgres();
create temp table opening as
  select private.quiet_hours_opening(now(), 'Europe/London', s.quiet_hours_start, s.quiet_hours_end) as at
  from public.workspace_settings s where s.workspace_id = 'ws_demo';
select ok((select at > now() and at <= now() + interval '1 hour 1 second' from opening),
  'the window opens within the next hour');

-- Moved at creation -------------------------------------------------------------------------------
insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, category) values
  ('ws_demo', '+447911000001', 'uk marketing', 'marketing'),
  ('ws_demo', '+447911000002', 'uk transactional', 'transactional');
select is((select status || ' ' || status_reason from public.scheduled_sms_jobs where body = 'uk marketing'),
  'scheduled quiet_hours', 'a marketing message outside the window is scheduled, and says why');
select is((select scheduled_time from public.scheduled_sms_jobs where body = 'uk marketing'), (select at from opening),
  'for the window''s opening in the recipient''s (UK) time');
select is((select requested_time from public.scheduled_sms_jobs where body = 'uk marketing'), now(),
  'the time asked for is kept');
select is((select details ->> 'requested_time' from public.sms_job_events
           where job_id = pg_temp.jid('uk marketing') and event_type = 'quiet_hours')::timestamptz, now(),
  'a quiet_hours event logs the move');
select is((select status || ' ' || coalesce(status_reason, '-') || ' ' || (scheduled_time = now())
           from public.scheduled_sms_jobs where body = 'uk transactional'),
  'queued - true', 'a transactional message is never held');
insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, category, expires_at)
values ('ws_demo', '+447911000003', 'uk marketing short-lived', 'marketing', now() + interval '10 minutes');
select is((select status || ' ' || coalesce(status_reason, '-') from public.scheduled_sms_jobs where body = 'uk marketing short-lived'),
  'queued -', 'a marketing message that expires before the opening is left as asked…');

-- Held and skipped at the claims --------------------------------------------------------------------
-- Due marketing messages created while quiet hours were off.
update public.workspace_settings set quiet_hours_enabled = false where workspace_id = 'ws_demo';
insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, category) values
  ('ws_demo', '+447911000011', 'due marketing A', 'marketing'),
  ('ws_demo', '+447911000012', 'due marketing B', 'marketing'),
  ('ws_demo', '+447911000013', 'due transactional', 'transactional');
update public.workspace_settings set quiet_hours_enabled = true where workspace_id = 'ws_demo';
create temp table claimed as select body from private.claim_due_jobs('worker-Q', 1000, 60, 0);
select ok((select 'due transactional' in (select body from claimed)), 'the claim sends transactional messages');
select is_empty($$ select 1 from claimed where body like 'due marketing%' or body = 'uk marketing short-lived' $$,
  'and no marketing message while the window is closed');
select is((select pg_temp.state('due marketing A') || ' ' || (next_attempt_at = (select at from opening))
           from public.scheduled_sms_jobs where body = 'due marketing A'),
  'queued a0 quiet_hours - true', 'a due marketing message waits for the opening (quiet_hours)');
select is((select (details ->> 'next_attempt_at')::timestamptz from public.sms_job_events
           where job_id = pg_temp.jid('due marketing A') and event_type = 'quiet_hours'), (select at from opening),
  'with a quiet_hours event');
select is(pg_temp.state('uk marketing short-lived'), 'cancelled a0 quiet_hours_expired -',
  '…and skipped by the claim: cancelled (quiet_hours_expired), never sent');
select is((select to_status::text from public.sms_job_events
           where job_id = pg_temp.jid('uk marketing short-lived') order by id desc limit 1), 'cancelled',
  'the skip is in the event log');
-- The Trigger.dev path: due again (moved back), claimed by id.
update public.scheduled_sms_jobs set next_attempt_at = now() where body = 'due marketing B';
select is((select status::text || ' ' || status_reason from private.claim_job(pg_temp.jid('due marketing B'), 'worker-T', 60)),
  'queued quiet_hours', 'claim_job holds a marketing message too, and returns it pending');
-- Inside the window (the window moved over now), the claim sends them.
update public.workspace_settings
set quiet_hours_start = ((now() at time zone 'Europe/London') - interval '1 hour')::time(0),
    quiet_hours_end = ((now() at time zone 'Europe/London') + interval '1 hour')::time(0)
where workspace_id = 'ws_demo';
update public.scheduled_sms_jobs set next_attempt_at = now() where body in ('due marketing A', 'due marketing B');
select is((select array_agg(body order by body) from private.claim_due_jobs('worker-Q', 1000, 60, 0)
           where body like 'due marketing%'), array['due marketing A', 'due marketing B'],
  'inside the window marketing messages are claimed');
-- A multi-timezone country reads the workspace's clock (Brisbane): the UK window says nothing about it.
update public.workspace_settings
set quiet_hours_start = ((now() at time zone 'Australia/Brisbane') + interval '1 hour')::time(0),
    quiet_hours_end = ((now() at time zone 'Australia/Brisbane') + interval '2 hours')::time(0)
where workspace_id = 'ws_demo';
insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, category)
values ('ws_demo', '+12125550199', 'us marketing', 'marketing');
select is((select status_reason || ' ' || (scheduled_time = private.quiet_hours_opening(now(), 'Australia/Brisbane',
             s.quiet_hours_start, s.quiet_hours_end))
           from public.scheduled_sms_jobs j join public.workspace_settings s on s.workspace_id = j.workspace_id
           where j.body = 'us marketing'),
  'quiet_hours true', 'a US recipient (several timezones): the workspace''s timezone decides');

-- Schedules and batches ----------------------------------------------------------------------------
insert into public.recurring_sms_schedules (workspace_id, to_phone, body, cron_expression, category)
values ('ws_demo', '+447911000021', 'weekly offer', '0 10 * * 1', 'marketing');
select is((select category || ' ' || from_number || ' ' || sender_selection from public.recurring_sms_schedules
           where body = 'weekly offer'), 'marketing +447700900123 geo_match',
  'a schedule routes its sender once and keeps its category');
select is((select category || ' ' || sender_selection from public.scheduled_sms_jobs j
           where j.recurring_schedule_id = (select id from public.recurring_sms_schedules where body = 'weekly offer')
           limit 1) is not distinct from null, true, 'no occurrence yet (next Monday)');
insert into public.scheduled_sms_jobs (workspace_id, to_phone, from_number, body, recurring_schedule_id, occurrence_at)
select s.workspace_id, s.to_phone, s.from_number, s.body, s.id, now() from public.recurring_sms_schedules s
where s.body = 'weekly offer';
select is((select category || ' ' || sender_selection || ' ' || status_reason from public.scheduled_sms_jobs
           where body = 'weekly offer'), 'marketing geo_match quiet_hours',
  'an occurrence is its schedule''s message: marketing, its sender''s reason, held by quiet hours');
create temp table batch as select * from private.create_batch('ws_demo', null, null, null, '{}', null, null, '{}', 0,
  '[{"to_phone": "+447911000031", "body": "bulk offer"}]'::jsonb);
select is((select category from public.scheduled_sms_jobs where id = (select job_ids[1] from batch)),
  'marketing', 'a bulk batch''s messages are marketing by default');

select * from finish();
rollback;
