-- Regions per workspace (20261130001200_regions.sql): the settings start at the defaults (null);
-- owners change them, members and other workspaces cannot, viewers read them; unknown regions and
-- edges, a region other than us1 without an edge and malformed Trigger.dev regions are refused with
-- invalid_region (naming the column); the batch trigger item carries options.region only for a
-- workspace that has one; the read function is the service's.
begin;
select plan(26);

\ir helpers/acting_as.sql

-- Defaults and the lists -------------------------------------------------------------------------
select is((select array[twilio_region, twilio_edge, trigger_region] from public.workspace_settings where workspace_id = 'ws_demo'),
  array[null, null, null]::text[], 'a workspace starts with no region, edge or Trigger.dev region (the defaults)');
select is(private.twilio_regions(), array['us1', 'ie1', 'au1'], 'Twilio''s processing regions: us1, ie1, au1');
select ok('sydney' = any (private.twilio_edges()) and 'dublin' = any (private.twilio_edges())
  and not ('au1' = any (private.twilio_edges())), 'edges are location names (sydney, dublin), not legacy region ids');
select is((select error.http_status from private.error_codes error where error.code = 'invalid_region'), 400,
  'invalid_region is catalogued as a 400');

-- Who may change them -----------------------------------------------------------------------------
select pg_temp.act_as('member@demo.test');
select is(pg_temp.rows_affected($$ update public.workspace_settings set twilio_region = 'au1', twilio_edge = 'sydney'
  where workspace_id = 'ws_demo' $$), 0, 'a member cannot change the regions (RLS: no row)');
select pg_temp.act_as('owner@other.test');
select is(pg_temp.rows_affected($$ update public.workspace_settings set twilio_region = 'au1', twilio_edge = 'sydney'
  where workspace_id = 'ws_demo' $$), 0, 'nor can another workspace''s owner');
select pg_temp.act_as('owner@demo.test');
select is(pg_temp.rows_affected($$ update public.workspace_settings set twilio_region = 'au1', twilio_edge = 'sydney',
  trigger_region = 'eu-central-1' where workspace_id = 'ws_demo' $$), 1, 'an owner sets au1 through sydney and a Trigger.dev region');
select pg_temp.act_as('viewer@demo.test');
select is((select twilio_region || ' ' || twilio_edge || ' ' || trigger_region from public.workspace_settings where workspace_id = 'ws_demo'),
  'au1 sydney eu-central-1', 'a viewer reads them');
select throws_ok($$ select * from private.workspace_regions('ws_demo') $$, '42501', null,
  'the read function is the service''s (the API checks the caller first)');

-- What is refused ---------------------------------------------------------------------------------
select pg_temp.act_as('owner@demo.test');
select throws_ok($$ update public.workspace_settings set twilio_region = 'eu1' where workspace_id = 'ws_demo' $$,
  'SMS45', null, 'a region Twilio does not have is refused (invalid_region)');
select throws_ok($$ update public.workspace_settings set twilio_region = 'AU1' where workspace_id = 'ws_demo' $$,
  'SMS45', null, 'region ids are lowercase');
select throws_ok($$ update public.workspace_settings set twilio_edge = 'melbourne' where workspace_id = 'ws_demo' $$,
  'SMS45', null, 'an edge Twilio does not have is refused');
select throws_ok($$ update public.workspace_settings set twilio_edge = 'sydney-ix' where workspace_id = 'ws_demo' $$,
  'SMS45', null, 'Interconnect (private) edges are not offered');
select throws_ok($$ update public.workspace_settings set twilio_edge = null where workspace_id = 'ws_demo' $$,
  'SMS45', 'twilio region ''au1'' needs an edge (for example sydney): Twilio no longer accepts api.au1.twilio.com',
  'au1 without an edge is refused: Twilio no longer answers on api.au1.twilio.com');
select throws_ok($$ update public.workspace_settings set twilio_region = 'ie1', twilio_edge = null where workspace_id = 'ws_demo' $$,
  'SMS45', null, 'nor ie1 without an edge');
select throws_ok($$ update public.workspace_settings set trigger_region = 'EU Central' where workspace_id = 'ws_demo' $$,
  'SMS45', null, 'a Trigger.dev region with capitals or spaces is refused');
select throws_ok($$ update public.workspace_settings set trigger_region = '-eu' where workspace_id = 'ws_demo' $$,
  'SMS45', null, 'a Trigger.dev region starts with a letter or digit');
select throws_ok($$ update public.workspace_settings set trigger_region = repeat('a', 65) where workspace_id = 'ws_demo' $$,
  'SMS45', null, 'a Trigger.dev region has at most 64 characters');
select lives_ok($$ update public.workspace_settings set trigger_region = repeat('a', 64) where workspace_id = 'ws_demo' $$,
  '64 characters are accepted');
select pg_temp.act_as_postgres();
select is((select twilio_region || ' ' || twilio_edge from public.workspace_settings where workspace_id = 'ws_demo'),
  'au1 sydney', 'nothing refused changed anything');
-- The DETAIL names the column at fault (the API turns it into the request field).
create function pg_temp.detail_of(p_sql text) returns text
language plpgsql as $$
declare
  v_detail text;
begin
  execute p_sql;
  return null;
exception when sqlstate 'SMS45' then
  get stacked diagnostics v_detail = pg_exception_detail;
  return v_detail;
end $$;
select is(array[pg_temp.detail_of($$ update public.workspace_settings set twilio_region = 'xx1' where workspace_id = 'ws_demo' $$),
                pg_temp.detail_of($$ update public.workspace_settings set twilio_edge = null where workspace_id = 'ws_demo' $$),
                pg_temp.detail_of($$ update public.workspace_settings set trigger_region = 'A' where workspace_id = 'ws_demo' $$)],
  array['twilio_region', 'twilio_edge', 'trigger_region'], 'each refusal names its column in DETAIL');

-- Allowed shapes: us1 alone, an edge alone, back to the defaults -----------------------------------
select lives_ok($$ update public.workspace_settings set twilio_region = 'us1', twilio_edge = null where workspace_id = 'ws_demo' $$,
  'us1 needs no edge (api.us1.twilio.com answers)');
select lives_ok($$ update public.workspace_settings set twilio_region = null, twilio_edge = 'tokyo' where workspace_id = 'ws_demo' $$,
  'an edge alone is accepted (the SDK makes it api.tokyo.us1.twilio.com)');

-- The batch trigger item ----------------------------------------------------------------------------
update public.workspace_settings set trigger_region = 'eu-central-1' where workspace_id = 'ws_demo';
select is(private.trigger_batch_item('job_region_test', 'ws_demo', 1, 1, now() - interval '1 second') -> 'options' ->> 'region',
  'eu-central-1', 'a workspace''s item carries its Trigger.dev region as options.region');
select ok(not (private.trigger_batch_item('job_region_test', 'ws_other', 1, 1, now() - interval '1 second') -> 'options' ? 'region'),
  'a workspace without one leaves options.region out (the project''s default region)');
update public.workspace_settings set trigger_region = null where workspace_id = 'ws_demo';
select ok(not (private.trigger_batch_item('job_region_test', 'ws_demo', 1, 1, now() - interval '1 second') -> 'options' ? 'region'),
  'null restores the default: no options.region');

select * from finish();
rollback;
