-- Idempotency keys (20261130000400): the table is the API's alone (no client role reads or writes
-- it, even a writer of the workspace), the key's lock and lookup answer new / replay / mismatch /
-- busy, and the cleanup removes expired keys only.
begin;
select plan(17);

\ir helpers/acting_as.sql

select pg_temp.act_as_postgres();
select lives_ok($$ select private.record_idempotent_answer('ws_demo', 'send-sms', 'key-fresh', repeat('a', 64), 200::smallint, '{"success":true}') $$,
  'the API records an answer');
select private.record_idempotent_answer('ws_demo', 'send-sms', 'key-old', repeat('b', 64), 200::smallint, '{"success":true}');
update private.idempotency_keys set created_at = now() - make_interval(hours => private.limit_value('idempotency_key_retention_hours')::integer) - interval '1 second'
where key = 'key-old';
select private.record_idempotent_answer('ws_demo', 'send-sms', 'key-edge', repeat('c', 64), 200::smallint, '{"success":true}');
update private.idempotency_keys set created_at = now() - make_interval(hours => private.limit_value('idempotency_key_retention_hours')::integer) + interval '1 minute'
where key = 'key-edge';

-- No client role, not even the workspace's owner, can read or write the table or call its functions.
select pg_temp.act_as('owner@demo.test');
select throws_ok($$ select * from private.idempotency_keys $$, '42501', null, 'a workspace owner cannot read the keys');
select throws_ok($$ insert into private.idempotency_keys (workspace_id, route, key, request_hash, status, response_body)
  values ('ws_demo', 'send-sms', 'forged', repeat('d', 64), 200, '{}') $$, '42501', null, 'a workspace owner cannot plant an answer');
select throws_ok($$ update private.idempotency_keys set response_body = '{}' $$, '42501', null, 'a workspace owner cannot change an answer');
select throws_ok($$ delete from private.idempotency_keys $$, '42501', null, 'a workspace owner cannot delete keys');
select throws_ok($$ select private.begin_idempotent_request('ws_demo', 'send-sms', 'key-fresh', repeat('a', 64)) $$, '42501', null,
  'a workspace owner cannot look up a stored answer');
select throws_ok($$ select private.delete_expired_idempotency_keys() $$, '42501', null, 'a workspace owner cannot run the cleanup');
select pg_temp.act_as_anon();
select throws_ok($$ select * from private.idempotency_keys $$, '42501', null, 'anon cannot read the keys');
select throws_ok($$ insert into private.idempotency_keys (workspace_id, route, key, request_hash, status, response_body)
  values ('ws_demo', 'send-sms', 'forged', repeat('d', 64), 200, '{}') $$, '42501', null, 'anon cannot write the keys');

-- The lookup: the same body replays, another body is a mismatch, an expired key is new again.
select pg_temp.act_as_postgres();
select is((select outcome || ' ' || status || ' ' || response_body from private.begin_idempotent_request('ws_demo', 'send-sms', 'key-fresh', repeat('a', 64))),
  'replay 200 {"success":true}', 'the same key and body replay the stored answer');
select is((select outcome from private.begin_idempotent_request('ws_demo', 'send-sms', 'key-fresh', repeat('e', 64))),
  'mismatch', 'the same key with another body is a mismatch');
select is((select outcome from private.begin_idempotent_request('ws_demo', 'schedule-delay', 'key-fresh', repeat('e', 64))),
  'new', 'a key is independent on another route');
select is((select outcome from private.begin_idempotent_request('ws_demo', 'send-sms', 'key-old', repeat('b', 64))),
  'new', 'an expired key not removed yet counts as gone');
select throws_ok($$ select private.record_idempotent_answer('ws_demo', 'send-sms', 'bad' || chr(10), repeat('a', 64), 200::smallint, '{}') $$,
  '23514', null, 'a key is printable ASCII only');

-- The cleanup removes the expired key only (its retention is private.limit_value's).
select is(private.delete_expired_idempotency_keys(), 1, 'the cleanup removes one expired key');
select results_eq($$ select key from private.idempotency_keys where workspace_id = 'ws_demo' and key like 'key-%' order by key $$,
  array['key-edge', 'key-fresh'], 'keys younger than the retention stay');

select is((select schedule || ' ' || command from cron.job where jobname = 'sms-idempotency-keys'),
  '*/5 * * * * select private.delete_expired_idempotency_keys()', 'pg_cron runs the cleanup every five minutes');

select * from finish();
rollback;
