-- Message templates: named bodies with Liquid merge fields ({{ first_name | default: 'there' }}),
-- declared variables, a version that increases on every change, and an archived flag. Templates
-- are rendered by the API when a message is created (supabase/functions/_shared/message-templates.ts:
-- Liquid needs a Liquid engine); a job and a recurring schedule keep the rendered body together
-- with the template id, version and the variables used (20261130000210_message_content.sql).

-- Every limit of the database, now with the templates' (its latest definition).
create or replace function private.limit_value(p_name text)
returns bigint
language sql
immutable
parallel safe
set search_path = ''
as $$
  select case p_name
    -- Messages.
    when 'body_max_chars' then 1600               -- Twilio's maximum for one (concatenated) message
    when 'media_urls_max' then 10                 -- Twilio's maximum per MMS
    when 'media_url_max_chars' then 2048
    when 'metadata_max_bytes' then 8192
    when 'schedule_past_skew_seconds' then 60     -- client clock skew allowed for "now"
    when 'schedule_max_ahead_seconds' then 31536000   -- 365 days
    -- Retries and workers.
    when 'default_max_retries' then 3
    when 'max_retries_cap' then 10
    when 'default_lease_seconds' then 60
    when 'max_lease_seconds' then 3600
    when 'claim_batch_max' then 1000
    when 'claim_lookahead_max_ms' then 5000
    when 'sweep_history_hours' then 24
    -- Dispatch to Trigger.dev ('trigger' mode).
    -- Rows due within this many seconds are dispatched (with a delay until their due time).
    -- Longer than the sweep's minute, so every row is in Trigger.dev well before it is due.
    when 'dispatch_horizon_seconds' then 300
    -- A pending row not claimed this long after its due time (and its last dispatch) is dispatched again.
    when 'dispatch_grace_seconds' then 300
    -- Items per request: the most the batch trigger endpoint (POST /api/v2/tasks/batch) accepts.
    when 'dispatch_batch_items' then 500
    -- Requests one INSERT/UPDATE statement may make (10,000 rows); the rest wait for the sweep.
    when 'dispatch_requests_per_statement' then 20
    -- Requests one sweep (one a minute) may make (20,000 rows); the rest wait for the next sweep.
    when 'dispatch_requests_per_sweep' then 40
    -- pg_net timeout of one request.
    when 'dispatch_request_timeout_ms' then 10000
    -- Recurring schedules.
    -- Occurrences due within this many seconds of the sweep become jobs. Three sweeps' worth: an
    -- occurrence is a future 'scheduled' row at least two minutes before its cron time even if a
    -- sweep is late or skipped, and the runner / Trigger.dev sends it at the cron time. Not more
    -- than dispatch_horizon_seconds, so the insert itself dispatches it in 'trigger' mode.
    when 'recurring_lookahead_seconds' then 180
    -- An occurrence more than this late when the sweep reaches it (downtime) is recorded as missed
    -- and not sent; a later one is sent at once.
    when 'recurring_missed_tolerance_seconds' then 300
    -- Jobs one sweep creates per schedule (bounds one schedule's share of a sweep).
    when 'recurring_occurrences_per_sweep' then 10
    -- Schedules one sweep handles; the rest wait for the next sweep (earliest due first).
    when 'recurring_schedules_per_sweep' then 5000
    -- Missed occurrences counted one by one after downtime; beyond it the count says "at least".
    when 'recurring_missed_count_max' then 1000
    -- Run times that creating a schedule and its status report ahead.
    when 'recurring_preview_runs' then 5
    -- How far ahead the cron evaluator searches for a matching date (31 February never comes).
    when 'cron_search_years' then 10
    when 'cron_expression_max_chars' then 200
    -- Statistics (20261130000100_job_statistics.sql): days of per-minute activity kept, a day more
    -- than the overview's 7 so its oldest hour is always whole.
    when 'job_activity_days' then 8
    -- Message templates (20261130000200_message_templates.sql).
    when 'template_name_max_chars' then 100
    when 'template_body_max_chars' then 1600      -- a message body's own limit: the template is at most one message
    when 'template_variables_max' then 20          -- declared merge fields per template
    when 'template_value_max_chars' then 500       -- a variable's value or default
  end
$$;

-- The declared variables of a template: [{"name", "required", "default"}], names unique.
create function private.is_valid_template_variables(p_variables jsonb)
returns boolean
language sql
immutable
parallel safe
set search_path = ''
as $$
  select pg_catalog.jsonb_typeof(p_variables) = 'array'
     and pg_catalog.jsonb_array_length(p_variables) <= private.limit_value('template_variables_max')
     and not exists (
       select 1 from pg_catalog.jsonb_array_elements(p_variables) v
       where pg_catalog.jsonb_typeof(v) <> 'object'
          or exists (select 1 from pg_catalog.jsonb_object_keys(v) k where k not in ('name', 'required', 'default'))
          or coalesce(pg_catalog.jsonb_typeof(v -> 'name'), '') <> 'string'
          or (v ->> 'name') !~ '^[A-Za-z][A-Za-z0-9_]{0,63}$'
          or coalesce(pg_catalog.jsonb_typeof(v -> 'required'), '') <> 'boolean'
          or coalesce(pg_catalog.jsonb_typeof(v -> 'default'), 'null') not in ('string', 'null')
          or pg_catalog.char_length(coalesce(v ->> 'default', '')) > private.limit_value('template_value_max_chars'))
     and (select pg_catalog.count(distinct v ->> 'name') = pg_catalog.count(*)
          from pg_catalog.jsonb_array_elements(p_variables) v)
$$;
grant execute on function private.is_valid_template_variables(jsonb) to authenticated, service_role;

create table public.message_templates (
  id text primary key default private.new_id('tpl'),
  workspace_id text not null references public.workspaces (id) on delete cascade,
  name text not null
    check (pg_catalog.btrim(name) <> '' and pg_catalog.char_length(name) <= private.limit_value('template_name_max_chars')),
  body text not null
    check (pg_catalog.btrim(body) <> '' and pg_catalog.char_length(body) <= private.limit_value('template_body_max_chars')),
  variables jsonb not null default '[]' check (private.is_valid_template_variables(variables)),
  version integer not null default 1 check (version >= 1),
  archived boolean not null default false,
  created_by uuid default auth.uid(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- The target of the jobs' and schedules' (workspace_id, template_id): a message only ever uses a
  -- template of its own workspace.
  unique (workspace_id, id)
);
comment on table public.message_templates is
  'Message bodies with Liquid merge fields. Rendered by the API when a message is created; version increases on every change; archived templates can no longer be used.';
-- A name is taken while its template is in use; an archived template frees it.
create unique index message_templates_name_key on public.message_templates (workspace_id, pg_catalog.lower(name))
  where not archived;

-- Insert: version 1, not archived. Update: id and workspace are fixed, an archived template stays
-- archived, and any change of name, body or variables is a new version.
create function private.version_template()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    new.version := 1;
    new.archived := false;
    return new;
  end if;
  if new.id <> old.id or new.workspace_id <> old.workspace_id or new.created_at <> old.created_at then
    perform private.raise_error('immutable_column', 'a template''s id and workspace are fixed once created');
  end if;
  if old.archived and (not new.archived or new.name <> old.name or new.body <> old.body or new.variables <> old.variables) then
    perform private.raise_error('invalid_transition', pg_catalog.format('template %s is archived', old.id));
  end if;
  new.version := case when new.name <> old.name or new.body <> old.body or new.variables <> old.variables
                      then old.version + 1 else old.version end;
  new.updated_at := pg_catalog.now();
  return new;
end;
$$;
create trigger message_templates_version before insert or update on public.message_templates
  for each row execute function private.version_template();

alter table public.message_templates enable row level security;
revoke all on public.message_templates from anon, authenticated;
grant select on public.message_templates to authenticated;
grant insert (workspace_id, name, body, variables), update (name, body, variables, archived)
  on public.message_templates to authenticated;
grant all on public.message_templates to service_role;
create policy "members read their workspace's templates" on public.message_templates
  for select to authenticated
  using (workspace_id in (select private.current_user_workspace_ids()));
create policy "writers create templates in their workspace" on public.message_templates
  for insert to authenticated
  with check (workspace_id in (select private.current_user_workspace_ids(private.writer_roles())));
create policy "writers change their workspace's templates" on public.message_templates
  for update to authenticated
  using (workspace_id in (select private.current_user_workspace_ids(private.writer_roles())))
  with check (workspace_id in (select private.current_user_workspace_ids(private.writer_roles())));

