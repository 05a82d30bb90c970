-- Message templates (20261130000200..0220): RLS both ways, the shape rules the database enforces,
-- versioning, archiving, and what a job keeps of its template, its segments and Twilio's count.
begin;
select plan(24);

\ir helpers/acting_as.sql

-- RLS: members read their workspace's templates, writers create and change them, viewers only read.
select pg_temp.act_as('member@demo.test');
select lives_ok($$ insert into public.message_templates (workspace_id, name, body, variables)
  values ('ws_demo', 'Reminder', 'Hi {{ first_name }}', '[{"name": "first_name", "required": true, "default": null}]') $$,
  'a member creates a template in its workspace');
select is((select version || ' ' || archived from public.message_templates where name = 'Reminder'), '1 false',
  'a new template is version 1 and not archived');
select throws_ok($$ insert into public.message_templates (workspace_id, name, body) values ('ws_other', 'Theirs', 'Hello') $$,
  '42501', null, 'a member cannot create a template in another workspace');
select pg_temp.act_as('viewer@demo.test');
select results_eq($$ select name from public.message_templates $$, array['Reminder'], 'a viewer reads its workspace''s templates');
select is(pg_temp.rows_affected($$ update public.message_templates set body = 'Changed' $$), 0,
  'a viewer changes nothing');
select throws_ok($$ insert into public.message_templates (workspace_id, name, body) values ('ws_demo', 'Mine', 'Hello') $$,
  '42501', null, 'a viewer cannot create templates');
select pg_temp.act_as('owner@other.test');
select is_empty($$ select 1 from public.message_templates where workspace_id = 'ws_demo' $$,
  'another workspace''s owner sees none of them');
select pg_temp.act_as_anon();
select throws_ok($$ select * from public.message_templates $$, '42501', null, 'anon reads nothing');

-- Versions: any change of name, body or variables is a new version; id and workspace are fixed.
select pg_temp.act_as('member@demo.test');
update public.message_templates set body = 'Hi {{ first_name }}!' where name = 'Reminder';
select is((select version from public.message_templates where name = 'Reminder'), 2, 'changing the body makes version 2');
update public.message_templates set archived = false where name = 'Reminder';
select is((select version from public.message_templates where name = 'Reminder'), 2, 'an update that changes nothing keeps the version');
select throws_ok($$ update public.message_templates set version = 9 where name = 'Reminder' $$, '42501', null,
  'clients cannot set the version');
select pg_temp.act_as_postgres();
select throws_ok($$ update public.message_templates set workspace_id = 'ws_other' where name = 'Reminder' $$,
  'SMS24', null, 'a template cannot move to another workspace');

-- Shape: what the database checks on every write, whoever writes.
select throws_ok($$ insert into public.message_templates (workspace_id, name, body, variables)
  values ('ws_demo', 'Bad', 'Hi', '[{"name": "__proto__", "required": false, "default": null}]') $$,
  '23514', null, 'a variable name must start with a letter');
select throws_ok($$ insert into public.message_templates (workspace_id, name, body, variables)
  values ('ws_demo', 'Bad', 'Hi', '[{"name": "a", "required": true, "default": null}, {"name": "a", "required": false, "default": null}]') $$,
  '23514', null, 'variable names are unique');
select throws_ok($$ insert into public.message_templates (workspace_id, name, body, variables)
  values ('ws_demo', 'Bad', 'Hi', '[{"name": "a", "required": "yes", "default": null}]') $$,
  '23514', null, 'required is a boolean');
select throws_ok($$ insert into public.message_templates (workspace_id, name, body) values ('ws_demo', 'Bad', repeat('x', 1601)) $$,
  '23514', null, 'a body is at most 1600 characters');
select throws_ok($$ insert into public.message_templates (workspace_id, name, body) values ('ws_demo', 'reminder', 'Hello') $$,
  '23505', null, 'names are unique in a workspace among templates in use, whatever their case');

-- Archiving frees the name and freezes the template.
update public.message_templates set archived = true where name = 'Reminder';
select lives_ok($$ insert into public.message_templates (workspace_id, name, body) values ('ws_demo', 'Reminder', 'Hello again') $$,
  'an archived template''s name is free again');
select throws_ok($$ update public.message_templates set body = 'Zombie' where name = 'Reminder' and archived $$,
  'SMS21', null, 'an archived template cannot change');

-- A job keeps its template and counts; Twilio's count comes with the completion or a callback.
select pg_temp.act_as_postgres();
create temporary table made as
  select * from private.create_job(p_workspace_id => 'ws_demo', p_to_phone => '+61412345678', p_body => 'Hi Ann!',
    p_template_id => (select id from public.message_templates where name = 'Reminder' and archived),
    p_template_version => 2, p_template_variables => '{"first_name": "Ann"}', p_encoding => 'GSM-7', p_segments => 1);
select is((select template_version || ' ' || (template_variables ->> 'first_name') || ' ' || encoding || ' ' || segments from made),
  '2 Ann GSM-7 1', 'a job keeps the template version, the values rendered, the encoding and the segments');
select throws_ok($$ select private.create_job(p_workspace_id => 'ws_other', p_to_phone => '+61412345678', p_body => 'x',
    p_template_id => (select id from public.message_templates where name = 'Reminder' and archived),
    p_template_version => 2, p_template_variables => '{}') $$,
  '23503', null, 'a job cannot use another workspace''s template');
select throws_ok($$ update public.scheduled_sms_jobs set template_version = 3 where id = (select id from made) $$,
  'SMS24', null, 'a job''s template is fixed once created');
select private.claim_job((select id from made), 'worker-t');
select private.complete_job((select id from made), 'worker-t', 'SM' || md5('made'), 'queued', 2);
select is((select twilio_segments from public.scheduled_sms_jobs where id = (select id from made)), 2,
  'the completion records the segments Twilio counted');
select private.record_message_status((select id from made), 'SM' || md5('made'), 'delivered', null, null, 3);
select is((select twilio_segments || ' ' || message_status from public.scheduled_sms_jobs where id = (select id from made)),
  '3 delivered', 'a callback that carries Twilio''s count updates it');

select * from finish();
rollback;
