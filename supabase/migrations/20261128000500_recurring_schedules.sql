-- Recurring schedules: a message sent on a cron expression in an IANA timezone, and each
-- schedule's append-only event log. Occurrences become scheduled_sms_jobs rows through the sweep
-- (20261128001100_recurring_materialise.sql); pause, resume and cancel are in
-- 20261128001200_recurring_lifecycle.sql.

create type public.recurring_schedule_status as enum ('active', 'paused', 'ended', 'cancelled');
comment on type public.recurring_schedule_status is
  'active (materialised by the sweep) <-> paused; active|paused -> cancelled; active -> ended (end_at, max_occurrences, no more occurrences).';

create table public.recurring_sms_schedules (
  id text primary key default private.new_id('sched'),
  workspace_id text not null references public.workspaces (id) on delete cascade,
  to_phone text not null,
  from_number text not null,
  body text not null,
  media_urls text[] not null default '{}',
  metadata jsonb not null default '{}',
  cron_expression text not null,
  timezone text not null,
  start_at timestamptz not null default now(),
  end_at timestamptz,
  max_occurrences integer,
  occurrences_count integer not null default 0 check (occurrences_count >= 0),
  next_run_at timestamptz,
  last_run_at timestamptz,
  status public.recurring_schedule_status not null default 'active',
  ended_reason text,
  missed_count integer not null default 0 check (missed_count >= 0),
  skipped_count integer not null default 0 check (skipped_count >= 0),
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.recurring_sms_schedules is
  'A message sent on a cron schedule in an IANA timezone; occurrences become scheduled_sms_jobs rows.';
-- A workspace's schedules by start time, newest first: GET jobs?kind=recurring|all lists them in
-- this order with keyset pagination (merged with the jobs' own index).
create index recurring_sms_schedules_workspace_start_idx
  on public.recurring_sms_schedules (workspace_id, start_at desc, id desc);
create index recurring_sms_schedules_created_by_idx on public.recurring_sms_schedules (created_by);
create index recurring_sms_schedules_due_idx on public.recurring_sms_schedules (next_run_at)
  where status = 'active';

comment on column public.recurring_sms_schedules.occurrences_count is
  'Occurrences materialised as scheduled_sms_jobs rows (what max_occurrences limits).';
comment on column public.recurring_sms_schedules.next_run_at is
  'The next occurrence not yet materialised; null once the schedule ended or was cancelled.';
comment on column public.recurring_sms_schedules.last_run_at is 'The latest occurrence materialised (or skipped).';
comment on column public.recurring_sms_schedules.missed_count is
  'Occurrences not sent because the sweep reached them more than missed_tolerance_seconds late (downtime).';
comment on column public.recurring_sms_schedules.skipped_count is
  'Occurrences whose job could not be created (recipient opted out, sender no longer allowed, ...).';
comment on column public.recurring_sms_schedules.ended_reason is 'end_at, max_occurrences or no_more_occurrences once status is ended.';

-- Append-only log of a schedule's life: materialised, missed and skipped occurrences, pause, resume,
-- cancel, end. This is where a user sees what did not happen and why.
create table public.recurring_sms_schedule_events (
  id bigint generated always as identity primary key,
  schedule_id text not null references public.recurring_sms_schedules (id) on delete cascade,
  workspace_id text not null references public.workspaces (id) on delete cascade,
  event_type text not null check (event_type in ('created', 'occurrence_materialised',
    'occurrences_missed', 'occurrence_skipped', 'paused', 'resumed', 'cancelled', 'ended',
    'materialise_failed')),
  occurrence_at timestamptz,
  job_id text,
  error_code text,
  error_message text,
  details jsonb not null default '{}',
  actor uuid,
  created_at timestamptz not null default clock_timestamp()
);
comment on table public.recurring_sms_schedule_events is
  'Append-only log of each recurring schedule: occurrences materialised, missed (downtime) or skipped (opted-out recipient, refused job), pauses, resumes, cancellation and end.';
create index recurring_sms_schedule_events_schedule_idx on public.recurring_sms_schedule_events (schedule_id, id);
create index recurring_sms_schedule_events_workspace_idx on public.recurring_sms_schedule_events (workspace_id, created_at desc);
create function private.forbid_schedule_event_changes()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  -- Deletes cascading from a deleted schedule or workspace run inside the FK trigger (depth > 1).
  if tg_op = 'DELETE' and pg_catalog.pg_trigger_depth() > 1 then
    return old;
  end if;
  perform private.raise_error('append_only', 'recurring_sms_schedule_events is append-only');
  return null;
end;
$$;
create trigger recurring_sms_schedule_events_append_only before update or delete
  on public.recurring_sms_schedule_events
  for each row execute function private.forbid_schedule_event_changes();

create trigger recurring_sms_schedules_touch before update on public.recurring_sms_schedules
  for each row execute function private.touch_updated_at();

-- Validates a new schedule like a job (same message rules), checks its expression, timezone and
-- window, and sets its first run. Runs as the owner (reads settings); private.validate_message
-- first checks that a client caller is a member of the workspace.
create function private.prepare_new_schedule()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.status <> 'active' or new.occurrences_count <> 0 or new.next_run_at is not null
     or new.last_run_at is not null or new.missed_count <> 0 or new.skipped_count <> 0
     or new.ended_reason is not null then
    perform private.raise_error('internal_column_set',
      'status, occurrence counts, run times and the end reason of a schedule are set by the service');
  end if;
  new.from_number := private.validate_message(new.workspace_id, new.to_phone, new.from_number,
    new.body, new.media_urls, new.metadata);
  if new.timezone is null then
    select s.timezone into new.timezone from public.workspace_settings s
    where s.workspace_id = new.workspace_id;
  end if;
  perform private.validate_cron_and_timezone(new.cron_expression, new.timezone);
  -- The same horizon as a single message; an infinite or far-off start has no first run to find.
  if new.start_at is null or not pg_catalog.isfinite(new.start_at)
     or new.start_at > pg_catalog.now() + pg_catalog.make_interval(secs => private.limit_value('schedule_max_ahead_seconds')) then
    perform private.raise_error('invalid_schedule', pg_catalog.format('start_at must be at most %s days ahead',
      private.limit_value('schedule_max_ahead_seconds') / 86400));
  end if;
  if new.end_at is not null and new.end_at <= new.start_at then
    perform private.raise_error('invalid_schedule', 'end_at must be after start_at');
  end if;
  if new.max_occurrences is not null and new.max_occurrences < 1 then
    perform private.raise_error('invalid_schedule', 'max_occurrences must be at least 1');
  end if;
  -- The first run is the first occurrence at or after start_at, and never in the past (no
  -- back-fill). An expression that matches no date at all is refused (invalid_cron), as is a
  -- window without any occurrence (invalid_schedule).
  new.next_run_at := private.cron_next(new.cron_expression, new.timezone,
    greatest(new.start_at, pg_catalog.now()) - interval '1 microsecond');
  if new.next_run_at is null then
    perform private.raise_error('invalid_cron', pg_catalog.format(
      'cron expression %L matches no date within %s years', pg_catalog.left(new.cron_expression, 100),
      private.limit_value('cron_search_years')));
  end if;
  if new.end_at is not null and new.next_run_at >= new.end_at then
    perform private.raise_error('invalid_schedule', pg_catalog.format(
      'the schedule has no occurrence before end_at %s (the first is %s)', new.end_at, new.next_run_at));
  end if;
  return new;
end;
$$;
create trigger recurring_sms_schedules_prepare before insert on public.recurring_sms_schedules
  for each row execute function private.prepare_new_schedule();

-- Changing a schedule's expression or timezone (service role or owner; clients cannot update)
-- is validated like an insert and moves the next run to the new expression's next occurrence
-- after the last one materialised (or now), so nothing already sent is repeated.
create function private.schedule_changed()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.validate_cron_and_timezone(new.cron_expression, new.timezone);
  if new.status in ('active', 'paused') then
    new.next_run_at := private.cron_next(new.cron_expression, new.timezone,
      greatest(pg_catalog.now(), new.last_run_at, new.start_at - interval '1 microsecond'));
  end if;
  return new;
end;
$$;
create trigger recurring_sms_schedules_schedule_changed before update of cron_expression, timezone
  on public.recurring_sms_schedules
  for each row when (new.cron_expression is distinct from old.cron_expression
                     or new.timezone is distinct from old.timezone)
  execute function private.schedule_changed();

create function private.log_schedules_created()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.recurring_sms_schedule_events (schedule_id, workspace_id, event_type, details, actor)
  select n.id, n.workspace_id, 'created',
         pg_catalog.jsonb_build_object('cron_expression', n.cron_expression, 'timezone', n.timezone,
           'next_run_at', n.next_run_at),
         auth.uid()
  from new_schedules n;
  return null;
end;
$$;
create trigger recurring_sms_schedules_log_created after insert on public.recurring_sms_schedules
  referencing new table as new_schedules
  for each statement execute function private.log_schedules_created();

alter table public.recurring_sms_schedules enable row level security;
alter table public.recurring_sms_schedule_events enable row level security;
revoke all on public.recurring_sms_schedules, public.recurring_sms_schedule_events from anon, authenticated;
grant select on public.recurring_sms_schedules, public.recurring_sms_schedule_events to authenticated;
-- Clients may name only the message's and the schedule's own columns; everything else is the service's.
grant insert (workspace_id, to_phone, from_number, body, media_urls, metadata, cron_expression,
  timezone, start_at, end_at, max_occurrences)
  on public.recurring_sms_schedules to authenticated;
grant all on public.recurring_sms_schedules to service_role;
grant select, insert on public.recurring_sms_schedule_events to service_role;

create policy "members read their workspace's schedules" on public.recurring_sms_schedules
  for select to authenticated
  using (workspace_id in (select private.current_user_workspace_ids()));
create policy "writers insert schedules into their workspace" on public.recurring_sms_schedules
  for insert to authenticated
  with check (workspace_id in (select private.current_user_workspace_ids(private.writer_roles())));
create policy "members read their workspace's schedule events" on public.recurring_sms_schedule_events
  for select to authenticated
  using (workspace_id in (select private.current_user_workspace_ids()));
