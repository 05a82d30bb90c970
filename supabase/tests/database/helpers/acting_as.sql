-- Shared session helpers for the pgTAP files, included with `\ir helpers/acting_as.sql` inside
-- each test's transaction (after begin;). Not a test itself: dev/run-tests.ts runs only the
-- top-level *.sql files of supabase/tests/database. The functions live in pg_temp so they exist
-- only for this session, never touch the schema under test, and vanish when the test's
-- transaction is rolled back; the grant lets the client roles the tests switch to call them.

-- Callers, set up exactly as PostgREST does for a request: the role for the transaction, then the
-- JWT claims (auth.uid(), auth.role()) for the transaction. act_as_postgres() is the table owner,
-- which is how the API and the delivery workers reach the private functions.
create function pg_temp.act_as(p_email text) returns void
language plpgsql as $$
declare
  v_id uuid;
begin
  reset role;
  select u.id into strict v_id from auth.users u where u.email = p_email;
  set local role authenticated;
  perform set_config('request.jwt.claims', json_build_object('sub', v_id, 'role', 'authenticated')::text, true);
end $$;
create function pg_temp.act_as_anon() returns void
language plpgsql as $$
begin
  reset role;
  set local role anon;
  perform set_config('request.jwt.claims', '{"role":"anon"}', true);
end $$;
create function pg_temp.act_as_service() returns void
language plpgsql as $$
begin
  reset role;
  set local role service_role;
  perform set_config('request.jwt.claims', '{"role":"service_role"}', true);
end $$;
create function pg_temp.act_as_postgres() returns void
language plpgsql as $$
begin
  reset role;
  perform set_config('request.jwt.claims', '', true);
end $$;
-- Rows changed by a statement run with the current role's rights (RLS applies).
create function pg_temp.rows_affected(p_sql text) returns integer
language plpgsql as $$
declare
  v_count integer;
begin
  execute p_sql;
  get diagnostics v_count = row_count;
  return v_count;
end $$;
grant execute on function pg_temp.act_as(text), pg_temp.act_as_anon(), pg_temp.act_as_service(),
  pg_temp.act_as_postgres(), pg_temp.rows_affected(text) to public;
