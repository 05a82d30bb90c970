-- API rate limits (20261130000900): the buckets are the API's alone, GCRA lets a burst through
-- then refuses until the rate refills it, bulk charges both budgets or neither, a non-member's
-- requests share one bucket whatever workspace they name, a workspace's overrides are checked
-- against their bounds and take effect, and pg_cron removes idle buckets.
begin;
select plan(32);

\ir helpers/acting_as.sql

-- A fixed clock (far from now(), so no other test's bucket interferes): t(ms) is t0 + ms.
create function pg_temp.t(p_ms integer) returns timestamptz
language sql as $$ select timestamptz '2031-01-01 00:00:00+00' + make_interval(secs => p_ms / 1000.0) $$;
-- n write requests of the demo owner at one instant: how many were allowed.
create function pg_temp.writes_allowed(p_user uuid, p_workspace text, p_n integer, p_ms integer) returns integer
language sql as $$
  select count(*) filter (where r.allowed)::integer
  from generate_series(1, p_n) i
  -- i in the arguments: a call without one would be made once and its row reused.
  cross join lateral private.take_api_request(p_user, p_workspace, 'write', 0, pg_temp.t(p_ms + 0 * i)) r
$$;

-- No client role may read or change the buckets or charge requests.
select pg_temp.act_as('owner@demo.test');
select throws_ok($$ select * from private.api_rate_buckets $$, '42501', null, 'a workspace owner cannot read the buckets');
select throws_ok($$ delete from private.api_rate_buckets $$, '42501', null, 'a workspace owner cannot empty the buckets');
select throws_ok($$ select * from private.take_api_request(null, 'ws_demo', 'write') $$, '42501', null,
  'a workspace owner cannot charge requests');
select throws_ok($$ update public.workspace_settings set api_limits = '{"writeBurst": 100000}' where workspace_id = 'ws_demo' $$,
  '42501', null, 'a client cannot raise its limits directly (only through the API, owners only)');
select pg_temp.act_as_anon();
select throws_ok($$ select * from private.api_rate_buckets $$, '42501', null, 'anon cannot read the buckets');
select throws_ok($$ insert into private.api_rate_buckets values ('ws_demo', 'x', 'write', now()) $$, '42501', null,
  'anon cannot write the buckets');
select pg_temp.act_as_postgres();

select is((select relpersistence::text from pg_class where oid = 'private.api_rate_buckets'::regclass), 'u',
  'the buckets are unlogged (no WAL per request)');

-- GCRA with the defaults: a burst of 40 writes, then refusals until the rate (20/s) refills.
select is((select row(allowed, retry_after_seconds, class_quota, class_window, class_remaining, class_reset)::text
           from private.take_api_request('00000000-0000-4000-8000-000000000001', 'ws_demo', 'write', 0, pg_temp.t(0))),
  '(t,,40,2,39,1)', 'the first write is allowed: quota 40 over a 2 s window, 39 left, full again within 1 s');
select is(pg_temp.writes_allowed('00000000-0000-4000-8000-000000000001', 'ws_demo', 45, 0), 39,
  'the rest of the burst of 40 is allowed at once, then refused');
select is((select row(allowed, retry_after_seconds, class_remaining, class_reset)::text
           from private.take_api_request('00000000-0000-4000-8000-000000000001', 'ws_demo', 'write', 0, pg_temp.t(0))),
  '(f,1,0,2)', 'a refused write: retry after 1 s (rounded up from 50 ms), nothing left, full in 2 s');
select is(pg_temp.writes_allowed('00000000-0000-4000-8000-000000000001', 'ws_demo', 5, 120), 2,
  '120 ms later two writes fit (one per 50 ms)');
select is(pg_temp.writes_allowed('00000000-0000-4000-8000-000000000001', 'ws_demo', 50, 2200), 40,
  'after 2 s idle the whole burst is back, not more');
select is((select class_remaining from private.take_api_request('00000000-0000-4000-8000-000000000001', 'ws_demo', 'read', 0, pg_temp.t(0))),
  39, 'reads have their own bucket (40 at once), untouched by the writes');

-- Isolation: another caller, or the same caller in another workspace, has its own buckets.
select is(pg_temp.writes_allowed('00000000-0000-4000-8000-000000000004', 'ws_demo', 40, 0), 40,
  'another member of the workspace has a full bucket of its own');
select is(pg_temp.writes_allowed(null, 'ws_demo', 40, 0), 40, 'the service role has a bucket of its own per workspace');
select is(pg_temp.writes_allowed('00000000-0000-4000-8000-000000000003', 'ws_other', 40, 0), 40,
  'the other workspace''s owner is unaffected');

-- A non-member's requests are charged to one bucket of its own, whatever workspace they name.
select is(pg_temp.writes_allowed('00000000-0000-4000-8000-000000000003', 'ws_demo', 30, 0)
        + pg_temp.writes_allowed('00000000-0000-4000-8000-000000000003', 'ws_invented_1', 30, 0)
        + pg_temp.writes_allowed('00000000-0000-4000-8000-000000000003', 'ws_invented_2', 30, 0), 40,
  'naming foreign or invented workspaces mints no fresh budgets (one burst of 40 in all)');
select is(pg_temp.writes_allowed(null, 'ws_nonexistent', 30, 0) + pg_temp.writes_allowed(null, 'ws_invented', 30, 0), 40,
  'nor for the service role naming workspaces that do not exist');

-- Bulk: the write bucket and the recipients bucket (20,000 at once, 10,000 a minute), both or neither.
select is((select row(allowed, class_remaining, bulk_quota, bulk_window, bulk_remaining, bulk_reset)::text
           from private.take_api_request('00000000-0000-4000-8000-000000000004', 'ws_demo', 'write', 15000, pg_temp.t(5000))),
  '(t,39,20000,120,5000,90)', 'a bulk request of 15,000 recipients spends one write and 15,000 recipients');
select is((select row(allowed, retry_after_seconds, class_remaining, bulk_remaining)::text
           from private.take_api_request('00000000-0000-4000-8000-000000000004', 'ws_demo', 'write', 10000, pg_temp.t(5000))),
  '(f,30,39,5000)', 'the next of 10,000 is refused until 5,000 more refill (30 s), and no write is spent');
select is((select allowed from private.take_api_request('00000000-0000-4000-8000-000000000004', 'ws_demo', 'write', 10000, pg_temp.t(35000))),
  true, '30 s later it passes');

-- Overrides: checked against their bounds, whoever writes them; in force at once.
select pg_temp.act_as_service();
select throws_ok($$ update public.workspace_settings set api_limits = '{"writeBurst": 0}' where workspace_id = 'ws_demo' $$,
  'SMS40', null, 'a burst of 0 is refused');
select throws_ok($$ update public.workspace_settings set api_limits = '{"writeRatePerSecond": 10001}' where workspace_id = 'ws_demo' $$,
  'SMS40', 'writeRatePerSecond must be a whole number from 1 to 10000', 'a rate above api_rate_per_second_max is refused');
select throws_ok($$ update public.workspace_settings set api_limits = '{"readBurst": 2.5}' where workspace_id = 'ws_demo' $$,
  'SMS40', null, 'a fractional value is refused');
select throws_ok($$ update public.workspace_settings set api_limits = '{"writesPerHour": 5}' where workspace_id = 'ws_demo' $$,
  'SMS40', null, 'an unknown limit is refused');
select throws_ok($$ update public.workspace_settings set api_limits = '[]' where workspace_id = 'ws_demo' $$,
  'SMS40', null, 'a non-object is refused');
select lives_ok($$ update public.workspace_settings set api_limits = '{"writeBurst": 5, "writeRatePerSecond": 1}' where workspace_id = 'ws_demo' $$,
  'the service role sets a workspace''s limits within bounds');
select pg_temp.act_as_postgres();
select is(private.resolve_api_limits('ws_demo') ->> 'writeBurst', '5', 'the override is in force');
select is(private.resolve_api_limits('ws_demo') ->> 'readBurst', '40', 'a limit not overridden keeps its default');
select is(pg_temp.writes_allowed('00000000-0000-4000-8000-000000000001', 'ws_demo', 10, 60000), 5,
  'the owner''s writes now stop after a burst of 5');

-- The cleanup removes idle buckets only; pg_cron runs it.
select is(private.delete_idle_api_rate_buckets(pg_temp.t(0) + interval '1 hour 30 seconds'), 5,
  'the buckets idle for an hour go (those charged at the clock''s start), the later ones stay');
select is((select schedule || ' ' || command from cron.job where jobname = 'sms-api-rate-buckets'),
  '*/10 * * * * select private.delete_idle_api_rate_buckets()', 'pg_cron removes idle buckets every ten minutes');

select * from finish();
rollback;
