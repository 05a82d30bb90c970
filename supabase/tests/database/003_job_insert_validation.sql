-- Direct inserts into scheduled_sms_jobs (client apps through PostgREST, under RLS) obey the same
-- rules as the API: each rule refuses with its documented SQLSTATE (HINT = code name), a refused
-- insert leaves nothing behind, and clients cannot set the columns the service manages.
begin;
select plan(70);

\ir helpers/acting_as.sql
-- The SQLSTATE and HINT a statement fails with (run with the caller's rights), or 'no error'.
create function pg_temp.error_of(p_sql text) returns text
language plpgsql as $$
declare
  v_state text;
  v_hint text;
begin
  execute p_sql;
  return 'no error';
exception when others then
  get stacked diagnostics v_state = returned_sqlstate, v_hint = pg_exception_hint;
  return v_state || ' ' || coalesce(v_hint, '');
end $$;
grant execute on function pg_temp.error_of(text) to public;

select pg_temp.act_as('owner@demo.test');

-- invalid_phone (SMS01): recipient and sender must be E.164 ('+', 7 to 15 digits, no leading 0) --
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_demo', '0412345678', 'hi') $$,
  'SMS01', null, 'a national number without + is refused');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_demo', '+61 412 345 678', 'hi') $$,
  'SMS01', null, 'a number with spaces is refused');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_demo', '+0412345678', 'hi') $$,
  'SMS01', null, 'a country code starting with 0 is refused');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_demo', '+123456', 'hi') $$,
  'SMS01', null, 'six digits are too few');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_demo', '+1234567890123456', 'hi') $$,
  'SMS01', null, 'sixteen digits are too many');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, body) values ('ws_demo', 'hi') $$,
  'SMS01', null, 'a missing recipient is refused as invalid_phone');
select lives_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_demo', '+1234567', 'seven digits') $$,
  'seven digits are accepted');
select lives_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_demo', '+123456789012345', 'fifteen digits') $$,
  'fifteen digits are accepted');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, from_number, body) values ('ws_demo', '+61412345678', '15005550006', 'hi') $$,
  'SMS01', null, 'a sender without + is refused as invalid_phone');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, from_number, body) values ('ws_demo', '+61412345678', 'Demo Co', 'hi') $$,
  'SMS01', null, 'a sender that is neither E.164 nor a Messaging Service SID is refused as invalid_phone');

-- invalid_body (SMS02): 1 to 1600 characters, not blank --------------------------------------------
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_demo', '+61412345678', '') $$,
  'SMS02', null, 'an empty body is refused');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_demo', '+61412345678', E'  \t\r\n ') $$,
  'SMS02', null, 'a blank body is refused');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone) values ('ws_demo', '+61412345678') $$,
  'SMS02', null, 'a missing body is refused as invalid_body');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_demo', '+61412345678', repeat('x', 1601)) $$,
  'SMS02', null, 'a 1601-character body is refused');
select lives_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_demo', '+61412345678', repeat('x', 1600)) $$,
  'a 1600-character body is accepted');
select lives_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_demo', '+61412345678', repeat('é', 1600)) $$,
  'the limit counts characters, not bytes (1600 two-byte characters are accepted)');

-- invalid_media_urls (SMS03): at most 10, each https://, at most 2048 characters -------------------
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body, media_urls)
                    values ('ws_demo', '+61412345678', 'eleven', array(select 'https://cdn.example.com/' || i || '.jpg' from generate_series(1, 11) i)) $$,
  'SMS03', null, '11 media URLs are refused');
select lives_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body, media_urls)
                   values ('ws_demo', '+61412345678', 'ten media', array(select 'https://cdn.example.com/' || i || '.jpg' from generate_series(1, 10) i)) $$,
  '10 media URLs are accepted');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body, media_urls)
                    values ('ws_demo', '+61412345678', 'http', array['http://cdn.example.com/a.jpg']) $$,
  'SMS03', null, 'a plain http media URL is refused');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body, media_urls)
                    values ('ws_demo', '+61412345678', 'no host', array['https://']) $$,
  'SMS03', null, 'an https URL without a host is refused');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body, media_urls)
                    values ('ws_demo', '+61412345678', 'space', array['https://cdn.example.com/a b.jpg']) $$,
  'SMS03', null, 'a media URL with whitespace is refused');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body, media_urls)
                    values ('ws_demo', '+61412345678', 'null url', array[null]::text[]) $$,
  'SMS03', null, 'a null media URL is refused');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body, media_urls)
                    values ('ws_demo', '+61412345678', 'too long', array['https://cdn.example.com/' || repeat('a', 2049 - 24)]) $$,
  'SMS03', null, 'a 2049-character media URL is refused');
select lives_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body, media_urls)
                   values ('ws_demo', '+61412345678', 'long url', array['https://cdn.example.com/' || repeat('a', 2048 - 24)]) $$,
  'a 2048-character media URL is accepted');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body, media_urls)
                    values ('ws_demo', '+61412345678', '2d', array[['https://a.example/1'], ['https://a.example/2']]) $$,
  'SMS03', null, 'a two-dimensional media array is refused');

-- invalid_metadata (SMS08): a JSON object of at most 8192 bytes ------------------------------------
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body, metadata) values ('ws_demo', '+61412345678', 'hi', '[1, 2]') $$,
  'SMS08', null, 'a JSON array as metadata is refused');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body, metadata) values ('ws_demo', '+61412345678', 'hi', '"text"') $$,
  'SMS08', null, 'a JSON string as metadata is refused');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body, metadata) values ('ws_demo', '+61412345678', 'hi', 'null') $$,
  'SMS08', null, 'JSON null as metadata is refused');
-- {"k": "xxx…"} is 9 bytes plus the value.
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body, metadata)
                    values ('ws_demo', '+61412345678', 'hi', jsonb_build_object('k', repeat('x', 8184))) $$,
  'SMS08', null, '8193 bytes of metadata are refused');
select lives_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body, metadata)
                   values ('ws_demo', '+61412345678', 'big metadata', jsonb_build_object('k', repeat('x', 8183))) $$,
  '8192 bytes of metadata are accepted');

-- scheduled_time: at most 60 s in the past (SMS04), at most 365 days ahead (SMS05) ----------------
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body, scheduled_time)
                    values ('ws_demo', '+61412345678', 'hi', now() - interval '61 seconds') $$,
  'SMS04', null, '61 s in the past is refused');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body, scheduled_time)
                    values ('ws_demo', '+61412345678', 'hi', '2020-01-01T09:00:00+10:00') $$,
  'SMS04', null, 'a date years ago is refused');
select lives_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body, scheduled_time)
                   values ('ws_demo', '+61412345678', 'skew 60', now() - interval '60 seconds') $$,
  '60 s in the past is accepted (clock skew)');
select lives_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body, scheduled_time)
                   values ('ws_demo', '+61412345678', 'skew 30', now() - interval '30 seconds') $$,
  '30 s in the past is accepted');
select results_eq(
  $$ select body || ' ' || status::text || ' ' || (next_attempt_at = scheduled_time)::text
     from scheduled_sms_jobs where body in ('skew 60', 'skew 30') order by body $$,
  array['skew 30 queued true', 'skew 60 queued true'],
  'a time within the skew allowance is queued, due at the time asked for');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body, scheduled_time)
                    values ('ws_demo', '+61412345678', 'hi', now() + interval '365 days 1 second') $$,
  'SMS05', null, '365 days and a second ahead is refused');
select lives_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body, scheduled_time)
                   values ('ws_demo', '+61412345678', 'a year ahead', now() + interval '365 days') $$,
  'exactly 365 days ahead is accepted');
select lives_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_demo', '+61412345678', 'no time') $$,
  'a job without scheduled_time is accepted');
select results_eq(
  $$ select body || ' ' || status::text || ' ' || (scheduled_time - now())::text || ' ' || (next_attempt_at - now())::text
     from scheduled_sms_jobs where body in ('no time', 'a year ahead') order by body $$,
  array['a year ahead scheduled 365 days 365 days', 'no time queued 00:00:00 00:00:00'],
  'no time means now (queued); a future time is scheduled and due then');

-- Senders: the workspace's own (SMS06), the default when omitted, or no_default_sender (SMS07) -----
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, from_number, body)
                    values ('ws_demo', '+61412345678', '+15017122661', 'hi') $$,
  'SMS06', null, 'ws_other''s number cannot send for ws_demo (sender_not_allowed)');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, from_number, body)
                    values ('ws_demo', '+61412345678', '+15005550099', 'hi') $$,
  'SMS06', null, 'a number no workspace owns is refused');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, from_number, body)
                    values ('ws_demo', '+61412345678', 'MG' || repeat('0', 32), 'hi') $$,
  'SMS06', null, 'a Messaging Service SID the workspace does not own is refused');
select lives_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, from_number, body)
                   values ('ws_demo', '+61412345678', '+15005550006', 'explicit sender') $$,
  'the workspace''s own sender is accepted');
select results_eq(
  $$ select from_number from scheduled_sms_jobs where body = 'no time' $$, array['+15005550006'],
  'a job without a sender takes the workspace''s default sender');
select is(pg_temp.rows_affected($$ update workspace_settings set default_sender = null where workspace_id = 'ws_demo' $$), 1,
  'the owner removes ws_demo''s default sender');
-- (A recipient never messaged before: the sender of their last message would be chosen otherwise.)
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_demo', '+61400000999', 'hi') $$,
  'SMS07', null, 'without a default sender (nor one of the recipient''s country or last message) a job must name one (no_default_sender)');
select lives_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, from_number, body)
                   values ('ws_demo', '+61412345678', '+15005550006', 'named sender, no default') $$,
  'a job naming its sender is still accepted without a default');

-- recipient_opted_out (SMS09) ----------------------------------------------------------------------
insert into sms_opt_outs (workspace_id, phone) values ('ws_demo', '+61400000001');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, from_number, body)
                    values ('ws_demo', '+61400000001', '+15005550006', 'hi') $$,
  'SMS09', null, 'a recipient who opted out of ws_demo cannot be messaged from ws_demo');
select pg_temp.act_as('owner@other.test');
select lives_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_other', '+61400000001', 'other workspace') $$,
  'the opt-out is per workspace: ws_other may still message that number');

-- Internal columns: clients cannot even name them (42501) ------------------------------------------
select pg_temp.act_as('member@demo.test');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, from_number, body, status)
                    values ('ws_demo', '+61412345678', '+15005550006', 'hi', 'completed') $$,
  '42501', 'permission denied for table scheduled_sms_jobs', 'a client cannot set status');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, from_number, body, attempts)
                    values ('ws_demo', '+61412345678', '+15005550006', 'hi', 0) $$,
  '42501', 'permission denied for table scheduled_sms_jobs', 'a client cannot set attempts, even to its default');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, from_number, body, twilio_sid)
                    values ('ws_demo', '+61412345678', '+15005550006', 'hi', 'SM' || repeat('0', 32)) $$,
  '42501', 'permission denied for table scheduled_sms_jobs', 'a client cannot set twilio_sid');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, from_number, body, lease_owner, lease_expires_at)
                    values ('ws_demo', '+61412345678', '+15005550006', 'hi', 'me', now()) $$,
  '42501', 'permission denied for table scheduled_sms_jobs', 'a client cannot set a lease');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, from_number, body, max_attempts)
                    values ('ws_demo', '+61412345678', '+15005550006', 'hi', 11) $$,
  '42501', 'permission denied for table scheduled_sms_jobs', 'a client cannot set max_attempts');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, from_number, body, next_attempt_at)
                    values ('ws_demo', '+61412345678', '+15005550006', 'hi', now() - interval '1 day') $$,
  '42501', 'permission denied for table scheduled_sms_jobs', 'a client cannot set next_attempt_at');
select throws_ok($$ insert into scheduled_sms_jobs (id, workspace_id, to_phone, from_number, body)
                    values ('job_1', 'ws_demo', '+61412345678', '+15005550006', 'hi') $$,
  '42501', 'permission denied for table scheduled_sms_jobs', 'a client cannot choose the job id');

-- Internal columns: the service role may name them, and the trigger refuses (SMS13) --------------
select pg_temp.act_as_service();
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body, status) values ('ws_demo', '+61412345678', 'hi', 'queued') $$,
  'SMS13', null, 'service_role cannot set status');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body, attempts) values ('ws_demo', '+61412345678', 'hi', 1) $$,
  'SMS13', null, 'service_role cannot set attempts');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body, twilio_sid) values ('ws_demo', '+61412345678', 'hi', 'SM' || repeat('1', 32)) $$,
  'SMS13', null, 'service_role cannot set twilio_sid');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body, lease_owner, lease_expires_at)
                    values ('ws_demo', '+61412345678', 'hi', 'worker', now() + interval '1 minute') $$,
  'SMS13', null, 'service_role cannot set a lease');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body, message_status) values ('ws_demo', '+61412345678', 'hi', 'delivered') $$,
  'SMS13', null, 'service_role cannot set message_status');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body, last_error_code, last_error_message)
                    values ('ws_demo', '+61412345678', 'hi', '30003', 'Unreachable') $$,
  'SMS13', null, 'service_role cannot set the last error');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body, completed_at, status_reason)
                    values ('ws_demo', '+61412345678', 'hi', now(), 'done') $$,
  'SMS13', null, 'service_role cannot set completed_at or status_reason');
-- max_attempts is the service's per-job override of the workspace policy, within the cap.
select lives_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body, max_attempts) values ('ws_other', '+12125550100', 'one attempt only', 1) $$,
  'service_role may give a job its own max_attempts');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body, max_attempts) values ('ws_other', '+12125550100', 'hi', 12) $$,
  '23514', null, 'max_attempts above 1 + the retry cap is refused');
select results_eq(
  $$ select body || ' ' || max_attempts from scheduled_sms_jobs where body in ('one attempt only', 'other workspace') order by body $$,
  array['one attempt only 1', 'other workspace 4'],
  'max_attempts is the override when given, else the workspace''s retries + 1');

-- Refusals leave nothing behind; every accepted row has exactly one created event ----------------
select pg_temp.act_as_postgres();
select is((select count(*)::integer from scheduled_sms_jobs), 15,
  'only the 15 accepted inserts left a row');
select is_empty(
  $$ select j.id from scheduled_sms_jobs j
     where (select count(*) from sms_job_events e where e.job_id = j.id and e.event_type = 'created') <> 1 $$,
  'every accepted job has exactly one created event');
select is((select count(*)::integer from sms_job_events), 15, 'refused inserts wrote no event');

-- Each refusal carries its catalogued SQLSTATE and the code name as HINT -------------------------
create temp table probes (code text primary key, stmt text not null, expected text) on commit drop;
insert into probes (code, stmt) values
  ('invalid_phone', $$ insert into scheduled_sms_jobs (workspace_id, to_phone, from_number, body) values ('ws_demo', '12', '+15005550006', 'hi') $$),
  ('invalid_body', $$ insert into scheduled_sms_jobs (workspace_id, to_phone, from_number, body) values ('ws_demo', '+61412345678', '+15005550006', ' ') $$),
  ('invalid_media_urls', $$ insert into scheduled_sms_jobs (workspace_id, to_phone, from_number, body, media_urls) values ('ws_demo', '+61412345678', '+15005550006', 'hi', '{ftp://x}') $$),
  ('scheduled_time_in_past', $$ insert into scheduled_sms_jobs (workspace_id, to_phone, from_number, body, scheduled_time) values ('ws_demo', '+61412345678', '+15005550006', 'hi', now() - interval '1 hour') $$),
  ('scheduled_time_too_far', $$ insert into scheduled_sms_jobs (workspace_id, to_phone, from_number, body, scheduled_time) values ('ws_demo', '+61412345678', '+15005550006', 'hi', now() + interval '2 years') $$),
  ('sender_not_allowed', $$ insert into scheduled_sms_jobs (workspace_id, to_phone, from_number, body) values ('ws_demo', '+61412345678', '+15017122661', 'hi') $$),
  ('no_default_sender', $$ insert into scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_demo', '+61400000999', 'hi') $$),
  ('invalid_metadata', $$ insert into scheduled_sms_jobs (workspace_id, to_phone, from_number, body, metadata) values ('ws_demo', '+61412345678', '+15005550006', 'hi', '1') $$),
  ('recipient_opted_out', $$ insert into scheduled_sms_jobs (workspace_id, to_phone, from_number, body) values ('ws_demo', '+61400000001', '+15005550006', 'hi') $$),
  ('workspace_not_found', $$ insert into scheduled_sms_jobs (workspace_id, to_phone, from_number, body) values ('ws_other', '+61412345678', '+15017122661', 'hi') $$);
update probes p set expected = e.sqlstate || ' ' || e.code from private.error_codes e where e.code = p.code;
grant select on probes to public;
select pg_temp.act_as('owner@demo.test');
select results_eq(
  $$ select code || ': ' || pg_temp.error_of(stmt) from probes order by code $$,
  $$ select code || ': ' || expected from probes order by code $$,
  'a client sees each refusal''s catalogued SQLSTATE with the code name as HINT');

select * from finish();
rollback;
