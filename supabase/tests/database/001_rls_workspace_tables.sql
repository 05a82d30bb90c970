-- RLS both ways for the workspace tables and the private tables: who reads, who writes, who gets
-- permission denied. Seeded users: owner@demo.test (owner of ws_demo), member@demo.test (member),
-- viewer@demo.test (viewer), owner@other.test (owner of ws_other).
begin;
select plan(61);

\ir helpers/acting_as.sql

-- An admin of ws_demo, to show admins manage settings like owners.
insert into auth.users (id, email) values ('00000000-0000-4000-8000-0000000000ad', 'admin@demo.test');
insert into public.workspace_members (workspace_id, user_id, role)
values ('ws_demo', '00000000-0000-4000-8000-0000000000ad', 'admin');

-- workspaces ---------------------------------------------------------------------------------------
select pg_temp.act_as('owner@demo.test');
select results_eq($$ select id from public.workspaces order by id $$, array['ws_demo'],
  'owner@demo.test sees only ws_demo');
select throws_ok($$ insert into public.workspaces (id, name) values ('ws_new', 'New') $$,
  '42501', 'permission denied for table workspaces', 'a member cannot create workspaces');
select throws_ok($$ update public.workspaces set name = 'Renamed' where id = 'ws_demo' $$,
  '42501', 'permission denied for table workspaces', 'an owner cannot rename a workspace through the table');
select throws_ok($$ delete from public.workspaces where id = 'ws_demo' $$,
  '42501', 'permission denied for table workspaces', 'an owner cannot delete a workspace through the table');

-- Workspace ids are the adopting app's own: a uuid, or 1-64 characters of [A-Za-z0-9_-].
select pg_temp.act_as_service();
select lives_ok($$ insert into public.workspaces (id, name) values
  ('3f0b7d0e-6b53-4f3c-9d64-2a8f7c1e5b90', 'Uuid Co'), ('workspace-uuid', 'Spec Example'), ('ws_123', 'Readable') $$,
  'workspace ids may be uuids, the spec''s workspace-uuid or readable ids such as ws_123');
select throws_ok($$ insert into public.workspaces (id, name) values ('ws demo!', 'Bad') $$, '23514', null,
  'a workspace id with other characters is refused');
select throws_ok($$ insert into public.workspaces (id, name) values (repeat('a', 65), 'Long') $$, '23514', null,
  'a workspace id over 64 characters is refused');
delete from public.workspaces where id in ('3f0b7d0e-6b53-4f3c-9d64-2a8f7c1e5b90', 'workspace-uuid', 'ws_123');

select pg_temp.act_as('viewer@demo.test');
select results_eq($$ select id from public.workspaces order by id $$, array['ws_demo'],
  'viewer@demo.test sees only ws_demo');
select pg_temp.act_as('member@demo.test');
select results_eq($$ select id from public.workspaces order by id $$, array['ws_demo'],
  'member@demo.test sees only ws_demo');
select pg_temp.act_as('owner@other.test');
select results_eq($$ select id from public.workspaces order by id $$, array['ws_other'],
  'owner@other.test sees only ws_other');

select pg_temp.act_as_anon();
select throws_ok($$ select * from public.workspaces $$, '42501', 'permission denied for table workspaces',
  'anon cannot read workspaces');
select pg_temp.act_as_service();
select results_eq($$ select id from public.workspaces order by id $$, array['ws_demo', 'ws_other'],
  'service_role sees every workspace');

-- workspace_members --------------------------------------------------------------------------------
select pg_temp.act_as('viewer@demo.test');
select results_eq(
  $$ select user_id::text || ' ' || role from public.workspace_members order by user_id $$,
  array['00000000-0000-4000-8000-000000000001 owner', '00000000-0000-4000-8000-000000000002 viewer',
        '00000000-0000-4000-8000-000000000004 member', '00000000-0000-4000-8000-0000000000ad admin'],
  'a viewer sees every member of ws_demo with their role, and no one else');
select pg_temp.act_as('owner@other.test');
select results_eq($$ select workspace_id || ' ' || user_id::text from public.workspace_members $$,
  array['ws_other 00000000-0000-4000-8000-000000000003'],
  'owner@other.test sees only its own membership of ws_other');
select throws_ok(
  $$ insert into public.workspace_members (workspace_id, user_id, role)
     values ('ws_demo', '00000000-0000-4000-8000-000000000003', 'owner') $$,
  '42501', 'permission denied for table workspace_members', 'owner@other.test cannot join ws_demo');
select pg_temp.act_as('owner@demo.test');
select throws_ok(
  $$ update public.workspace_members set role = 'owner' where user_id = '00000000-0000-4000-8000-000000000002' $$,
  '42501', 'permission denied for table workspace_members', 'roles are not changed through the table, even by the owner');
select pg_temp.act_as_anon();
select throws_ok($$ select * from public.workspace_members $$, '42501',
  'permission denied for table workspace_members', 'anon cannot read members');
select pg_temp.act_as_service();
select is((select count(*)::integer from public.workspace_members), 5, 'service_role sees every membership');

-- workspace_senders --------------------------------------------------------------------------------
select pg_temp.act_as('viewer@demo.test');
select results_eq($$ select sender || ' ' || workspace_id from public.workspace_senders $$,
  array['+15005550006 ws_demo'], 'a ws_demo viewer sees only ws_demo''s sender');
select pg_temp.act_as('owner@other.test');
select results_eq($$ select sender || ' ' || workspace_id from public.workspace_senders $$,
  array['+15017122661 ws_other'], 'owner@other.test sees only ws_other''s sender');
select pg_temp.act_as('owner@demo.test');
select throws_ok($$ insert into public.workspace_senders (sender, workspace_id) values ('+15005550007', 'ws_demo') $$,
  '42501', 'permission denied for table workspace_senders', 'senders are provisioned by the service, not by owners');
select throws_ok($$ update public.workspace_senders set workspace_id = 'ws_demo' where sender = '+15017122661' $$,
  '42501', 'permission denied for table workspace_senders', 'an owner cannot take over another workspace''s sender');
select pg_temp.act_as_anon();
select throws_ok($$ select * from public.workspace_senders $$, '42501',
  'permission denied for table workspace_senders', 'anon cannot read senders');
select pg_temp.act_as_service();
select results_eq($$ select sender from public.workspace_senders order by sender $$,
  array['+15005550006', '+15017122661'], 'service_role sees every sender');

-- workspace_settings -------------------------------------------------------------------------------
select pg_temp.act_as('viewer@demo.test');
select results_eq(
  $$ select workspace_id || ' ' || timezone || ' ' || default_sender || ' ' || max_retries
     from public.workspace_settings $$,
  array['ws_demo Australia/Brisbane +15005550006 3'], 'a viewer reads ws_demo''s settings only');
select is(pg_temp.rows_affected($$ update public.workspace_settings set timezone = 'UTC' where workspace_id = 'ws_demo' $$),
  0, 'a viewer''s settings update changes no row');
select pg_temp.act_as('member@demo.test');
select is(pg_temp.rows_affected($$ update public.workspace_settings set max_retries = 0 where workspace_id = 'ws_demo' $$),
  0, 'a member''s settings update changes no row');
select pg_temp.act_as('owner@other.test');
select is_empty($$ select * from public.workspace_settings where workspace_id = 'ws_demo' $$,
  'owner@other.test cannot read ws_demo''s settings');
select is(pg_temp.rows_affected($$ update public.workspace_settings set timezone = 'UTC' where workspace_id = 'ws_demo' $$),
  0, 'owner@other.test cannot update ws_demo''s settings');
select pg_temp.act_as_postgres();
select results_eq(
  $$ select timezone || ' ' || max_retries from public.workspace_settings where workspace_id = 'ws_demo' $$,
  array['Australia/Brisbane 3'], 'ws_demo''s settings are unchanged after the refused updates');

select pg_temp.act_as('owner@demo.test');
select is(pg_temp.rows_affected($$ update public.workspace_settings set timezone = 'Europe/Paris', max_retries = 5
                                    where workspace_id = 'ws_demo' $$),
  1, 'the owner updates ws_demo''s settings');
select pg_temp.act_as('admin@demo.test');
select is(pg_temp.rows_affected($$ update public.workspace_settings set retry_base_seconds = 10 where workspace_id = 'ws_demo' $$),
  1, 'an admin updates ws_demo''s settings');
select pg_temp.act_as_postgres();
select results_eq(
  $$ select timezone || ' ' || max_retries || ' ' || retry_base_seconds
     from public.workspace_settings where workspace_id = 'ws_demo' $$,
  array['Europe/Paris 5 10'], 'the owner''s and the admin''s changes are stored');
select pg_temp.act_as('owner@demo.test');
select throws_ok($$ update public.workspace_settings set timezone = 'Mars/Olympus' where workspace_id = 'ws_demo' $$,
  'SMS11', null, 'an unknown timezone is refused with invalid_timezone');
select throws_ok($$ update public.workspace_settings set default_sender = '+15017122661' where workspace_id = 'ws_demo' $$,
  '23503', null, 'the default sender must be one of the workspace''s own senders');
select throws_ok($$ update public.workspace_settings set workspace_id = 'ws_other' where workspace_id = 'ws_demo' $$,
  '42501', 'permission denied for table workspace_settings', 'a settings row cannot be moved to another workspace');
select throws_ok($$ update public.workspace_settings set max_retries = 11 where workspace_id = 'ws_demo' $$,
  '23514', null, 'max_retries above the cap (10) is refused');
select pg_temp.act_as('owner@other.test');
select is(pg_temp.rows_affected($$ update public.workspace_settings set timezone = 'UTC' where workspace_id = 'ws_other' $$),
  1, 'owner@other.test updates its own workspace''s settings');
select pg_temp.act_as_anon();
select throws_ok($$ select * from public.workspace_settings $$, '42501',
  'permission denied for table workspace_settings', 'anon cannot read settings');
select throws_ok($$ update public.workspace_settings set timezone = 'UTC' $$, '42501',
  'permission denied for table workspace_settings', 'anon cannot update settings');
select pg_temp.act_as_service();
select results_eq($$ select workspace_id from public.workspace_settings order by workspace_id $$,
  array['ws_demo', 'ws_other'], 'service_role sees every workspace''s settings');
select is(pg_temp.rows_affected($$ update public.workspace_settings set max_retries = 2 $$),
  2, 'service_role updates any workspace''s settings');

-- Twilio credentials (auth tokens in Vault) and private.settings ---------------------------------
select pg_temp.act_as_postgres();
select ok((select relrowsecurity from pg_class where oid = 'private.twilio_accounts'::regclass),
  'twilio_accounts has RLS enabled as a second line of defence');
select is((select count(*)::integer from private.twilio_credentials), 2,
  'both seeded workspaces have Twilio credentials (so the refusals below hide real rows)');
select is_empty(
  $$ select a.attname from pg_attribute a where a.attrelid = 'private.twilio_accounts'::regclass
     and a.attnum > 0 and not a.attisdropped and a.attname ilike '%token%' and a.attname <> 'auth_token_secret_id' $$,
  'no table column holds an auth token: twilio_accounts keeps only the Vault secret''s id');
select is((select auth_token from private.twilio_credentials where workspace_id = 'ws_demo'),
  'demo_simulator_auth_token_0001', 'the service reads the decrypted auth token from Vault');
select private.set_twilio_credentials('ws_demo', 'AC' || repeat('de', 16), 'demo_rotated_token_00000001');
select is((select auth_token from private.twilio_credentials where workspace_id = 'ws_demo'),
  'demo_rotated_token_00000001', 'set_twilio_credentials replaces the token in place (rotation)');
select is((select count(*)::integer from vault.secrets where name = 'twilio_auth_token:ws_demo'), 1,
  'a workspace has one Vault secret, however often its token is rotated');
insert into public.workspaces (id, name) values ('ws_gone', 'Short-lived');
select private.set_twilio_credentials('ws_gone', 'AC' || repeat('9a', 16), 'short_lived_token_000001');
delete from public.workspaces where id = 'ws_gone';
select is((select count(*)::integer from vault.secrets where name = 'twilio_auth_token:ws_gone'), 0,
  'deleting a workspace deletes its auth token from Vault');
select throws_ok($$ select private.set_twilio_credentials('ws_demo', 'AC' || repeat('de', 16), 'short') $$,
  'SMS14', 'a Twilio auth token has 16 to 128 characters', 'a malformed auth token is refused');
select pg_temp.act_as('owner@demo.test');
select throws_ok($$ select auth_token from private.twilio_credentials where workspace_id = 'ws_demo' $$,
  '42501', 'permission denied for view twilio_credentials', 'an owner cannot read even its own Twilio auth token');
select throws_ok($$ update private.twilio_accounts set account_sid = 'AC' || repeat('ab', 16) $$,
  '42501', 'permission denied for table twilio_accounts', 'an owner cannot change Twilio credentials');
select throws_ok($$ select private.set_twilio_credentials('ws_demo', 'AC' || repeat('ab', 16), 'another_token_01234') $$,
  '42501', 'permission denied for function set_twilio_credentials', 'an owner cannot set Twilio credentials');
select throws_ok($$ select private.secret('twilio_auth_token:ws_demo') $$,
  '42501', 'permission denied for function secret', 'an owner cannot read secrets through private.secret()');
select throws_ok($$ select * from vault.decrypted_secrets $$,
  '42501', 'permission denied for schema vault', 'an owner cannot reach Vault');
select throws_ok($$ select * from private.settings $$, '42501', 'permission denied for table settings',
  'authenticated cannot read private.settings');
select throws_ok($$ update private.settings set value = 'trigger' where key = 'dispatch_mode' $$, '42501',
  'permission denied for table settings', 'authenticated cannot change private.settings');
select throws_ok($$ select private.setting('dispatch_mode') $$, '42501',
  'permission denied for function setting', 'authenticated cannot read settings through private.setting()');
select throws_ok($$ select * from private.error_codes $$, '42501', 'permission denied for table error_codes',
  'authenticated cannot read private tables such as the error catalogue');
select pg_temp.act_as_anon();
select throws_ok($$ select * from private.twilio_credentials $$, '42501', 'permission denied for schema private',
  'anon cannot reach private.twilio_credentials');
select throws_ok($$ select * from private.settings $$, '42501', 'permission denied for schema private',
  'anon cannot reach private.settings');

select * from finish();
rollback;
