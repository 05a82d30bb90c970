-- Every allowed and refused transition through the service's functions: claim_due_jobs,
-- claim_job, complete_job, retry_job, fail_job, cancel_job, renew_leases, expire_stale_leases and
-- the client RPC cancel_sms_job. now() is fixed within the transaction, so due times are exact.
begin;
select plan(95);

\ir helpers/acting_as.sql
\ir helpers/jobs.sql

-- The state machine --------------------------------------------------------------------------------
select results_eq(
  $$ select f::text || '->' || t::text
     from unnest(enum_range(null::sms_job_status)) f, unnest(enum_range(null::sms_job_status)) t
     where private.is_allowed_job_transition(f, t) order by f, t $$,
  array['scheduled->processing', 'scheduled->cancelled', 'queued->processing', 'queued->cancelled',
        'processing->retrying', 'processing->completed', 'processing->failed',
        'retrying->processing', 'retrying->completed', 'retrying->cancelled'],
  'the state machine allows exactly the documented transitions (plus a late success of a retrying job)');

-- Pending (may be claimed or cancelled) is one generated column, true for exactly three statuses.
select pg_temp.make_job('p-' || s, s)
from unnest(array['scheduled', 'queued', 'processing', 'retrying', 'completed', 'failed', 'cancelled']) s;
select results_eq(
  $$ select status::text || ' ' || is_pending from public.scheduled_sms_jobs where body like 'p-%' order by status $$,
  array['scheduled true', 'queued true', 'processing false', 'retrying true', 'completed false',
        'failed false', 'cancelled false'],
  'is_pending is true for scheduled, queued and retrying jobs, and only for them');
delete from public.scheduled_sms_jobs where body like 'p-%';

-- claim_due_jobs -----------------------------------------------------------------------------------
select pg_temp.make_job('due queued', 'queued');
select pg_temp.make_job('due scheduled', 'scheduled');
select pg_temp.make_job('future scheduled', 'scheduled');
select pg_temp.make_job('due retrying', 'retrying');
select pg_temp.make_job('future retrying', 'retrying');
select pg_temp.make_job('held processing', 'processing');
select pg_temp.make_job('done completed', 'completed');
select pg_temp.make_job('done failed', 'failed');
select pg_temp.make_job('done cancelled', 'cancelled');
update scheduled_sms_jobs set next_attempt_at = now() - interval '5 minutes' where body = 'due scheduled';
update scheduled_sms_jobs set next_attempt_at = now() - interval '2 minutes' where body = 'due retrying';

select results_eq(
  $$ select body || ' ' || status::text || ' a' || attempts || ' ' || lease_owner || ' ' || (lease_expires_at - now())::text
     from private.claim_due_jobs('worker-A', 100) order by next_attempt_at $$,
  array['due scheduled processing a1 worker-A 00:01:00', 'due retrying processing a2 worker-A 00:01:00',
        'due queued processing a1 worker-A 00:01:00'],
  'claim_due_jobs claims exactly the due pending jobs: processing, attempt + 1, a 60 s lease');
select is(pg_temp.state('held processing'), 'processing a1 - worker-1', 'a job another worker holds is not claimed');
select is(pg_temp.state('future scheduled'), 'scheduled a0 - -', 'a scheduled job not yet due is not claimed');
select is(pg_temp.state('future retrying'), 'retrying a1 transient_error -', 'a retry not yet due is not claimed');
select results_eq(
  $$ select pg_temp.state(b) from unnest(array['done completed', 'done failed', 'done cancelled']) b $$,
  array['completed a1 accepted_by_twilio -', 'failed a1 permanent_error -', 'cancelled a0 cancelled_by_user -'],
  'finished jobs are not claimed');
select is_empty($$ select * from private.claim_due_jobs('worker-B') $$, 'a second claimer finds nothing left to claim');

select pg_temp.make_job('older', 'queued');
select pg_temp.make_job('newer', 'queued');
update scheduled_sms_jobs set next_attempt_at = now() - interval '10 seconds' where body = 'older';
select results_eq($$ select body || ' ' || (lease_expires_at - now())::text from private.claim_due_jobs('worker-C', 1, 300) $$,
  array['older 00:05:00'], 'a batch of one takes the job due longest ago, with the lease asked for');
select is(pg_temp.state('newer'), 'queued a0 - -', 'the rest waits for the next batch');
select throws_ok($$ select * from private.claim_due_jobs('worker-C', 0) $$, 'SMS14', null, 'a batch of 0 is refused');
select throws_ok($$ select * from private.claim_due_jobs('worker-C', 1001) $$, 'SMS14', null, 'a batch above 1000 is refused');
select throws_ok($$ select * from private.claim_due_jobs('', 10) $$, 'SMS14', null, 'an empty worker id is refused');
select throws_ok($$ select * from private.claim_due_jobs(null, 10) $$, 'SMS14', null, 'a null worker id is refused');
select throws_ok($$ select * from private.claim_due_jobs('worker-C', 10, 0) $$, 'SMS14', null, 'a lease of 0 s is refused');
select throws_ok($$ select * from private.claim_due_jobs('worker-C', 10, 3601) $$, 'SMS14', null, 'a lease above an hour is refused');
select is(pg_temp.state('newer'), 'queued a0 - -', 'refused batch calls claimed nothing');

delete from scheduled_sms_jobs;

-- claim_job ----------------------------------------------------------------------------------------
select pg_temp.make_job('q', 'queued');
select pg_temp.make_job('s', 'scheduled');
select pg_temp.make_job('s due', 'scheduled');
select pg_temp.make_job('r', 'retrying');
select pg_temp.make_job('r due', 'retrying');
select pg_temp.make_job('p', 'processing');
select pg_temp.make_job('c', 'completed');
select pg_temp.make_job('f', 'failed');
select pg_temp.make_job('x', 'cancelled');
update scheduled_sms_jobs set next_attempt_at = now() - interval '1 second' where body in ('s due', 'r due');

select results_eq(
  $$ select status::text || ' a' || attempts || ' ' || lease_owner || ' ' || (lease_expires_at - now())::text
     from private.claim_job(pg_temp.jid('q'), 'worker-A') $$,
  array['processing a1 worker-A 00:01:00'], 'claim_job: queued -> processing with a lease');
select is((select status::text || ' a' || attempts from private.claim_job(pg_temp.jid('s due'), 'worker-A', 90)),
  'processing a1', 'claim_job: a due scheduled job -> processing');
select is((select status::text || ' a' || attempts from private.claim_job(pg_temp.jid('r due'), 'worker-A')),
  'processing a2', 'claim_job: a due retrying job -> processing, second attempt');
select throws_ok($$ select private.claim_job(pg_temp.jid('s'), 'worker-A') $$, 'SMS22', null,
  'claim_job: a scheduled job before its time is job_not_due');
select throws_ok($$ select private.claim_job(pg_temp.jid('r'), 'worker-A') $$, 'SMS22', null,
  'claim_job: a retry before its backoff ends is job_not_due');
select throws_ok($$ select private.claim_job(pg_temp.jid('p'), 'worker-A') $$, 'SMS21', null,
  'claim_job: a processing job cannot be claimed again (invalid_transition)');
select throws_ok($$ select private.claim_job(pg_temp.jid('c'), 'worker-A') $$, 'SMS21', null,
  'claim_job: a completed job cannot be claimed');
select throws_ok($$ select private.claim_job(pg_temp.jid('f'), 'worker-A') $$, 'SMS21', null,
  'claim_job: a failed job cannot be claimed');
select throws_ok($$ select private.claim_job(pg_temp.jid('x'), 'worker-A') $$, 'SMS21', null,
  'claim_job: a cancelled job cannot be claimed');
select throws_ok($$ select private.claim_job('job_doesnotexist', 'worker-A') $$, 'SMS20', null,
  'claim_job: an unknown id is job_not_found');
select throws_ok($$ select private.claim_job(pg_temp.jid('s'), repeat('w', 201)) $$, 'SMS14', null,
  'claim_job: a worker id over 200 characters is refused');
select results_eq(
  $$ select pg_temp.state(b) from unnest(array['s', 'r', 'p', 'c', 'f', 'x']) b $$,
  array['scheduled a0 - -', 'retrying a1 transient_error -', 'processing a1 - worker-1',
        'completed a1 accepted_by_twilio -', 'failed a1 permanent_error -', 'cancelled a0 cancelled_by_user -'],
  'refused claims changed nothing');

-- complete_job ---------------------------------------------------------------------------------------
select results_eq(
  $$ select status::text || ' ' || status_reason || ' ' || twilio_sid || ' ' || message_status || ' '
            || (completed_at = now())::text || ' ' || coalesce(lease_owner, '-') || ' ' || coalesce(lease_expires_at::text, '-')
     from private.complete_job(pg_temp.jid('q'), 'worker-A', 'SM00000000000000000000000000000001') $$,
  array['completed accepted_by_twilio SM00000000000000000000000000000001 queued true - -'],
  'complete_job: processing -> completed with the Twilio sid, the lease released');
select is((select status::text from private.complete_job(pg_temp.jid('p'), 'worker-B', 'SM00000000000000000000000000000002')),
  'processing', 'complete_job from a worker without the lease leaves the job with its holder');
select is(
  (select count(*)::integer from sms_job_events
   where job_id = pg_temp.jid('p') and event_type = 'duplicate_send'
     and details ->> 'twilio_sid' = 'SM00000000000000000000000000000002' and details ->> 'worker' = 'worker-B'),
  1, '... and records the send as a duplicate_send event');
select is((select status::text || ' ' || status_reason || ' ' || twilio_sid
           from private.complete_job(pg_temp.jid('r'), 'worker-1', 'SM00000000000000000000000000000003')),
  'completed completed_after_lease_expired SM00000000000000000000000000000003',
  'complete_job: a late success completes a job waiting to retry');
select is((select twilio_sid from private.complete_job(pg_temp.jid('c'), 'worker-1', 'SM00000000000000000000000000000004')),
  'SM' || md5(pg_temp.jid('c')), 'complete_job on a completed job keeps the first sid');
select is((select status::text from private.complete_job(pg_temp.jid('x'), 'worker-1', 'SM00000000000000000000000000000005')),
  'cancelled', 'complete_job on a cancelled job leaves it cancelled');
select is(
  (select count(*)::integer from sms_job_events
   where job_id in (pg_temp.jid('c'), pg_temp.jid('x')) and event_type = 'duplicate_send'),
  2, 'both sends that could not be absorbed are on record as duplicate_send');
select throws_ok($$ select private.complete_job('job_doesnotexist', 'worker-A', 'SM00000000000000000000000000000006') $$,
  'SMS20', null, 'complete_job: an unknown id is job_not_found');
select throws_ok($$ select private.complete_job(pg_temp.jid('s due'), 'worker-A', null) $$,
  'SMS14', null, 'complete_job: a missing Twilio sid is refused');

-- fail_job -----------------------------------------------------------------------------------------
select results_eq(
  $$ select status::text || ' ' || status_reason || ' ' || last_error_code || ' ' || last_error_message || ' ' || coalesce(lease_owner, '-')
     from private.fail_job(pg_temp.jid('s due'), 'worker-A', '21610', 'Attempt to send to unsubscribed recipient') $$,
  array['failed permanent_error 21610 Attempt to send to unsubscribed recipient -'],
  'fail_job: processing -> failed with the error, the lease released');
select throws_ok($$ select private.fail_job(pg_temp.jid('p'), 'worker-B', '21211', 'Invalid') $$, 'SMS23', null,
  'fail_job: a worker without the lease gets lease_lost');
select throws_ok($$ select private.fail_job(pg_temp.jid('s'), 'worker-A', '21211', 'Invalid') $$, 'SMS21', null,
  'fail_job: a scheduled job cannot fail');
select throws_ok($$ select private.fail_job(pg_temp.jid('c'), 'worker-1', '21211', 'Invalid') $$, 'SMS21', null,
  'fail_job: a completed job cannot fail');
select throws_ok($$ select private.fail_job(pg_temp.jid('f'), 'worker-1', '21211', 'Invalid') $$, 'SMS21', null,
  'fail_job: a failed job cannot fail again');
select throws_ok($$ select private.fail_job(pg_temp.jid('x'), 'worker-1', '21211', 'Invalid') $$, 'SMS21', null,
  'fail_job: a cancelled job cannot fail');
select throws_ok($$ select private.fail_job('job_doesnotexist', 'worker-1', '21211', 'Invalid') $$, 'SMS20', null,
  'fail_job: an unknown id is job_not_found');
select is((select status_reason from private.fail_job(pg_temp.jid('p'), 'worker-1', '21614', 'Not a mobile number', 'not_mobile')),
  'not_mobile', 'fail_job records the reason given');

-- retry_job ----------------------------------------------------------------------------------------
delete from scheduled_sms_jobs;
select pg_temp.make_job('t1', 'processing');
select results_eq(
  $$ select status::text || ' a' || attempts || ' ' || status_reason || ' ' || last_error_code || ' ' || coalesce(lease_owner, '-')
            || ' ' || (next_attempt_at between now() + interval '15 seconds' and now() + interval '30 seconds')::text
     from private.retry_job(pg_temp.jid('t1'), 'worker-1', '30003', 'Unreachable destination handset') $$,
  array['retrying a1 transient_error 30003 - true'],
  'retry_job: processing -> retrying, next attempt 15-30 s ahead (base 30 s with jitter), lease released');
select throws_ok($$ select private.retry_job(pg_temp.jid('t1'), 'worker-1', '30003', 'again') $$, 'SMS21', null,
  'retry_job: a retrying job cannot be retried again');
select pg_temp.make_job('t2', 'processing');
select is((select next_attempt_at - now() from private.retry_job(pg_temp.jid('t2'), 'worker-1', '20429', 'Too Many Requests', 500)),
  interval '500 seconds', 'retry_job honours a minimum delay (Retry-After) above the backoff');
select pg_temp.make_job('t3', 'processing');
select throws_ok($$ select private.retry_job(pg_temp.jid('t3'), 'worker-2', '30003', 'x') $$, 'SMS23', null,
  'retry_job: a worker without the lease gets lease_lost');
select throws_ok($$ select private.retry_job(pg_temp.jid('t3'), 'worker-1', '30003', 'x', -1) $$, 'SMS14', null,
  'retry_job: a negative minimum delay is refused');
select throws_ok($$ select private.retry_job(pg_temp.jid('t3'), 'worker-1', '30003', 'x', 31536001) $$, 'SMS14', null,
  'retry_job: a minimum delay beyond the 365-day scheduling horizon is refused (Retry-After up to it is honoured: 110)');
select is(pg_temp.state('t3'), 'processing a1 - worker-1', 'the refused retries left the job processing');
select pg_temp.make_job('t4', 'queued');
select pg_temp.make_job('t5', 'scheduled');
select pg_temp.make_job('t6', 'completed');
select pg_temp.make_job('t7', 'failed');
select pg_temp.make_job('t8', 'cancelled');
select throws_ok($$ select private.retry_job(pg_temp.jid('t4'), 'worker-1', '30003', 'x') $$, 'SMS21', null, 'retry_job: queued cannot retry');
select throws_ok($$ select private.retry_job(pg_temp.jid('t5'), 'worker-1', '30003', 'x') $$, 'SMS21', null, 'retry_job: scheduled cannot retry');
select throws_ok($$ select private.retry_job(pg_temp.jid('t6'), 'worker-1', '30003', 'x') $$, 'SMS21', null, 'retry_job: completed cannot retry');
select throws_ok($$ select private.retry_job(pg_temp.jid('t7'), 'worker-1', '30003', 'x') $$, 'SMS21', null, 'retry_job: failed cannot retry');
select throws_ok($$ select private.retry_job(pg_temp.jid('t8'), 'worker-1', '30003', 'x') $$, 'SMS21', null, 'retry_job: cancelled cannot retry');
select throws_ok($$ select private.retry_job('job_doesnotexist', 'worker-1', '30003', 'x') $$, 'SMS20', null, 'retry_job: an unknown id is job_not_found');

-- Attempts run out: 1 + 3 retries by default, then the transient error is final.
select pg_temp.make_job('four attempts', 'queued');
create function pg_temp.attempt_and_retry(p_label text) returns text
language plpgsql as $$
declare
  v_job scheduled_sms_jobs;
begin
  update scheduled_sms_jobs set next_attempt_at = now() where body = p_label and status = 'retrying';
  perform private.claim_job(pg_temp.jid(p_label), 'worker-9');
  v_job := private.retry_job(pg_temp.jid(p_label), 'worker-9', '30008', 'Unknown error');
  return v_job.status::text || ' a' || v_job.attempts || '/' || v_job.max_attempts || ' ' || v_job.status_reason;
end $$;
select results_eq(
  $$ select pg_temp.attempt_and_retry('four attempts') from generate_series(1, 4) $$,
  array['retrying a1/4 transient_error', 'retrying a2/4 transient_error', 'retrying a3/4 transient_error',
        'failed a4/4 retries_exhausted'],
  'three retries follow the first attempt; the fourth transient error fails the job with retries_exhausted');
select results_eq(
  $$ select last_error_code || ' ' || last_error_message || ' ' || coalesce(lease_owner, '-') from scheduled_sms_jobs where body = 'four attempts' $$,
  array['30008 Unknown error -'], 'the exhausted job keeps the last error and no lease');
select pg_temp.make_job('single attempt', 'processing', 1);
select is((select status::text || ' ' || status_reason from private.retry_job(pg_temp.jid('single attempt'), 'worker-1', '30003', 'x')),
  'failed retries_exhausted', 'a job allowed one attempt fails at its first transient error');

-- Backoff follows the workspace policy: base * 2^(attempt - 1), capped, jittered into [half, full].
delete from scheduled_sms_jobs;
update workspace_settings set retry_base_seconds = 100, retry_max_seconds = 150 where workspace_id = 'ws_demo';
insert into scheduled_sms_jobs (workspace_id, to_phone, body)
select 'ws_demo', '+61412345678', 'backoff ' || i from generate_series(1, 20) i;
select is((select count(*)::integer from private.claim_due_jobs('worker-bo')), 20, 'twenty jobs claimed for the backoff check');
select private.retry_job(id, 'worker-bo', '30003', 'x') from scheduled_sms_jobs where body like 'backoff %';
select is_empty(
  $$ select body from scheduled_sms_jobs where body like 'backoff %'
     and not (next_attempt_at between now() + interval '50 seconds' and now() + interval '100 seconds') $$,
  'after attempt 1 every retry is due 50-100 s ahead (base 100 s, jitter)');
update scheduled_sms_jobs set next_attempt_at = now() where body like 'backoff %';
select is((select count(*)::integer from private.claim_due_jobs('worker-bo')), 20, 'the twenty jobs claimed again');
select private.retry_job(id, 'worker-bo', '30003', 'x') from scheduled_sms_jobs where body like 'backoff %';
select is_empty(
  $$ select body from scheduled_sms_jobs where body like 'backoff %'
     and not (next_attempt_at between now() + interval '75 seconds' and now() + interval '150 seconds') $$,
  'after attempt 2 every retry is due 75-150 s ahead (200 s capped at 150 s, jitter)');
select ok((select count(distinct next_attempt_at) > 1 from scheduled_sms_jobs where body like 'backoff %'),
  'retries of a burst are spread out by jitter');

-- cancel_job ---------------------------------------------------------------------------------------
delete from scheduled_sms_jobs;
select pg_temp.make_job('cq', 'queued');
select pg_temp.make_job('cs', 'scheduled');
select pg_temp.make_job('cr', 'retrying');
select pg_temp.make_job('cp', 'processing');
select pg_temp.make_job('cc', 'completed');
select pg_temp.make_job('cf', 'failed');
select is((select status::text || ' ' || status_reason from private.cancel_job(pg_temp.jid('cq'))), 'cancelled cancelled_by_user',
  'cancel_job: queued -> cancelled');
select is((select status::text || ' ' || status_reason from private.cancel_job(pg_temp.jid('cs'), 'schedule_deleted')), 'cancelled schedule_deleted',
  'cancel_job: scheduled -> cancelled, with the reason given');
select is((select status::text from private.cancel_job(pg_temp.jid('cr'))), 'cancelled', 'cancel_job: retrying -> cancelled');
select throws_ok($$ select private.cancel_job(pg_temp.jid('cp')) $$, 'SMS21', null, 'cancel_job: a processing job cannot be cancelled');
select throws_ok($$ select private.cancel_job(pg_temp.jid('cc')) $$, 'SMS21', null, 'cancel_job: a completed job cannot be cancelled');
select throws_ok($$ select private.cancel_job(pg_temp.jid('cf')) $$, 'SMS21', null, 'cancel_job: a failed job cannot be cancelled');
select throws_ok($$ select private.cancel_job('job_doesnotexist') $$, 'SMS20', null, 'cancel_job: an unknown id is job_not_found');
select is(pg_temp.event_count('cq'), 2, 'the cancelled job has its created and cancelled events');
select is((select status::text || ' ' || status_reason from private.cancel_job(pg_temp.jid('cq'), 'another reason')),
  'cancelled cancelled_by_user', 'cancelling a cancelled job returns it unchanged');
select is(pg_temp.event_count('cq'), 2, 'cancelling twice writes no new event');

-- cancel_sms_job (client RPC) ------------------------------------------------------------------------
select pg_temp.make_job('rpc queued', 'queued');
select pg_temp.make_job('rpc retrying', 'retrying');
create temp table rpc_jobs on commit drop as
  select body, id from scheduled_sms_jobs where body in ('rpc queued', 'rpc retrying', 'cp', 'cc', 'cq');
grant select on rpc_jobs to public;
select pg_temp.act_as('member@demo.test');
select is((select status::text || ' ' || status_reason from public.cancel_sms_job((select id from rpc_jobs where body = 'rpc queued'))),
  'cancelled cancelled_by_user', 'a member cancels a queued job through the RPC');
select is((select status::text from public.cancel_sms_job((select id from rpc_jobs where body = 'rpc retrying'))),
  'cancelled', 'a member cancels a job waiting to retry');
select throws_ok($$ select public.cancel_sms_job((select id from rpc_jobs where body = 'cp')) $$, 'SMS21', null,
  'a job being sent cannot be cancelled through the RPC');
select throws_ok($$ select public.cancel_sms_job((select id from rpc_jobs where body = 'cc')) $$, 'SMS21', null,
  'a completed job cannot be cancelled through the RPC');
select is((select status::text from public.cancel_sms_job((select id from rpc_jobs where body = 'cq'))), 'cancelled',
  'cancelling an already cancelled job through the RPC answers the job, unchanged');
select throws_ok($$ select public.cancel_sms_job('job_doesnotexist') $$, 'SMS20', null,
  'an unknown id is job_not_found through the RPC');
select pg_temp.act_as_postgres();
select is(pg_temp.event_count('cq'), 2, 'the RPC''s repeated cancel wrote no event');
select is((select actor from sms_job_events where job_id = pg_temp.jid('rpc queued') and event_type = 'cancelled'),
  '00000000-0000-4000-8000-000000000004'::uuid, 'the cancel event names the member who cancelled');

-- renew_leases ---------------------------------------------------------------------------------------
delete from scheduled_sms_jobs;
insert into scheduled_sms_jobs (workspace_id, to_phone, body) values
  ('ws_demo', '+61412345678', 'lease 1'), ('ws_demo', '+61412345678', 'lease 2');
select is((select count(*)::integer from private.claim_due_jobs('worker-L')), 2, 'worker-L holds two jobs');
select pg_temp.make_job('lease other', 'processing');
select pg_temp.make_job('lease queued', 'queued');
select is(private.renew_leases('worker-L', array[pg_temp.jid('lease 1'), pg_temp.jid('lease 2'), pg_temp.jid('lease other'),
                                              pg_temp.jid('lease queued'), 'job_doesnotexist'], 300),
  2, 'renew_leases renews only the leases the worker holds, and says how many');
select results_eq(
  $$ select body || ' ' || status::text || ' ' || coalesce((lease_expires_at - now())::text, '-') from scheduled_sms_jobs order by body $$,
  array['lease 1 processing 00:05:00', 'lease 2 processing 00:05:00', 'lease other processing 00:01:00', 'lease queued queued -'],
  'the renewed leases run 300 s from now; the other worker''s lease and the queued job are untouched');
select throws_ok($$ select private.renew_leases('worker-L', array[pg_temp.jid('lease 1')], 0) $$, 'SMS14', null,
  'renew_leases refuses a lease of 0 s');
select throws_ok($$ select private.renew_leases('', array[pg_temp.jid('lease 1')]) $$, 'SMS14', null,
  'renew_leases refuses an empty worker id');

-- expire_stale_leases ----------------------------------------------------------------------------------
select pg_temp.make_job('stale', 'processing');
select pg_temp.make_job('stale last attempt', 'processing', 1);
update scheduled_sms_jobs set lease_expires_at = now() - interval '1 second' where body in ('stale', 'stale last attempt');
select is(private.expire_stale_leases(), 2, 'expire_stale_leases recovers the two jobs whose lease expired');
select results_eq(
  $$ select body || ' ' || status::text || ' a' || attempts || ' ' || status_reason || ' ' || last_error_code || ' '
            || coalesce(lease_owner, '-') || ' ' || (next_attempt_at = now())::text
     from scheduled_sms_jobs where body in ('stale', 'stale last attempt') order by body $$,
  array['stale retrying a1 lease_expired lease_expired - true',
        'stale last attempt failed a1 retries_exhausted lease_expired - true'],
  'an expired lease sends the job back to retrying at once, or fails it when no attempt is left');
select results_eq(
  $$ select body || ' ' || status::text || ' ' || lease_owner from scheduled_sms_jobs where body like 'lease %' and status = 'processing' order by body $$,
  array['lease 1 processing worker-L', 'lease 2 processing worker-L', 'lease other processing worker-1'],
  'live leases are left alone');
select is(private.expire_stale_leases(), 0, 'a second pass finds nothing to expire');
select is((select status::text || ' a' || attempts from private.claim_job(pg_temp.jid('stale'), 'worker-M')),
  'processing a2', 'the recovered job is claimable at once, as its second attempt');

select * from finish();
rollback;
