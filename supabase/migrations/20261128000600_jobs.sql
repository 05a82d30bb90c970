-- Jobs: one row per message to send, and the append-only log of everything that happens to it.
-- Rows arrive through the API (private.create_job, as the table owner) or as direct inserts by
-- client apps under RLS; both pass the same BEFORE INSERT trigger, so one rulebook applies.
-- Status changes happen only in the functions of the state machine (20261128000700 onwards).

create type public.sms_job_status as enum
  ('scheduled', 'queued', 'processing', 'retrying', 'completed', 'failed', 'cancelled');
comment on type public.sms_job_status is
  'queued (due now) / scheduled (future) -> processing (claimed) -> completed (Twilio accepted) | retrying -> ... | failed; queued|scheduled|retrying -> cancelled. Pending (waiting to be sent: may be claimed or cancelled): queued, scheduled, retrying (scheduled_sms_jobs.is_pending). Terminal: completed, failed, cancelled.';

create table public.scheduled_sms_jobs (
  id text primary key default private.new_id('job'),
  workspace_id text not null references public.workspaces (id) on delete cascade,
  to_phone text not null,
  from_number text not null,
  body text not null,
  media_urls text[] not null default '{}',
  metadata jsonb not null default '{}',
  scheduled_time timestamptz not null default now(),
  status public.sms_job_status not null,
  -- The one definition of "pending": waiting to be sent, so it may be claimed or cancelled. The
  -- due-time index and every query for pending work use it (graphile-worker's is_available).
  is_pending boolean not null generated always as (status in ('queued', 'scheduled', 'retrying')) stored,
  status_reason text,
  attempts integer not null default 0 check (attempts >= 0),
  max_attempts integer not null check (max_attempts between 1 and private.limit_value('max_retries_cap') + 1),
  next_attempt_at timestamptz not null,
  last_error_code text,
  last_error_message text,
  twilio_sid text,
  message_status text check (message_status ~ '^[a-z_]{1,32}$'),
  lease_owner text,
  lease_expires_at timestamptz,
  recurring_schedule_id text references public.recurring_sms_schedules (id) on delete set null,
  occurrence_at timestamptz,
  -- Who created the job (an auth.users id), kept as history like sms_job_events.actor: no foreign
  -- key, so an insert makes no lookup per row and deleting a user never rewrites their jobs.
  created_by uuid default auth.uid(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  completed_at timestamptz,
  -- 'trigger' dispatch mode (20261128001000_trigger_dispatch.sql): which attempt went to Trigger.dev.
  dispatched_at timestamptz,
  dispatch_count integer not null default 0 check (dispatch_count >= 0),
  check (attempts <= max_attempts),
  check ((lease_owner is null) = (lease_expires_at is null)),
  check ((status = 'processing') = (lease_owner is not null))
);
comment on table public.scheduled_sms_jobs is
  'One row per message to send. scheduled_time is what was asked for; next_attempt_at is when the next attempt is due.';
comment on column public.scheduled_sms_jobs.status_reason is 'Why the job is in its status (cancelled_by_user, retries_exhausted, lease_expired, ...).';
comment on column public.scheduled_sms_jobs.message_status is 'Twilio''s delivery status (queued, sent, delivered, undelivered, failed, ...).';
comment on column public.scheduled_sms_jobs.dispatched_at is
  'When the pending attempt was last sent to Trigger.dev (''trigger'' mode); null: not yet. Cleared when a retry is scheduled.';
comment on column public.scheduled_sms_jobs.dispatch_count is
  'How many times the job was sent to Trigger.dev, over all attempts (part of each run''s idempotency key).';

-- Unique where set: most rows have no Twilio sid yet and no schedule, and a partial index costs
-- them nothing on insert.
create unique index scheduled_sms_jobs_twilio_sid_key on public.scheduled_sms_jobs (twilio_sid)
  where twilio_sid is not null;
-- One job per occurrence of a schedule (materialisation inserts ON CONFLICT DO NOTHING on it); read
-- backwards it also finds a schedule's latest occurrence.
create unique index scheduled_sms_jobs_occurrence_key on public.scheduled_sms_jobs (recurring_schedule_id, occurrence_at)
  where recurring_schedule_id is not null;
-- The claim query's index: only rows still waiting to be sent, ordered by due time.
create index scheduled_sms_jobs_due_idx on public.scheduled_sms_jobs (next_attempt_at)
  where is_pending;
-- A workspace's jobs newest scheduled first: the API's listing and its cursor.
create index scheduled_sms_jobs_workspace_idx on public.scheduled_sms_jobs (workspace_id, scheduled_time desc, id desc);
create index scheduled_sms_jobs_workspace_status_idx on public.scheduled_sms_jobs (workspace_id, status);
create index scheduled_sms_jobs_lease_idx on public.scheduled_sms_jobs (lease_expires_at)
  where status = 'processing';

create table public.sms_job_events (
  id bigint generated always as identity primary key,
  job_id text not null references public.scheduled_sms_jobs (id) on delete cascade,
  -- The job's workspace, copied for RLS; no foreign key of its own (the job's already cascades),
  -- which saves a lookup per event on the hot path.
  workspace_id text not null,
  event_type text not null check (event_type ~ '^[a-z_]{1,64}$'),
  from_status public.sms_job_status,
  to_status public.sms_job_status,
  attempt integer,
  error_code text,
  error_message text,
  details jsonb not null default '{}',
  actor uuid,
  created_at timestamptz not null default clock_timestamp()
);
comment on table public.sms_job_events is
  'Append-only log of every transition and error of every job: the detailed error log.';
create index sms_job_events_job_idx on public.sms_job_events (job_id, id);
create index sms_job_events_workspace_idx on public.sms_job_events (workspace_id, created_at desc);

create trigger scheduled_sms_jobs_touch before update on public.scheduled_sms_jobs
  for each row execute function private.touch_updated_at();

-- Validation triggers read settings as the owner; private.validate_message first checks that a
-- client caller is a member of the workspace, so a refusal reveals nothing about other workspaces.
create function private.prepare_new_job()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_max_retries integer;
begin
  -- Columns the service manages. Client roles cannot even name them (column grants); this
  -- catches the service role and the table owner too.
  if new.status is not null or new.attempts <> 0 or new.twilio_sid is not null
     or new.message_status is not null or new.lease_owner is not null
     or new.lease_expires_at is not null or new.last_error_code is not null
     or new.last_error_message is not null or new.completed_at is not null
     or new.status_reason is not null or new.dispatched_at is not null or new.dispatch_count <> 0 then
    perform private.raise_error('internal_column_set',
      'status, attempts, Twilio ids, errors, leases and dispatch state are set by the service, not on insert');
  end if;
  new.from_number := private.validate_message(new.workspace_id, new.to_phone, new.from_number,
    new.body, new.media_urls, new.metadata);
  new.scheduled_time := coalesce(new.scheduled_time, pg_catalog.now());
  perform private.validate_send_time(new.scheduled_time);
  new.next_attempt_at := new.scheduled_time;
  new.status := case when new.scheduled_time <= pg_catalog.now() then 'queued' else 'scheduled' end;
  if new.max_attempts is null then
    select s.max_retries + 1 into v_max_retries
    from public.workspace_settings s where s.workspace_id = new.workspace_id;
    new.max_attempts := coalesce(v_max_retries, private.limit_value('default_max_retries') + 1);
  end if;
  return new;
end;
$$;
create trigger scheduled_sms_jobs_prepare before insert on public.scheduled_sms_jobs
  for each row execute function private.prepare_new_job();

-- Event log: one 'created' event per inserted job, written per statement so bulk inserts stay cheap.
create function private.log_jobs_created()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.sms_job_events (job_id, workspace_id, event_type, to_status, details, actor)
  select n.id, n.workspace_id, 'created', n.status,
         pg_catalog.jsonb_build_object('scheduled_time', n.scheduled_time, 'max_attempts', n.max_attempts),
         auth.uid()
  from new_jobs n;
  return null;
end;
$$;
create trigger scheduled_sms_jobs_log_created after insert on public.scheduled_sms_jobs
  referencing new table as new_jobs
  for each statement execute function private.log_jobs_created();

create function private.forbid_event_changes()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  -- Deletes cascading from a deleted job or workspace run inside the FK trigger (depth > 1).
  if tg_op = 'DELETE' and pg_catalog.pg_trigger_depth() > 1 then
    return old;
  end if;
  perform private.raise_error('append_only', 'sms_job_events is append-only');
  return null;
end;
$$;
create trigger sms_job_events_append_only before update or delete on public.sms_job_events
  for each row execute function private.forbid_event_changes();

-- Row level security and grants.
alter table public.scheduled_sms_jobs enable row level security;
alter table public.sms_job_events enable row level security;
revoke all on public.scheduled_sms_jobs, public.sms_job_events from anon, authenticated;
grant select on public.scheduled_sms_jobs, public.sms_job_events to authenticated;
-- Clients may name only the message's own columns; everything else is the service's.
grant insert (workspace_id, to_phone, from_number, body, media_urls, metadata, scheduled_time)
  on public.scheduled_sms_jobs to authenticated;
grant all on public.scheduled_sms_jobs to service_role;
grant select, insert on public.sms_job_events to service_role;

create policy "members read their workspace's jobs" on public.scheduled_sms_jobs
  for select to authenticated
  using (workspace_id in (select private.current_user_workspace_ids()));
create policy "writers insert jobs into their workspace" on public.scheduled_sms_jobs
  for insert to authenticated
  with check (workspace_id in (select private.current_user_workspace_ids(private.writer_roles())));
create policy "members read their workspace's events" on public.sms_job_events
  for select to authenticated
  using (workspace_id in (select private.current_user_workspace_ids()));
