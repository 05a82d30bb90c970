-- Sender pacing, fair claims and daily caps (20261130001000_sender_pacing.sql): kinds and default
-- rates, RLS of a sender's rate, send-slot arithmetic across two claims, a slot after the expiry,
-- workspaces interleaved in one claim, the daily cap (hold with reason and event, retries not
-- counted, a previous local day not counted) and the next local midnight.
begin;
select plan(37);

\ir helpers/acting_as.sql
\ir helpers/jobs.sql

-- Kinds and defaults ------------------------------------------------------------------------------
select is(private.sender_kind('+15005550006'), 'long_code', 'an ordinary E.164 number is a long code');
select is(private.sender_kind('+18885550100'), 'toll_free', '+1 888 is toll-free');
select is(private.sender_kind('+18005550100'), 'toll_free', '+1 800 is toll-free');
select is(private.sender_kind('+61412345678'), 'long_code', 'a mobile number elsewhere is a long code');
select is(private.sender_kind('12345'), 'short_code', 'five digits are a short code');
select is(private.sender_kind('MG' || repeat('ab', 16)), 'messaging_service', 'MG + 32 hex is a Messaging Service');
select is(array[private.sender_default_rate('long_code'), private.sender_default_rate('toll_free'),
                private.sender_default_rate('short_code'), private.sender_default_rate('messaging_service')],
  array[1, 3, 100, 1]::numeric[], 'default rates by kind: long code 1, toll-free 3, short code 100, Messaging Service 1');

-- A sender registered without a rate gets its kind's default and a pacing row.
insert into public.workspace_senders (sender, workspace_id, label) values
  ('+18885550100', 'ws_demo', 'toll-free line'),
  ('+15005550201', 'ws_demo', 'paced line'),
  ('+15005550202', 'ws_demo', 'expiry line');
select is((select kind || ' ' || coalesce(messages_per_second::text, 'default') from public.workspace_senders where sender = '+18885550100'),
  'toll_free default', 'a new sender has its kind and no rate of its own');
select ok(exists (select 1 from private.sender_pacing where sender = '+18885550100' and next_slot_at = '-infinity'),
  'a new sender gets a pacing row, free at once');

-- RLS: owners and admins change the rate; members and viewers read it; nobody else sees it -------
select pg_temp.act_as('member@demo.test');
update public.workspace_senders set messages_per_second = 50 where sender = '+18885550100';
select pg_temp.act_as('viewer@demo.test');
select is((select coalesce(messages_per_second::text, 'default') from public.workspace_senders where sender = '+18885550100'),
  'default', 'a member cannot change a sender''s rate (RLS: no row); a viewer reads it');
select pg_temp.act_as('owner@other.test');
select is_empty($$ select 1 from public.workspace_senders where workspace_id = 'ws_demo' $$,
  'another workspace''s owner sees none of its senders');
update public.workspace_senders set messages_per_second = 50 where sender = '+18885550100';
select pg_temp.act_as('owner@demo.test');
select is((select coalesce(messages_per_second::text, 'default') from public.workspace_senders where sender = '+18885550100'),
  'default', 'nor can another workspace''s owner change it');
update public.workspace_senders set messages_per_second = 12 where sender = '+18885550100';
select is((select messages_per_second from public.workspace_senders where sender = '+18885550100'), 12::numeric,
  'an owner changes a sender''s rate');
select throws_ok($$ update public.workspace_senders set messages_per_second = 1001 where sender = '+18885550100' $$,
  '23514', null, 'a rate above sender_rate_max (1000) is refused');
select throws_ok($$ update public.workspace_senders set label = 'renamed' where sender = '+18885550100' $$,
  '42501', null, 'an owner may change only the rate, not the label');
select throws_ok($$ select * from private.sender_pacing $$, '42501', null, 'the pacing state is not readable by clients');
select throws_ok($$ select * from private.workspace_daily_usage $$, '42501', null, 'nor is the daily usage');
select pg_temp.act_as_postgres();
select is((select messages_per_second from public.workspace_senders where sender = '+15005550006'), 1000::numeric,
  'the demo main line is seeded at sender_rate_max (tests and benchmarks send thousands from it)');

-- Slots across two claims: 2 segments/s, six due messages ----------------------------------------
-- Slots are given at the rate less the pacing headroom (private.slot_rate: 2 × 0.95 = 1.9/s, one
-- every 0.526 s), so four fit within the 2 s horizon.
select is(private.slot_rate(2), 1.9::double precision, 'slots are given at the rate less sender_pacing_headroom_percent (5)');
update public.workspace_senders set messages_per_second = 2 where sender = '+15005550201';
insert into public.scheduled_sms_jobs (workspace_id, to_phone, from_number, body)
select 'ws_demo', '+6141234560' || g, '+15005550201', 'paced ' || g from generate_series(1, 6) g;
create temp table first_claim as
  select body, next_attempt_at - now() as slot, lease_expires_at - now() as lease
  from private.claim_due_jobs('worker-A', 100, 60, 0) where from_number = '+15005550201';
select results_eq($$ select slot from first_claim order by slot $$,
  $$ select make_interval(secs => g / private.slot_rate(2)) from generate_series(0, 3) g $$,
  'the first claim gives slots 1/(rate less headroom) apart from now, up to the 2 s horizon; the fifth and sixth stay pending');
select is((select count(*) from first_claim where lease <> interval '60 s'), 0::bigint, 'the lease runs from the claim');
select is((select array_agg(pg_temp.state(j.body)) from public.scheduled_sms_jobs j
           where j.from_number = '+15005550201' and j.body not in (select body from first_claim)),
  array['queued a0 - -', 'queued a0 - -'], 'the messages beyond the horizon are untouched');
select is((select next_slot_at - now() from private.sender_pacing where sender = '+15005550201'),
  make_interval(secs => 3 / private.slot_rate(2)) + make_interval(secs => 1 / private.slot_rate(2)),
  'the sender''s next free slot is after the last slot taken');
select is_empty($$ select 1 from private.claim_due_jobs('worker-B', 100, 60, 0) where from_number = '+15005550201' $$,
  'a second claim at the same moment finds no free slot for the sender');
-- Two seconds later (moved back instead of waiting): the fifth and sixth get the next slots.
update private.sender_pacing set next_slot_at = next_slot_at - interval '2 s' where sender = '+15005550201';
select results_eq($$ select next_attempt_at - now() from private.claim_due_jobs('worker-B', 100, 60, 0)
                    where from_number = '+15005550201' order by 1 $$,
  $$ values (make_interval(secs => 3 / private.slot_rate(2)) + make_interval(secs => 1 / private.slot_rate(2)) - interval '2 s'),
            (make_interval(secs => 3 / private.slot_rate(2)) + make_interval(secs => 1 / private.slot_rate(2)) - interval '2 s'
             + make_interval(secs => 1 / private.slot_rate(2))) $$,
  'the next claim continues from the sender''s next free slot');

-- A slot after the expiry: failed (expired) in the claim, with the slot in the message ----------
update public.workspace_senders set messages_per_second = 1 where sender = '+15005550202';
insert into public.scheduled_sms_jobs (workspace_id, to_phone, from_number, body, expires_at)
select 'ws_demo', '+6141234570' || g, '+15005550202', 'expiring ' || g, now() + interval '1.5 s' from generate_series(1, 2) g;
select is((select array_agg(status::text) from private.claim_due_jobs('worker-A', 100, 60, 0) where from_number = '+15005550202'),
  array['processing'], 'the first message is claimed at its slot');
select is((select array_agg(pg_temp.state(body)) from public.scheduled_sms_jobs where from_number = '+15005550202' and status = 'failed'),
  array['failed a0 expired -'],
  'the second, whose slot (1 s) leaves less than a second before its expiry, fails expired in the claim');
select matches((select last_error_message from public.scheduled_sms_jobs where from_number = '+15005550202' and status = 'failed'),
  'before its sender''s next free send slot', 'its error names the send slot');

-- Fairness: a backlog in one workspace, one message in another, a claim of 10 --------------------
insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, scheduled_time)
select 'ws_demo', '+6141234580' || g, 'backlog ' || g, now() - interval '1 minute' from generate_series(1, 30) g;
insert into public.scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_other', '+61412345699', 'reminder');
select is((select count(*) filter (where workspace_id = 'ws_other') || ' of ' || count(*)
           from private.claim_due_jobs('worker-C', 10, 60, 0)),
  '1 of 10', 'another workspace''s single message is in the same claim as the older backlog');

-- Daily cap: ws_other (America/New_York), a cap of 2 -------------------------------------------
update public.workspace_settings set daily_message_cap = 2 where workspace_id = 'ws_other';
-- Yesterday's usage (local day) does not count today.
update private.workspace_daily_usage
set day = (now() at time zone 'America/New_York')::date - 1, messages = 5
where workspace_id = 'ws_other';
insert into public.scheduled_sms_jobs (workspace_id, to_phone, body)
select 'ws_other', '+6141234590' || g, 'capped ' || g from generate_series(1, 3) g;
select is((select count(*) from private.claim_due_jobs('worker-D', 100, 60, 0) where workspace_id = 'ws_other'),
  2::bigint, 'yesterday''s 5 do not count today: two first attempts are claimed');
select is((select messages || ' ' || (day = (now() at time zone 'America/New_York')::date)::text
           from private.workspace_daily_usage where workspace_id = 'ws_other'),
  '2 true', 'usage counts today''s first attempts in the workspace''s local day');
select is((select count(*) from public.scheduled_sms_jobs
           where workspace_id = 'ws_other' and body like 'capped%' and status = 'queued' and status_reason is null),
  1::bigint, 'the message past the cap stays pending, untouched, in the claim that reached it');
select is_empty($$ select 1 from private.claim_due_jobs('worker-D', 100, 60, 0) where workspace_id = 'ws_other' $$,
  'the next claim does not send it');
select is((select count(*) from public.scheduled_sms_jobs
           where workspace_id = 'ws_other' and body like 'capped%' and status = 'queued' and status_reason = 'daily_cap'
             and next_attempt_at = private.next_local_midnight(now(), 'America/New_York')),
  1::bigint, 'it holds it until the next local midnight, status_reason daily_cap, still queued');
select is((select count(*) from public.sms_job_events e join public.scheduled_sms_jobs j on j.id = e.job_id
           where j.body like 'capped%' and e.event_type = 'daily_cap' and e.details ->> 'reason' = 'daily_cap'
             and (e.details ->> 'daily_message_cap')::int = 2),
  1::bigint, 'the hold is in the job''s timeline (daily_cap event)');

-- The next local midnight, across a DST change and a date line -----------------------------------
select is(private.next_local_midnight('2026-03-08 12:00:00+00', 'America/New_York'), '2026-03-09 04:00:00+00'::timestamptz,
  'New York on the day clocks go forward: midnight is 04:00 UTC (EDT)');
select is(private.next_local_midnight('2026-11-30 23:30:00+00', 'Australia/Brisbane'), '2026-12-01 14:00:00+00'::timestamptz,
  'Brisbane is already on 1 December: the next midnight is 2 December local');

select * from finish();
rollback;
