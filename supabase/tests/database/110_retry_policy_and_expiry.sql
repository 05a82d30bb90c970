-- Retry policies, expiry and manual retry (20261130000600): the backoff computation, the policy a
-- job records at creation (workspace defaults, RLS on the workspace's overrides, message
-- overrides), retries by error class with Retry-After, expiry at claim time, on retry and by the
-- sweep, and manual retries (states, force, opt-outs, permanent number errors, batches).
begin;
select plan(50);

\ir helpers/acting_as.sql
\ir helpers/jobs.sql

-- The backoff computation: pure, the random number an argument ----------------------------------
select is(private.retry_backoff_seconds('{"backoff": "exponential", "baseSeconds": 30, "maxSeconds": 3600, "jitter": false}', 1, 0.7),
  30::double precision, 'exponential: the first retry waits baseSeconds');
select is(private.retry_backoff_seconds('{"backoff": "exponential", "baseSeconds": 30, "maxSeconds": 3600, "jitter": false}', 3, 0.7),
  120::double precision, 'exponential: doubling per attempt (3 attempts made: 4 x base)');
select is(private.retry_backoff_seconds('{"backoff": "exponential", "baseSeconds": 30, "maxSeconds": 100, "jitter": false}', 5, 0.7),
  100::double precision, 'exponential: capped at maxSeconds');
select is(private.retry_backoff_seconds('{"backoff": "fixed", "baseSeconds": 45, "maxSeconds": 3600, "jitter": false}', 6, 0.7),
  45::double precision, 'fixed: baseSeconds every time');
select is(private.retry_backoff_seconds('{"backoff": "fixed", "baseSeconds": 40, "maxSeconds": 3600, "jitter": true}', 1, 0),
  20::double precision, 'jitter: random 0 waits half the delay');
select is(private.retry_backoff_seconds('{"backoff": "fixed", "baseSeconds": 40, "maxSeconds": 3600, "jitter": true}', 1, 0.5),
  30::double precision, 'jitter: a point in the upper half');
select is(private.retry_backoff_seconds('{"backoff": "exponential", "baseSeconds": 3600, "maxSeconds": 86400, "jitter": false}', 100000, 0),
  86400::double precision, 'a huge attempt number cannot overflow: still the cap');

-- Defaults: the workspace's legacy columns for every class -------------------------------------
select pg_temp.act_as_postgres();
select is(private.resolve_retry_policy('ws_demo', null) -> 'carrier',
  '{"maxAttempts": 4, "backoff": "exponential", "baseSeconds": 30, "maxSeconds": 3600, "jitter": true}'::jsonb,
  'without overrides a class gets max_retries + 1 attempts, exponential from retry_base_seconds to retry_max_seconds, jitter');

-- RLS: owners and admins change the workspace's overrides, members and viewers read them ---------
select pg_temp.act_as('member@demo.test');
update public.workspace_settings set retry_policy = '{"carrier": {"baseSeconds": 5}}' where workspace_id = 'ws_demo';
select is((select retry_policy from public.workspace_settings where workspace_id = 'ws_demo'), '{}'::jsonb,
  'a member cannot change the retry policy (RLS: no row to update)');
select pg_temp.act_as('owner@demo.test');
select lives_ok($$ update public.workspace_settings
  set retry_policy = '{"carrier": {"baseSeconds": 300, "maxSeconds": 7200}, "rateLimited": {"maxAttempts": 6}}'
  where workspace_id = 'ws_demo' $$, 'an owner changes it');
select throws_ok($$ update public.workspace_settings set retry_policy = '{"carrier": {"baseSeconds": 0}}' where workspace_id = 'ws_demo' $$,
  'SMS26', null, 'a baseSeconds below 1 is refused with invalid_retry_policy');
select throws_ok($$ update public.workspace_settings set retry_policy = '{"fax": {"maxAttempts": 2}}' where workspace_id = 'ws_demo' $$,
  'SMS26', null, 'an unknown class is refused');
select throws_ok($$ update public.workspace_settings set retry_policy = '{"serverError": {"baseSeconds": 60, "maxSeconds": 30}}' where workspace_id = 'ws_demo' $$,
  'SMS26', null, 'maxSeconds below baseSeconds is refused');
select pg_temp.act_as('viewer@demo.test');
select is((select retry_policy -> 'carrier' ->> 'baseSeconds' from public.workspace_settings where workspace_id = 'ws_demo'), '300',
  'a viewer reads the overrides');
select pg_temp.act_as('owner@other.test');
select is((select count(*)::integer from public.workspace_settings where workspace_id = 'ws_demo'), 0,
  'another workspace''s owner sees nothing of it');
update public.workspace_settings set retry_policy = '{}' where workspace_id = 'ws_demo';

-- The policy in force is recorded on the job at creation ---------------------------------------
select pg_temp.act_as('member@demo.test');
insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, retry_policy)
values ('ws_demo', '+61412000901', 'p direct', '{"serverError": {"maxAttempts": 2, "backoff": "fixed"}}');
select pg_temp.act_as_postgres();
select is((select retry_policy -> 'carrier' ->> 'baseSeconds' from public.scheduled_sms_jobs where body = 'p direct'), '300',
  'the job recorded the workspace''s carrier override');
select is((select retry_policy -> 'serverError' from public.scheduled_sms_jobs where body = 'p direct'),
  '{"maxAttempts": 2, "backoff": "fixed", "baseSeconds": 30, "maxSeconds": 3600, "jitter": true}'::jsonb,
  'a direct insert''s own override wins for its class, the rest from the defaults');
select is((select max_attempts from public.scheduled_sms_jobs where body = 'p direct'), 6,
  'max_attempts is the largest maxAttempts of the classes (rateLimited: 6)');
update public.workspace_settings set retry_policy = '{}' where workspace_id = 'ws_demo';
select is((select retry_policy -> 'carrier' ->> 'baseSeconds' from public.scheduled_sms_jobs where body = 'p direct'), '300',
  'a later workspace change does not alter the job');
select throws_ok($$ update public.scheduled_sms_jobs set retry_policy = '{}' where body = 'p direct' $$,
  'SMS24', null, 'the job''s policy is fixed once created, even for the owner');
update public.workspace_settings set retry_policy = '{"rateLimited": {"baseSeconds": 5}}' where workspace_id = 'ws_demo';
select private.create_job('ws_demo', '+61412000915', 'p agree', p_retry_policy => '{"carrier": {"maxAttempts": 3, "jitter": false}}');
select is((select retry_policy from public.scheduled_sms_jobs where body = 'p agree'),
  private.resolve_retry_policy('ws_demo', '{"carrier": {"maxAttempts": 3, "jitter": false}}'),
  'the insert trigger records what resolve_retry_policy (the API''s view) says');
update public.workspace_settings set retry_policy = '{}' where workspace_id = 'ws_demo';
select private.create_job('ws_demo', '+61412000916', 'p plain');
select is((select retry_policy from public.scheduled_sms_jobs where body = 'p plain'), private.resolve_retry_policy('ws_demo', null),
  '... and so does its shortcut for a message and a workspace without overrides');
select pg_temp.act_as('member@demo.test');
select throws_ok($$ insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, retry_policy)
  values ('ws_demo', '+61412000902', 'p bad', '{"carrier": {"maxAttempts": 12}}') $$,
  'SMS26', null, 'a direct insert''s maxAttempts above the cap is refused');

-- Expiry rules on insert ----------------------------------------------------------------------
select throws_ok($$ insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, scheduled_time, expires_at)
  values ('ws_demo', '+61412000903', 'e before', now() + interval '1 hour', now() + interval '30 minutes') $$,
  'SMS27', null, 'an expiry before the scheduled time is refused (invalid_expiry)');
select throws_ok($$ insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, expires_at)
  values ('ws_demo', '+61412000903', 'e far', now() + interval '31 days') $$,
  'SMS27', null, 'an expiry more than 30 days after the send time is refused');
select lives_ok($$ insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, expires_at)
  values ('ws_demo', '+61412000903', 'e ok', now() + interval '10 minutes') $$,
  'a member may insert a job with an expiry directly');

-- Retries by class, Retry-After, expiry on retry -----------------------------------------------
select pg_temp.act_as_postgres();
select private.create_job('ws_demo', '+61412000904', 'r rate', p_retry_policy => '{"rateLimited": {"maxAttempts": 2}}');
select private.claim_job(pg_temp.jid('r rate'), 'w1');
select is((select status::text from private.retry_job(pg_temp.jid('r rate'), 'w1', '20429', 'Too Many Requests', 500, 'rateLimited')),
  'retrying', 'a rate-limited attempt with attempts left is retried');
select ok((select next_attempt_at >= now() + interval '500 seconds' from public.scheduled_sms_jobs where body = 'r rate'),
  'Retry-After (500 s) is honoured though the backoff says 30 s');
-- Make it due again (as the owner, bypassing nothing but time).
update public.scheduled_sms_jobs set next_attempt_at = now() where body = 'r rate';
select private.claim_job(pg_temp.jid('r rate'), 'w1');
select is((select status::text || ' ' || status_reason from private.retry_job(pg_temp.jid('r rate'), 'w1', '20429', 'Too Many Requests', 0, 'rateLimited')),
  'failed retries_exhausted', 'the rateLimited class''s maxAttempts (2) is respected');

select private.create_job('ws_demo', '+61412000917', 'r long');
select private.claim_job(pg_temp.jid('r long'), 'w1');
select private.retry_job(pg_temp.jid('r long'), 'w1', '20429', 'Too Many Requests', 172800, 'rateLimited');
select ok((select next_attempt_at >= now() + interval '2 days' from public.scheduled_sms_jobs where body = 'r long'),
  'a Retry-After of two days is honoured too (longer than any backoff step)');
select private.create_job('ws_demo', '+61412000905', 'r server', p_retry_policy => '{"rateLimited": {"maxAttempts": 2}}');
select private.claim_job(pg_temp.jid('r server'), 'w1');
update public.scheduled_sms_jobs set attempts = 2 where body = 'r server';
select is((select status::text from private.retry_job(pg_temp.jid('r server'), 'w1', '20503', 'Service Unavailable', 0, 'serverError')),
  'retrying', 'the same job after 2 attempts is still retried for a server error (its class allows 4)');

select private.create_job('ws_demo', '+61412000906', 'r expiring', p_valid_for_seconds => 600,
  p_retry_policy => '{"carrier": {"backoff": "fixed", "baseSeconds": 900, "maxSeconds": 900, "jitter": false}}');
select private.claim_job(pg_temp.jid('r expiring'), 'w1');
select is((select status::text || ' ' || status_reason || ' ' || last_error_code
           from private.retry_job(pg_temp.jid('r expiring'), 'w1', '30003', 'Unreachable destination handset', 0, 'carrier')),
  'failed expired expired', 'a retry that would come after the expiry ends the job failed, reason expired, now');
select matches((select last_error_message from public.scheduled_sms_jobs where body = 'r expiring'), '30003',
  '... and its message names the error that stopped the send');

-- Expiry at claim time and by the sweep --------------------------------------------------------
-- Time cannot pass inside a test's transaction: the expiry is moved into the past with the guard
-- trigger off (rolled back with everything else).
select private.create_job('ws_demo', '+61412000907', 'x claim', p_valid_for_seconds => 60);
select private.create_job('ws_demo', '+61412000908', 'x fresh');
select private.create_job('ws_demo', '+61412000914', 'x claim 2', p_scheduled_time => now() + interval '1 hour',
  p_valid_for_seconds => 60);
select private.create_job('ws_demo', '+61412000910', 'x later', p_scheduled_time => now() + interval '1 hour',
  p_valid_for_seconds => 600);
select private.create_job('ws_demo', '+61412000909', 'x sweep', p_scheduled_time => now() + interval '1 hour',
  p_valid_for_seconds => 60);
alter table public.scheduled_sms_jobs disable trigger scheduled_sms_jobs_guard;
update public.scheduled_sms_jobs set expires_at = now() - interval '1 second', next_attempt_at = now() - interval '2 seconds'
where body = 'x claim';
update public.scheduled_sms_jobs set expires_at = now() - interval '1 second' where body = 'x sweep';

alter table public.scheduled_sms_jobs enable trigger scheduled_sms_jobs_guard;
select results_eq($$ select body from private.claim_due_jobs('w2', 1000) where body like 'x %' order by body $$,
  array['x fresh'], 'a claim hands over only the jobs that have not expired');
select is(pg_temp.state('x claim'), 'failed a0 expired -', 'the expired one ends failed, reason expired, never attempted');
select is((select count(*)::integer from public.sms_job_events e where e.job_id = pg_temp.jid('x claim')
           and e.event_type = 'failed' and e.error_code = 'expired'), 1, 'one failed event with the code expired');
alter table public.scheduled_sms_jobs disable trigger scheduled_sms_jobs_guard;
update public.scheduled_sms_jobs set expires_at = now() - interval '1 second', next_attempt_at = now() - interval '2 seconds'
where body = 'x claim 2';
alter table public.scheduled_sms_jobs enable trigger scheduled_sms_jobs_guard;
select is((select status::text || ' ' || status_reason from private.claim_job(pg_temp.jid('x claim 2'), 'w2')),
  'failed expired', 'claiming an expired job by id (the Trigger.dev path) ends it failed instead of handing it over');
select is(private.expire_pending_jobs(), 1, 'the sweep''s expiry pass ends the other expired pending job');
select is(pg_temp.state('x sweep'), 'failed a0 expired -', '... failed, reason expired');
select throws_ok($$ update public.scheduled_sms_jobs set status = 'failed', status_reason = 'expired' where body = 'x later' $$,
  'SMS21', null, 'a job whose expiry has not passed cannot be set failed as expired');

-- Manual retry --------------------------------------------------------------------------------
select pg_temp.make_job('m permanent', 'failed');  -- failed with 21211
select throws_ok($$ select private.manual_retry_job(pg_temp.jid('m permanent')) $$, 'SMS28', null,
  'a permanent number error (21211) is not retried without force');
select is((select status::text || ' ' || status_reason || ' a' || attempts from private.manual_retry_job(pg_temp.jid('m permanent'), p_force => true)),
  'retrying manual_retry_forced a0', 'with force it is retried: attempts reset');
select is(pg_temp.event_count('m permanent'), 4, 'its history is kept: created, claimed, failed, then the retry');
select throws_ok($$ select private.manual_retry_job(pg_temp.jid('m permanent')) $$, 'SMS21', null,
  'a job that is not failed cannot be retried');
select throws_ok($$ update public.scheduled_sms_jobs set status = 'retrying' where body = 'r rate' $$, 'SMS21', null,
  'a plain update cannot take a failed job back');
select throws_ok($$ select private.manual_retry_job(pg_temp.jid('x claim')) $$, 'SMS27', null,
  'an expired job needs a new expiry');
select is((select status::text || ' ' || (expires_at = now() + interval '2 hours')::text
           from private.manual_retry_job(pg_temp.jid('x claim'), p_valid_for_seconds => 7200)),
  'retrying true', 'with validFor it is retried and expires that long after now');
insert into public.sms_opt_outs (workspace_id, phone) values ('ws_demo', '+61412000904');
select throws_ok($$ select private.manual_retry_job(pg_temp.jid('r rate')) $$, 'SMS09', null,
  'an opted-out recipient is not retried without force');

-- A batch's failed jobs, set-based -------------------------------------------------------------
create temporary table b as
  select * from private.create_batch('ws_demo', null, null, null, null, null, null, '{}', 0,
    '[{"to_phone": "+61412000911", "body": "b1"}, {"to_phone": "+61412000912", "body": "b2"}, {"to_phone": "+61412000913", "body": "b3"}]');
select private.claim_job(pg_temp.jid(x), 'w3') from unnest(array['b1', 'b2']) as x;
select private.fail_job(pg_temp.jid('b1'), 'w3', '20503', 'Service Unavailable', 'retries_exhausted');
select private.fail_job(pg_temp.jid('b2'), 'w3', '21614', 'not a mobile number');
select is((select retried || ' ' || skipped from private.manual_retry_batch((select batch_id from b))), '1 1',
  'a batch retry retries the failed jobs it may and skips the permanent number error');
select is(pg_temp.state('b1') || ' / ' || pg_temp.state('b2') || ' / ' || pg_temp.state('b3'),
  'retrying a0 manual_retry - / failed a1 permanent_error - / queued a0 - -', 'only the failed, retryable job changed');

select * from finish();
rollback;
