-- Structural security rules that must hold for every object, including ones added later: the
-- queries read the catalogue, so a new table, view or function is covered without editing this file.
begin;
select plan(24);

-- Row level security on every table the Data API exposes.
select ok(
  (select count(*) from pg_class c
   where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')) >= 8,
  'public holds the client-facing tables (the RLS check below is not vacuous)'
);
select is_empty(
  $$ select c.relname::text from pg_class c
     where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
       and not c.relrowsecurity $$,
  'every table in public has row level security enabled'
);
select set_eq(
  $$ select a.attname::text from pg_attribute a
     where a.attrelid = 'public.workspace_settings'::regclass and a.attnum > 0 and not a.attisdropped
       and has_column_privilege('authenticated', a.attrelid, a.attnum, 'UPDATE') $$,
  array['timezone', 'default_sender', 'max_retries', 'retry_base_seconds', 'retry_max_seconds', 'retry_policy',
        'daily_message_cap', 'quiet_hours_enabled', 'quiet_hours_start', 'quiet_hours_end',
        'twilio_region', 'twilio_edge', 'trigger_region'],
  'authenticated may update only the settings columns of workspace_settings (RLS narrows it to owners and admins)'
);
select is_empty(
  $$ select tablename::text || ': ' || policyname from pg_policies
     where schemaname = 'public' and roles && array['anon', 'public']::name[] $$,
  'no policy in public applies to anon or PUBLIC'
);

-- anon: nothing at all.
select is_empty(
  $$ select c.relname::text from pg_class c
     where c.relnamespace in ('public'::regnamespace, 'private'::regnamespace)
       and c.relkind in ('r', 'p', 'v', 'm', 'f')
       and has_table_privilege('anon', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER') $$,
  'anon holds no privilege on any table or view of public or private'
);
select is_empty(
  $$ select c.relname::text from pg_class c
     where c.relnamespace in ('public'::regnamespace, 'private'::regnamespace) and c.relkind = 'S'
       and case when c.relkind = 'S' then has_sequence_privilege('anon', c.oid, 'USAGE, SELECT, UPDATE') end $$,
  'anon holds no privilege on any sequence of public or private'
);
select is_empty(
  $$ select p.oid::regprocedure::text from pg_proc p
     where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace)
       and has_function_privilege('anon', p.oid, 'EXECUTE') $$,
  'anon may execute no function of public or private'
);
select ok(not has_schema_privilege('anon', 'private', 'USAGE'), 'anon has no usage on schema private');

-- private: no table privileges for the client roles, no way to create objects there.
select is_empty(
  $$ select c.relname::text from pg_class c
     where c.relnamespace = 'private'::regnamespace and c.relkind in ('r', 'p', 'v', 'm', 'f')
       and has_table_privilege('authenticated', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER') $$,
  'authenticated holds no privilege on any table of private'
);
select is_empty(
  $$ select c.relname::text from pg_class c
     where c.relnamespace = 'private'::regnamespace and c.relkind = 'S'
       and case when c.relkind = 'S' then has_sequence_privilege('authenticated', c.oid, 'USAGE, SELECT, UPDATE') end $$,
  'authenticated holds no privilege on any sequence of private'
);
select ok(
  not has_schema_privilege('authenticated', 'private', 'CREATE')
    and not has_schema_privilege('anon', 'private', 'CREATE')
    and not has_schema_privilege('service_role', 'private', 'CREATE'),
  'no API role may create objects in private'
);
select is_empty(
  $$ select c.relname::text from pg_class c
     where c.relnamespace = 'private'::regnamespace and c.relkind in ('r', 'p')
       and (has_table_privilege('public', c.oid, 'SELECT') or has_table_privilege('public', c.oid, 'INSERT')) $$,
  'PUBLIC holds no privilege on any table of private'
);

-- The functions that move jobs or run the sweep belong to the service, not to signed-in users.
select is_empty(
  $$ select f from unnest(array['create_job', 'claim_due_jobs', 'claim_job', 'complete_job', 'retry_job',
       'fail_job', 'cancel_job', 'renew_leases', 'expire_stale_leases', 'run_sweep', 'setting', 'lock_job',
       'expire_pending_jobs', 'manual_retry_job', 'manual_retry_batch', 'resolve_retry_policy']) f
     where not exists (select 1 from pg_proc p where p.pronamespace = 'private'::regnamespace and p.proname = f) $$,
  'the transition, sweep and settings functions exist in private (the check below is not vacuous)'
);
select is_empty(
  $$ select p.oid::regprocedure::text from pg_proc p
     where p.pronamespace = 'private'::regnamespace
       and p.proname = any (array['create_job', 'claim_due_jobs', 'claim_job', 'complete_job', 'retry_job',
         'fail_job', 'cancel_job', 'renew_leases', 'expire_stale_leases', 'run_sweep', 'setting', 'lock_job',
         'expire_pending_jobs', 'manual_retry_job', 'manual_retry_batch', 'resolve_retry_policy'])
       and (has_function_privilege('authenticated', p.oid, 'EXECUTE')
            or has_function_privilege('public', p.oid, 'EXECUTE')) $$,
  'authenticated (and PUBLIC) may not execute the transition, sweep or settings functions'
);
select is_empty(
  $$ select p.oid::regprocedure::text from pg_proc p
     where p.pronamespace = 'private'::regnamespace
       and has_function_privilege('public', p.oid, 'EXECUTE') $$,
  'no function in private is executable by PUBLIC'
);

-- Security definer functions pin an empty search_path (no object can be shadowed).
select is_empty(
  $$ select p.oid::regprocedure::text from pg_proc p
     where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace) and p.prosecdef
       and not coalesce(p.proconfig @> array['search_path=""'], false) $$,
  'every security definer function in public and private sets search_path to empty'
);

-- Nothing in the exposed schema runs with the owner's rights on a client's behalf (Supabase's
-- database linter, lints 0028/0029): client RPCs are SECURITY INVOKER and call private functions.
select ok(
  exists (select 1 from pg_proc p where p.pronamespace = 'public'::regnamespace
          and has_function_privilege('authenticated', p.oid, 'EXECUTE')),
  'public holds client RPCs (the check below is not vacuous)'
);
select is_empty(
  $$ select p.oid::regprocedure::text from pg_proc p
     where p.pronamespace = 'public'::regnamespace and p.prosecdef
       and (has_function_privilege('authenticated', p.oid, 'EXECUTE')
            or has_function_privilege('anon', p.oid, 'EXECUTE')) $$,
  'no SECURITY DEFINER function in public is executable by anon or authenticated'
);

-- Every foreign key has an index whose leading columns are the key's (deletes and joins on the
-- referenced side never scan; Supabase's lint 0001). Partial indexes count, as the linter counts them.
select is_empty(
  $$ select c.conrelid::regclass::text || ' ' || c.conname from pg_constraint c
     where c.contype = 'f'
       and c.connamespace in ('public'::regnamespace, 'private'::regnamespace)
       and not exists (
         select 1 from pg_index i
         where i.indrelid = c.conrelid
           and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey
           and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] <@ c.conkey) $$,
  'every foreign key of public and private has a covering index'
);

-- Views for Supabase Studio apply the caller's RLS.
select ok(
  (select count(*) from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind = 'v') >= 2,
  'public holds the monitoring views (the security_invoker check below is not vacuous)'
);
select is_empty(
  $$ select c.relname::text from pg_class c
     where c.relnamespace = 'public'::regnamespace and c.relkind in ('v', 'm')
       and not coalesce(c.reloptions && array['security_invoker=true', 'security_invoker=on', 'security_invoker=1'], false) $$,
  'every view in public is security_invoker'
);

-- Client roles may name only the message's own columns on insert, and update nothing on jobs.
select set_eq(
  $$ select a.attname::text from pg_attribute a
     where a.attrelid = 'public.scheduled_sms_jobs'::regclass and a.attnum > 0 and not a.attisdropped
       and has_column_privilege('authenticated', a.attrelid, a.attnum, 'INSERT') $$,
  array['workspace_id', 'to_phone', 'from_number', 'body', 'media_urls', 'metadata', 'scheduled_time',
        'retry_policy', 'expires_at', 'category'],
  'authenticated may insert exactly the documented columns of scheduled_sms_jobs'
);
select is_empty(
  $$ select c.relname::text || ' ' || priv from pg_class c,
       unnest(array['UPDATE', 'DELETE', 'TRUNCATE']) priv
     where c.oid = any (array['public.scheduled_sms_jobs'::regclass, 'public.sms_job_events'::regclass,
       'public.recurring_sms_schedules'::regclass, 'public.sms_opt_outs'::regclass,
       'public.workspaces'::regclass, 'public.workspace_members'::regclass, 'public.workspace_senders'::regclass])
       and (has_table_privilege('authenticated', c.oid, priv)
            or exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attnum > 0
                       and priv = 'UPDATE' and has_column_privilege('authenticated', c.oid, a.attnum, 'UPDATE')
                       -- A sender's rate (issue 14) and country (issue 15): owners and admins, by RLS; the
                       -- column set is checked below.
                       and not (c.oid = 'public.workspace_senders'::regclass and a.attname in ('messages_per_second', 'country')))) $$,
  'authenticated may not update, delete or truncate jobs, events, schedules, opt-outs, workspaces, members or senders (but a sender''s rate and country)'
);
select set_eq(
  $$ select a.attname::text from pg_attribute a
     where a.attrelid = 'public.workspace_senders'::regclass and a.attnum > 0 and not a.attisdropped
       and has_column_privilege('authenticated', a.attrelid, a.attnum, 'UPDATE') $$,
  array['messages_per_second', 'country'],
  'authenticated may update only a sender''s rate and country (RLS narrows it to owners and admins)'
);

select * from finish();
rollback;
