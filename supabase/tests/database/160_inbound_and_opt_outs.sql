-- Inbound messages and opt-out management (20261130001300_inbound_and_opt_outs.sql): the keyword
-- rules (every word, case and punctuation, whole body only), one inbound call storing, deduplicating
-- and applying its keyword (STOP cancels the pending jobs with reason and event; START lifts only the
-- recipient's own opt-out; HELP/INFO logged), RLS of the new tables, the append-only history,
-- removal rights and reasons, and a direct insert to an opted-out number refused.
begin;
select plan(63);

\ir helpers/acting_as.sql

create function pg_temp.sid(p_label text) returns text language sql as $$ select 'SM' || md5(p_label) $$;
create function pg_temp.inbound(p_label text, p_from text, p_body text, p_opt_out_type text default null)
returns table (inbound_id bigint, duplicate boolean, action text, keyword text, effect text, cancelled_jobs integer)
language sql as $$
  select * from private.record_inbound_message('ws_demo', pg_temp.sid(p_label), 'AC' || repeat('de', 16), p_from,
    '+15005550006', null, p_body, 0, p_opt_out_type)
$$;

-- Keywords ------------------------------------------------------------------------------------------
select is(array(select private.inbound_keyword(w) from unnest(array['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END',
  'QUIT', 'REVOKE', 'OPTOUT']) w), array['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'],
  'each opt-out word is a keyword');
select is(array(select private.inbound_keyword_action(private.inbound_keyword(w)) from unnest(array['stop', 'Stopall',
  'unsubscribe', 'Cancel', 'end', 'quit', 'revoke', 'OptOut']) w), array_fill('opt_out'::text, array[8]),
  'each opt-out word opts out, in any case');
select is(array(select private.inbound_keyword_action(private.inbound_keyword(w)) from unnest(array['start', 'Yes', 'UNSTOP']) w),
  array_fill('opt_in'::text, array[3]), 'START, YES and UNSTOP opt back in');
select is(array(select private.inbound_keyword_action(private.inbound_keyword(w)) from unnest(array['help', 'INFO']) w),
  array_fill('help'::text, array[2]), 'HELP and INFO ask for help');
select is(private.inbound_keyword('Stop.'), 'STOP', '"Stop." is STOP');
select is(private.inbound_keyword(E' stop! \n'), 'STOP', 'surrounding white space and punctuation are ignored');
select is(private.inbound_keyword('"¡Start!"'), 'START', 'quotes and Unicode punctuation around a keyword are ignored');
select is(private.inbound_keyword('stop sending me stuff'), null, 'a sentence starting with stop is not a keyword (Twilio: single words only)');
select is(private.inbound_keyword('STOP ALL'), null, 'two words are not a keyword');
select is(private.inbound_keyword('st.op'), null, 'punctuation inside a word is not ignored');
select is(private.inbound_keyword_action(private.inbound_keyword('Thanks, see you at 5')), 'none', 'an ordinary reply asks for nothing');

-- STOP: stored, opt-out recorded, pending jobs cancelled with reason and event ------------------
insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, scheduled_time) values
  ('ws_demo', '+61412990001', 'pending one', now() + interval '1 day'),
  ('ws_demo', '+61412990001', 'pending two', now() + interval '2 days'),
  ('ws_demo', '+61412990002', 'someone else', now() + interval '1 day'),
  ('ws_other', '+61412990001', 'other workspace', now() + interval '1 day');
select results_eq($$ select duplicate, action, keyword, effect, cancelled_jobs from pg_temp.inbound('stop-1', '+61412990001', 'Stop.') $$,
  $$ values (false, 'opt_out', 'STOP', 'opted_out', 2) $$, 'a STOP is stored, recorded as an opt-out, and cancels 2 pending jobs');
select results_eq($$ select body, status::text, status_reason from public.scheduled_sms_jobs where to_phone like '+6141299000%' order by body $$,
  $$ values ('other workspace', 'scheduled', null::text), ('pending one', 'cancelled', 'recipient_opted_out'),
            ('pending two', 'cancelled', 'recipient_opted_out'), ('someone else', 'scheduled', null) $$,
  'only that recipient''s pending jobs of that workspace are cancelled, with reason recipient_opted_out');
select is((select count(*)::integer from public.sms_job_events e join public.scheduled_sms_jobs j on j.id = e.job_id
           where j.to_phone = '+61412990001' and j.workspace_id = 'ws_demo' and e.event_type = 'cancelled'), 2,
  'each cancelled job has a cancelled event');
select results_eq($$ select source, reason from public.sms_opt_outs where workspace_id = 'ws_demo' and phone = '+61412990001' $$,
  $$ values ('stop_keyword', 'replied STOP') $$, 'the opt-out says where it came from and why');
select results_eq($$ select action, source, reason, message_sid from public.sms_opt_out_events where phone = '+61412990001' $$,
  $$ values ('added', 'stop_keyword', 'replied STOP', pg_temp.sid('stop-1')) $$, 'the history records it with the message');
select results_eq($$ select from_phone, to_number, body, action, effect from public.inbound_messages where message_sid = pg_temp.sid('stop-1') $$,
  $$ values ('+61412990001', '+15005550006', 'Stop.', 'opt_out', 'opted_out') $$, 'the inbound message is stored with what it did');

-- Duplicates change nothing ----------------------------------------------------------------------
insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, scheduled_time)
  select 'ws_demo', '+61412990003', 'before duplicate', now() + interval '1 day';
select results_eq($$ select duplicate, effect, cancelled_jobs from pg_temp.inbound('stop-1', '+61412990001', 'Stop.') $$,
  $$ values (true, 'opted_out', 2) $$, 'the same MessageSid again answers the first one''s outcome, flagged duplicate');
select is((select count(*)::integer from public.inbound_messages where message_sid = pg_temp.sid('stop-1')), 1, 'a duplicate is not stored twice');
select is((select count(*)::integer from public.sms_opt_out_events where phone = '+61412990001'), 1, 'a duplicate adds no history');
select is((select count(*)::integer from pg_temp.inbound('stop-1', '+61412990003', 'STOP')), 1,
  'a replayed MessageSid with another body is still the first message');
select is((select status::text from public.scheduled_sms_jobs where body = 'before duplicate'), 'scheduled',
  'a replayed MessageSid applies nothing (no opt-out of another number)');

-- A later send to the opted-out number is refused, through the API's function and directly -------
select throws_ok($$ select private.create_job('ws_demo', '+61412990001', 'after stop') $$,
  'SMS09', null, 'the API''s create_job refuses a send to an opted-out number (recipient_opted_out)');
select pg_temp.act_as('member@demo.test');
select throws_ok($$ insert into public.scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_demo', '+61412990001', 'direct') $$,
  'SMS09', null, 'a direct insert to an opted-out number is refused (recipient_opted_out)');
select pg_temp.act_as_postgres();

-- STOP again, HELP, INFO, ordinary replies --------------------------------------------------------
select results_eq($$ select action, effect from pg_temp.inbound('stop-2', '+61412990001', 'unsubscribe') $$,
  $$ values ('opt_out', 'already_opted_out') $$, 'another opt-out word from an opted-out number changes nothing');
select results_eq($$ select action, keyword, effect from pg_temp.inbound('help-1', '+61412990002', 'Help?') $$,
  $$ values ('help', 'HELP', 'logged') $$, 'HELP is only logged');
select results_eq($$ select action, keyword, effect from pg_temp.inbound('info-1', '+61412990002', 'info') $$,
  $$ values ('help', 'INFO', 'logged') $$, 'INFO is only logged');
select results_eq($$ select action, effect from pg_temp.inbound('chat-1', '+61412990002', 'stop sending me stuff') $$,
  $$ values ('none', 'logged') $$, 'a sentence is only logged');
select is((select status::text from public.scheduled_sms_jobs where body = 'someone else'), 'scheduled',
  'HELP, INFO and sentences cancel nothing');
select is((select count(*)::integer from public.sms_opt_outs where phone = '+61412990002'), 0, 'and record no opt-out');
select results_eq($$ select action, keyword, effect from pg_temp.inbound('aoo-1', '+61412990002', 'ARRET', 'STOP') $$,
  $$ values ('opt_out', null::text, 'opted_out') $$, 'Twilio''s OptOutType (Advanced Opt-Out''s own keywords) wins');
select results_eq($$ select action, effect from pg_temp.inbound('short-1', '22395', 'STOP') $$,
  $$ values ('opt_out', 'unsupported_sender') $$, 'a keyword from a short code is stored but records nothing');

-- START: the recipient's own opt-out is lifted; staff's stays --------------------------------------
select results_eq($$ select action, effect from pg_temp.inbound('start-1', '+61412990001', 'START') $$,
  $$ values ('opt_in', 'opted_in') $$, 'START lifts the opt-out the recipient made');
select is((select count(*)::integer from public.sms_opt_outs where workspace_id = 'ws_demo' and phone = '+61412990001'), 0,
  'the opt-out is gone');
select results_eq($$ select action, source, reason, message_sid from public.sms_opt_out_events where phone = '+61412990001' order by id desc limit 1 $$,
  $$ values ('removed', 'start_keyword', 'replied START', pg_temp.sid('start-1')) $$, 'the history records the removal and why');
select lives_ok($$ select private.create_job('ws_demo', '+61412990001', 'after start') $$,
  'after START the number may be messaged again');
select is((select status::text from public.scheduled_sms_jobs where body = 'pending one'), 'cancelled',
  'jobs cancelled by the opt-out stay cancelled');
select results_eq($$ select effect from pg_temp.inbound('start-2', '+61412990001', 'yes') $$,
  $$ values ('not_opted_out') $$, 'YES without an opt-out changes nothing');
select private.record_opt_out('ws_demo', '+61412990004', 'twilio_21610');
select results_eq($$ select effect from pg_temp.inbound('start-3', '+61412990004', 'unstop') $$,
  $$ values ('opted_in') $$, 'UNSTOP lifts an opt-out Twilio reported (21610: the recipient had replied STOP)');
select pg_temp.act_as('member@demo.test');
insert into public.sms_opt_outs (workspace_id, phone) values ('ws_demo', '+61412990005');
select pg_temp.act_as_postgres();
select results_eq($$ select effect from pg_temp.inbound('start-4', '+61412990005', 'Start') $$,
  $$ values ('kept_staff_opt_out') $$, 'START does not lift an opt-out staff recorded');
select is((select count(*)::integer from public.sms_opt_outs where phone = '+61412990005'), 1, 'the staff opt-out stays');
select results_eq($$ select action, source, actor from public.sms_opt_out_events where phone = '+61412990005' $$,
  $$ values ('added', 'manual', '00000000-0000-4000-8000-000000000004'::uuid) $$,
  'a member''s direct insert is in the history, attributed to the member');

-- Adding and removing through the service's functions (as the API calls them, with the caller's
-- claims): reasons and rights ---------------------------------------------------------------------
select set_config('request.jwt.claims', '{"sub":"00000000-0000-4000-8000-000000000001","role":"authenticated"}', true);
select results_eq($$ select created, cancelled_jobs from private.add_opt_out('ws_demo', '+61412990002', 'api', '  asked by phone  ') $$,
  $$ values (false, 0) $$, 'adding an existing opt-out changes nothing');
select throws_ok($$ select private.add_opt_out('ws_demo', '0412990006', 'api') $$, 'SMS01', null, 'an opt-out needs an E.164 number');
select throws_ok($$ select private.add_opt_out('ws_demo', '+61412990006', 'api', repeat('x', 501)) $$, 'SMS14', null,
  'a reason has at most 500 characters');
select throws_ok($$ select private.remove_opt_out('ws_demo', '+61412990005', 'api', '   ') $$, 'SMS14', null,
  'a removal needs a reason');
select throws_ok($$ select private.remove_opt_out('ws_demo', '+61412999999', 'api', 'typo') $$, 'SMS50', null,
  'removing an opt-out that does not exist is opt_out_not_found');
select set_config('request.jwt.claims', '{"sub":"00000000-0000-4000-8000-000000000002","role":"authenticated"}', true);
select throws_ok($$ select private.add_opt_out('ws_demo', '+61412990006', 'api') $$, 'SMS15', null,
  'a viewer may not add an opt-out through the API''s function');
select set_config('request.jwt.claims', '{"sub":"00000000-0000-4000-8000-000000000004","role":"authenticated"}', true);
select throws_ok($$ select private.remove_opt_out('ws_demo', '+61412990005', 'api', 'they asked') $$, 'SMS51', null,
  'a member may not remove an opt-out (opt_out_removal_forbidden)');
select set_config('request.jwt.claims', '{"sub":"00000000-0000-4000-8000-000000000001","role":"authenticated"}', true);
select results_eq($$ select phone, source from private.remove_opt_out('ws_demo', '+61412990005', 'api', ' they asked again ') $$,
  $$ values ('+61412990005', 'manual') $$, 'an owner removes it, and gets the opt-out as it was');
select results_eq($$ select action, source, reason, actor from public.sms_opt_out_events where phone = '+61412990005' order by id desc limit 1 $$,
  $$ values ('removed', 'api', 'they asked again', '00000000-0000-4000-8000-000000000001'::uuid) $$,
  'the removal is in the history: the owner, the source and the trimmed reason');
select pg_temp.act_as_postgres();

-- RLS: members read their workspace's inbound messages and history; nobody writes -----------------
select pg_temp.act_as('viewer@demo.test');
select ok((select count(*) from public.inbound_messages) > 0 and not exists (select 1 from public.inbound_messages where workspace_id <> 'ws_demo'),
  'a viewer reads ws_demo''s inbound messages and no other workspace''s');
select ok((select count(*) from public.sms_opt_out_events) > 0 and not exists (select 1 from public.sms_opt_out_events where workspace_id <> 'ws_demo'),
  'a viewer reads ws_demo''s opt-out history and no other workspace''s');
select pg_temp.act_as('owner@other.test');
select is_empty($$ select 1 from public.inbound_messages where workspace_id = 'ws_demo' $$, 'another workspace''s owner reads none of its inbound messages');
select is_empty($$ select 1 from public.sms_opt_out_events where workspace_id = 'ws_demo' $$, 'nor its opt-out history');
select pg_temp.act_as('owner@demo.test');
select throws_ok($$ insert into public.inbound_messages (workspace_id, message_sid, account_sid, from_phone, to_number, action)
  values ('ws_demo', 'SM' || md5('forged'), 'AC' || repeat('de', 16), '+61412990009', '+15005550006', 'opt_out') $$,
  '42501', null, 'an owner cannot insert an inbound message');
select throws_ok($$ insert into public.sms_opt_out_events (workspace_id, phone, action, source) values ('ws_demo', '+61412990009', 'removed', 'api') $$,
  '42501', null, 'an owner cannot write opt-out history');
select throws_ok($$ select * from private.record_inbound_message('ws_demo', 'SM' || md5('x'), 'AC' || repeat('de', 16), '+61412990009',
  '+15005550006', null, 'STOP', 0) $$, '42501', null, 'clients cannot call the inbound function');
select throws_ok($$ select * from private.inbound_route('+15005550006', null) $$, '42501', null,
  'clients cannot look up a number''s auth token');

-- History is append-only, even for the table owner -----------------------------------------------
select pg_temp.act_as_postgres();
select throws_ok($$ update public.sms_opt_out_events set reason = 'rewritten' $$, 'SMS25', null, 'history cannot be changed');
select throws_ok($$ delete from public.sms_opt_out_events $$, 'SMS25', null, 'history cannot be deleted');

-- The webhook's route: the number it was sent to, else its Messaging Service ----------------------
select results_eq($$ select workspace_id, auth_token from private.inbound_route('+15017122661', null) $$,
  $$ values ('ws_other', 'other_simulator_auth_token_002') $$, 'To names the workspace and its auth token');
select is_empty($$ select 1 from private.inbound_route('+15005550999', null) $$, 'a number no workspace has is unknown');

select * from finish();
rollback;
