-- The guard on job updates (legal transitions only, immutable message columns, even for the table
-- owner), the append-only event log, and the events every transition writes. The guard as seen by
-- service_role is in 009 (it must be the first role to fire the guard in its transaction).
begin;
select plan(53);

\ir helpers/acting_as.sql
\ir helpers/jobs.sql

-- Guard: illegal status changes are refused even for the table owner ------------------------------
select pg_temp.make_job('g queued', 'queued');
select pg_temp.make_job('g processing', 'processing');
select pg_temp.make_job('g completed', 'completed');
select pg_temp.make_job('g failed', 'failed');
select pg_temp.make_job('g cancelled', 'cancelled');
select pg_temp.make_job('g scheduled', 'scheduled');
select throws_ok($$ update scheduled_sms_jobs set status = 'completed' where body = 'g queued' $$, 'SMS21', null,
  'owner: queued -> completed directly is refused');
select throws_ok($$ update scheduled_sms_jobs set status = 'failed' where body = 'g queued' $$, 'SMS21', null,
  'owner: queued -> failed directly is refused');
select throws_ok($$ update scheduled_sms_jobs set status = 'queued' where body = 'g scheduled' $$, 'SMS21', null,
  'owner: scheduled -> queued directly is refused');
select throws_ok($$ update scheduled_sms_jobs set status = 'queued', lease_owner = null, lease_expires_at = null where body = 'g processing' $$,
  'SMS21', null, 'owner: processing -> queued directly is refused');
select throws_ok($$ update scheduled_sms_jobs set status = 'cancelled', lease_owner = null, lease_expires_at = null where body = 'g processing' $$,
  'SMS21', null, 'owner: processing -> cancelled directly is refused');
select throws_ok($$ update scheduled_sms_jobs set status = 'queued' where body = 'g completed' $$, 'SMS21', null,
  'owner: completed -> queued directly is refused');
select throws_ok($$ update scheduled_sms_jobs set status = 'retrying' where body = 'g failed' $$, 'SMS21', null,
  'owner: failed -> retrying directly is refused');
select throws_ok($$ update scheduled_sms_jobs set status = 'queued' where body = 'g cancelled' $$, 'SMS21', null,
  'owner: cancelled -> queued directly is refused');

-- Guard: the message is fixed once created ---------------------------------------------------------
select throws_ok($$ update scheduled_sms_jobs set body = 'changed' where body = 'g queued' $$, 'SMS24', null,
  'the body cannot change');
select throws_ok($$ update scheduled_sms_jobs set to_phone = '+61499999999' where body = 'g queued' $$, 'SMS24', null,
  'the recipient cannot change');
select throws_ok($$ update scheduled_sms_jobs set from_number = '+15017122661' where body = 'g queued' $$, 'SMS24', null,
  'the sender cannot change');
select throws_ok($$ update scheduled_sms_jobs set workspace_id = 'ws_other' where body = 'g queued' $$, 'SMS24', null,
  'the workspace cannot change');
select throws_ok($$ update scheduled_sms_jobs set scheduled_time = now() + interval '1 hour' where body = 'g queued' $$, 'SMS24', null,
  'scheduled_time cannot change');
select throws_ok($$ update scheduled_sms_jobs set media_urls = array['https://cdn.example.com/x.jpg'] where body = 'g queued' $$, 'SMS24', null,
  'the media cannot change');
select throws_ok($$ update scheduled_sms_jobs set id = 'job_mine' where body = 'g queued' $$, 'SMS24', null,
  'the id cannot change');
select throws_ok($$ update scheduled_sms_jobs set created_at = now() - interval '1 day' where body = 'g queued' $$, 'SMS24', null,
  'created_at cannot change');
select is(pg_temp.state('g queued'), 'queued a0 - -', 'the refused updates left the job as it was');

-- Guard: what the owner may change directly ---------------------------------------------------------
select is(pg_temp.event_count('g queued'), 1, 'the queued job has only its created event');
select lives_ok($$ update scheduled_sms_jobs set next_attempt_at = now() - interval '1 minute', metadata = '{"note": "ops"}' where body = 'g queued' $$,
  'the owner may move next_attempt_at and edit metadata');
select is(pg_temp.event_count('g queued'), 1, 'an update that keeps the status writes no event');
select lives_ok($$ update scheduled_sms_jobs set status = 'cancelled', status_reason = 'ops' where body = 'g queued' $$,
  'a legal status change made directly by the owner passes the guard');
select results_eq(
  $$ select e.event_type || ' ' || e.from_status || '->' || e.to_status || ' ' || (e.details ->> 'reason')
     from sms_job_events e where e.job_id = pg_temp.jid('g queued') and e.event_type <> 'created' $$,
  array['cancelled queued->cancelled ops'], '... and is logged like any transition');

-- Append-only event log ------------------------------------------------------------------------------
select pg_temp.act_as_postgres();
select throws_ok($$ update sms_job_events set error_message = 'rewritten' where job_id = pg_temp.jid('g failed') $$, 'SMS25', null,
  'the table owner cannot update an event');
select throws_ok($$ delete from sms_job_events where job_id = pg_temp.jid('g failed') $$, 'SMS25', null,
  'the table owner cannot delete an event');
select pg_temp.act_as_service();
select throws_ok($$ update sms_job_events set error_message = 'rewritten' $$, '42501', 'permission denied for table sms_job_events',
  'service_role cannot update events');
select throws_ok($$ delete from sms_job_events $$, '42501', 'permission denied for table sms_job_events',
  'service_role cannot delete events');
select lives_ok(
  $$ insert into sms_job_events (job_id, workspace_id, event_type, details)
     values ((select id from scheduled_sms_jobs where body = 'g failed'), 'ws_demo', 'operator_note', '{"note": "checked"}') $$,
  'service_role may append an event');
select pg_temp.act_as_postgres();
select is(pg_temp.event_count('g failed'), 4, 'the failed job has its created, claimed, failed and appended events');
select lives_ok($$ delete from scheduled_sms_jobs where body = 'g failed' $$, 'a job can be deleted by the owner');
select is((select count(*)::integer from sms_job_events e where not exists (select 1 from scheduled_sms_jobs j where j.id = e.job_id)), 0,
  'its events went with it');
insert into scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_other', '+12125550001', 'other ws job');
select lives_ok($$ delete from workspaces where id = 'ws_other' $$, 'a workspace can be deleted by the owner');
select is((select count(*)::integer from sms_job_events where workspace_id = 'ws_other'), 0,
  'its jobs'' events went with it');

-- Events: each transition writes exactly one event ----------------------------------------------------
delete from scheduled_sms_jobs;
select pg_temp.act_as('member@demo.test');
insert into scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_demo', '+61412345678', 'life');
select pg_temp.act_as_postgres();
select results_eq(
  $$ select event_type || ' ' || coalesce(from_status::text, '-') || '->' || to_status || ' ' || coalesce(attempt::text, '-')
            || ' ' || coalesce(actor::text, '-') || ' ' || (details ->> 'max_attempts') || ' '
            || ((details ->> 'scheduled_time')::timestamptz = now())::text
     from sms_job_events where job_id = pg_temp.jid('life') $$,
  array['created -->queued - 00000000-0000-4000-8000-000000000004 4 true'],
  'insert: one created event with the initial status, the inserting user, max_attempts and scheduled_time');
select private.claim_job(pg_temp.jid('life'), 'worker-1');
select private.retry_job(pg_temp.jid('life'), 'worker-1', '30003', 'Unreachable destination handset');
update scheduled_sms_jobs set next_attempt_at = now() where body = 'life';
select private.claim_job(pg_temp.jid('life'), 'worker-2');
select private.complete_job(pg_temp.jid('life'), 'worker-2', 'SM0123456789abcdef0123456789abcdef', 'sent');
select results_eq(
  $$ select event_type || ' ' || coalesce(from_status::text, '-') || '->' || to_status || ' ' || coalesce(attempt::text, '-')
            || ' ' || coalesce(error_code, '-') || ' ' || coalesce(details ->> 'lease_owner', '-')
     from sms_job_events where job_id = pg_temp.jid('life') order by id $$,
  array['created -->queued - - -',
        'claimed queued->processing 1 - worker-1',
        'retry_scheduled processing->retrying 1 30003 worker-1',
        'claimed retrying->processing 2 - worker-2',
        'completed processing->completed 2 - worker-2'],
  'claim, retry, claim, complete: one event each, with from/to status, attempt, error and worker');
select results_eq(
  $$ select (e.details ->> 'next_attempt_at')::timestamptz > now() from sms_job_events e
     where e.job_id = pg_temp.jid('life') and e.event_type = 'retry_scheduled' $$,
  array[true], 'the retry event says when the next attempt is due');
select results_eq(
  $$ select (details ->> 'twilio_sid') || ' ' || (details ->> 'message_status') || ' ' || (details ->> 'reason')
     from sms_job_events where job_id = pg_temp.jid('life') and event_type = 'completed' $$,
  array['SM0123456789abcdef0123456789abcdef sent accepted_by_twilio'],
  'the completed event carries the Twilio sid, its status and the reason');
select results_eq(
  $$ select error_message from sms_job_events where job_id = pg_temp.jid('life') and event_type = 'retry_scheduled' $$,
  array['Unreachable destination handset'], 'the retry event keeps the error message');

select pg_temp.make_job('perm', 'failed');
select results_eq(
  $$ select event_type || ' ' || from_status || '->' || to_status || ' ' || attempt || ' ' || coalesce(error_code, '-')
            || ' ' || coalesce(details ->> 'reason', '-')
     from sms_job_events where job_id = pg_temp.jid('perm') and event_type <> 'created' order by id $$,
  array['claimed queued->processing 1 - -', 'failed processing->failed 1 21211 permanent_error'],
  'a permanent failure: claimed, then failed with the Twilio code');

select pg_temp.make_job('exhaust', 'processing', 1);
select private.retry_job(pg_temp.jid('exhaust'), 'worker-1', '30008', 'Unknown error');
select results_eq(
  $$ select event_type || ' ' || from_status || '->' || to_status || ' ' || attempt || ' ' || error_code || ' ' || (details ->> 'reason')
     from sms_job_events where job_id = pg_temp.jid('exhaust') order by id desc limit 1 $$,
  array['failed processing->failed 1 30008 retries_exhausted'], 'exhausted retries: one failed event saying so');

select pg_temp.make_job('to cancel', 'scheduled');
select private.cancel_job(pg_temp.jid('to cancel'));
select results_eq(
  $$ select event_type || ' ' || coalesce(from_status::text, '-') || '->' || to_status || ' ' || coalesce(attempt::text, '-')
     from sms_job_events where job_id = pg_temp.jid('to cancel') order by id $$,
  array['created -->scheduled -', 'cancelled scheduled->cancelled 0'], 'a cancel: one cancelled event from scheduled');

select pg_temp.make_job('expiring', 'processing');
update scheduled_sms_jobs set lease_expires_at = now() - interval '1 second' where body = 'expiring';
select private.expire_stale_leases();
select results_eq(
  $$ select event_type || ' ' || from_status || '->' || to_status || ' ' || attempt || ' ' || error_code || ' '
            || (details ->> 'reason') || ' ' || (details ->> 'lease_owner')
     from sms_job_events where job_id = pg_temp.jid('expiring') order by id desc limit 1 $$,
  array['retry_scheduled processing->retrying 1 lease_expired lease_expired worker-1'],
  'an expired lease: one retry_scheduled event naming the worker that lost it');

-- One event per job for batch transitions --------------------------------------------------------------
delete from scheduled_sms_jobs;
insert into scheduled_sms_jobs (workspace_id, to_phone, body)
select 'ws_demo', '+61412345678', 'batch ' || i from generate_series(1, 3) i;
select is((select count(*)::integer from private.claim_due_jobs('worker-batch')), 3, 'a batch claim takes three jobs');
select is_empty(
  $$ select j.body from scheduled_sms_jobs j
     where (select count(*) from sms_job_events e where e.job_id = j.id and e.event_type = 'claimed'
            and e.details ->> 'lease_owner' = 'worker-batch' and e.attempt = 1) <> 1 $$,
  'each claimed job has exactly one claimed event');

-- Events are written in the transition's transaction -----------------------------------------------------
create function pg_temp.claim_then_abort(p_label text) returns text
language plpgsql as $$
begin
  perform private.claim_job(pg_temp.jid(p_label), 'worker-abort');
  raise exception 'worker crashed';
exception when raise_exception then
  return sqlerrm;
end $$;
select pg_temp.make_job('atomic', 'queued');
select is(pg_temp.claim_then_abort('atomic'), 'worker crashed', 'a claim is rolled back with its transaction');
select is(pg_temp.state('atomic'), 'queued a0 - -', '... the job is still queued');
select is(pg_temp.event_count('atomic'), 1, '... and its claimed event was rolled back too');
select throws_ok($$ select private.fail_job(pg_temp.jid('atomic'), 'worker-1', '21211', 'x') $$, 'SMS21', null,
  'a refused transition raises');
select is(pg_temp.event_count('atomic'), 1, '... and writes no event');

-- Bulk inserts: one created event per row -------------------------------------------------------------
select pg_temp.act_as('member@demo.test');
insert into scheduled_sms_jobs (workspace_id, to_phone, body, scheduled_time)
select 'ws_demo', '+614' || lpad(i::text, 8, '0'), 'bulk ' || i,
       case when i % 2 = 0 then now() + interval '1 hour' else now() end
from generate_series(1, 250) i;
select pg_temp.act_as_postgres();
select is((select count(*)::integer from sms_job_events e join scheduled_sms_jobs j on j.id = e.job_id
           where j.body like 'bulk %' and e.event_type = 'created'), 250,
  'a 250-row insert writes 250 created events');
select is_empty(
  $$ select j.body from scheduled_sms_jobs j
     where j.body like 'bulk %'
       and (select count(*) from sms_job_events e where e.job_id = j.id and e.event_type = 'created'
            and e.to_status = j.status and e.workspace_id = j.workspace_id
            and e.actor = '00000000-0000-4000-8000-000000000004') <> 1 $$,
  'each bulk row has exactly one created event with its own status, workspace and author');
create temp table events_before on commit drop as select count(*)::integer as n from sms_job_events;
grant select on events_before to public;
select pg_temp.act_as('member@demo.test');
select throws_ok(
  $$ insert into scheduled_sms_jobs (workspace_id, to_phone, body)
     select 'ws_demo', case when i = 50 then 'bad' else '+614' || lpad(i::text, 8, '0') end, 'doomed ' || i
     from generate_series(1, 100) i $$,
  'SMS01', null, 'a bulk insert with one invalid row is refused as a whole');
select pg_temp.act_as_postgres();
select is((select count(*)::integer from scheduled_sms_jobs where body like 'doomed %'), 0, '... leaving no row');
select is((select count(*)::integer from sms_job_events), (select n from events_before), '... and no event');

select * from finish();
rollback;
