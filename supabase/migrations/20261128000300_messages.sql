-- Messages: recurring schedules, scheduled jobs, the append-only event log and opt-outs.
-- Rows arrive through the API (private functions, as the table owner) or as direct inserts by
-- client apps under RLS. Both paths pass the same BEFORE INSERT triggers, so one rulebook applies.

create type public.sms_job_status as enum
  ('scheduled', 'queued', 'processing', 'retrying', 'completed', 'failed', 'cancelled');
comment on type public.sms_job_status is
  'queued (due now) / scheduled (future) -> processing (claimed) -> completed (Twilio accepted) | retrying -> ... | failed; queued|scheduled|retrying -> cancelled.';

create type public.recurring_schedule_status as enum ('active', 'paused', 'ended', 'cancelled');

-- A parsed 5-field cron expression. Bit n of a mask is set when value n matches.
create type private.cron_spec as (
  minutes bigint,   -- bits 0..59
  hours integer,    -- bits 0..23
  days bigint,      -- bits 1..31 (day of month)
  months integer,   -- bits 1..12
  weekdays integer, -- bits 0..6 (0 = Sunday; 7 in the expression is Sunday too)
  day_star boolean, -- day-of-month field is exactly '*'
  weekday_star boolean -- day-of-week field is exactly '*'
);
comment on type private.cron_spec is
  'A parsed cron expression: one bit mask per field. When both day fields are restricted (neither is exactly *), a day matches if EITHER matches (Vixie cron, croner''s default).';

-- The one parser of standard 5-field cron expressions (minute hour day-of-month month
-- day-of-week): per field '*', 'n', 'a-b', each optionally '/step' ('n/step' means n up to the
-- field's maximum, as in Vixie cron), comma-separated lists; JAN-DEC and SUN-SAT names in any
-- case. Null for anything else. Evaluation (private.cron_next) lives with recurring schedules.
create function private.parse_cron(p_expr text)
returns private.cron_spec
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
  v_fields text[];
  v_lo_bound integer[] := array[0, 0, 1, 1, 0];
  v_hi_bound integer[] := array[59, 23, 31, 12, 7];
  v_months text[] := array['JAN','FEB','MAR','APR','MAY','JUN','JUL','AUG','SEP','OCT','NOV','DEC'];
  v_days text[] := array['SUN','MON','TUE','WED','THU','FRI','SAT'];
  v_masks bigint[] := array[0, 0, 0, 0, 0]::bigint[];
  v_field text;
  v_part text;
  v_match text[];
  v_lo integer;
  v_hi integer;
  v_step integer;
  v_spec private.cron_spec;
  i integer;
  k integer;
begin
  if p_expr is null or pg_catalog.char_length(p_expr) > 200 then
    return null;
  end if;
  v_fields := pg_catalog.regexp_split_to_array(pg_catalog.btrim(p_expr), '\s+');
  if pg_catalog.array_length(v_fields, 1) <> 5 then
    return null;
  end if;
  for i in 1..5 loop
    v_field := pg_catalog.upper(v_fields[i]);
    if i = 4 then
      for k in 1..12 loop
        v_field := pg_catalog.replace(v_field, v_months[k], k::text);
      end loop;
    elsif i = 5 then
      for k in 1..7 loop
        v_field := pg_catalog.replace(v_field, v_days[k], (k - 1)::text);
      end loop;
    end if;
    foreach v_part in array pg_catalog.string_to_array(v_field, ',') loop
      v_match := pg_catalog.regexp_match(v_part, '^(\*|([0-9]{1,2})(-([0-9]{1,2}))?)(/([0-9]{1,2}))?$');
      if v_match is null then
        return null;
      end if;
      v_step := coalesce(v_match[6]::integer, 1);
      if v_step < 1 then
        return null;
      end if;
      if v_match[1] = '*' then
        v_lo := v_lo_bound[i];
        v_hi := v_hi_bound[i];
      else
        v_lo := v_match[2]::integer;
        v_hi := coalesce(v_match[4]::integer, v_lo);
        if v_lo < v_lo_bound[i] or v_hi > v_hi_bound[i] or v_lo > v_hi then
          return null;
        end if;
        if v_match[4] is null and v_match[6] is not null then
          v_hi := v_hi_bound[i];
        end if;
      end if;
      k := v_lo;
      while k <= v_hi loop
        v_masks[i] := v_masks[i] | (1::bigint << k);
        k := k + v_step;
      end loop;
    end loop;
  end loop;
  -- Day of week 7 is Sunday.
  if v_masks[5] & (1::bigint << 7) <> 0 then
    v_masks[5] := (v_masks[5] & 127) | 1;
  end if;
  v_spec.minutes := v_masks[1];
  v_spec.hours := v_masks[2]::integer;
  v_spec.days := v_masks[3];
  v_spec.months := v_masks[4]::integer;
  v_spec.weekdays := v_masks[5]::integer;
  v_spec.day_star := v_fields[3] = '*';
  v_spec.weekday_star := v_fields[5] = '*';
  return v_spec;
end;
$$;
comment on function private.parse_cron is 'Parses a 5-field cron expression into bit masks; null when it is not one.';

create function private.is_valid_cron(p_expr text)
returns boolean
language sql
immutable
parallel safe
set search_path = ''
as $$
  select private.parse_cron(p_expr) is not null
$$;
comment on function private.is_valid_cron is 'Whether private.parse_cron accepts the expression.';

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
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.recurring_sms_schedules is
  'A message sent on a cron schedule in an IANA timezone; occurrences become scheduled_sms_jobs rows.';
create index recurring_sms_schedules_workspace_idx on public.recurring_sms_schedules (workspace_id, created_at desc);
create index recurring_sms_schedules_due_idx on public.recurring_sms_schedules (next_run_at)
  where status = 'active';

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
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  completed_at timestamptz,
  -- 'trigger' dispatch mode (20261128000800_trigger_dispatch.sql): which attempt went to Trigger.dev.
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
-- One job per occurrence of a schedule (materialisation inserts ON CONFLICT DO NOTHING on it).
create unique index scheduled_sms_jobs_occurrence_key on public.scheduled_sms_jobs (recurring_schedule_id, occurrence_at)
  where recurring_schedule_id is not null;
-- The claim query's index: only rows still waiting to be sent, ordered by due time.
create index scheduled_sms_jobs_due_idx on public.scheduled_sms_jobs (next_attempt_at)
  where status in ('queued', 'scheduled', 'retrying');
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

create table public.sms_opt_outs (
  workspace_id text not null references public.workspaces (id) on delete cascade,
  phone text not null check (private.is_e164(phone)),
  source text not null default 'manual' check (source in ('manual', 'twilio_21610', 'stop_keyword')),
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  primary key (workspace_id, phone)
);
comment on table public.sms_opt_outs is
  'Recipients who must not be messaged by a workspace. New sends to them are refused (recipient_opted_out).';

create trigger recurring_sms_schedules_touch before update on public.recurring_sms_schedules
  for each row execute function private.touch_updated_at();
create trigger scheduled_sms_jobs_touch before update on public.scheduled_sms_jobs
  for each row execute function private.touch_updated_at();

-- Validation shared by jobs and schedules. Returns the sender to use (the workspace default if none).
create function private.validate_message(
  p_workspace_id text,
  p_to_phone text,
  p_from_number text,
  p_body text,
  p_media_urls text[],
  p_metadata jsonb
) returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_sender text := p_from_number;
  v_url text;
  v_workspace_found boolean := false;
  v_is_member boolean;
  v_default_sender text;
  v_sender_allowed boolean;
  v_opted_out boolean;
begin
  -- Runs as the owner (two lookups per row instead of RLS on several), so it checks membership
  -- itself when the caller acts as a client role (PostgREST's SET ROLE): a non-member gets the same
  -- answer as for a workspace that does not exist, and learns nothing about its senders or opt-outs.
  select true, m.user_id is not null, s.default_sender
  into v_workspace_found, v_is_member, v_default_sender
  from public.workspaces w
  left join public.workspace_settings s on s.workspace_id = w.id
  left join public.workspace_members m on m.workspace_id = w.id and m.user_id = (select auth.uid())
  where w.id = p_workspace_id;
  if not coalesce(v_workspace_found, false)
     or (pg_catalog.current_setting('role') in ('authenticated', 'anon') and not v_is_member) then
    perform private.raise_error('workspace_not_found', pg_catalog.format(
      'workspace %s does not exist or you are not a member', p_workspace_id));
  end if;
  if p_to_phone is null or not private.is_e164(p_to_phone) then
    perform private.raise_error('invalid_phone',
      pg_catalog.format('to_phone %L is not an E.164 number such as +61412345678', p_to_phone));
  end if;
  if p_from_number is not null and not private.is_e164(p_from_number)
     and not private.is_messaging_service_sid(p_from_number) then
    perform private.raise_error('invalid_phone', pg_catalog.format(
      'from_number %L is not an E.164 number or a Messaging Service SID', p_from_number));
  end if;
  if p_body is null or pg_catalog.char_length(p_body) > private.limit_value('body_max_chars')
     or pg_catalog.btrim(p_body, E' \t\r\n') = '' then
    perform private.raise_error('invalid_body', pg_catalog.format(
      'body must have 1 to %s characters and not be blank', private.limit_value('body_max_chars')));
  end if;
  if p_media_urls is not null then
    if coalesce(pg_catalog.array_ndims(p_media_urls), 1) <> 1
       or pg_catalog.cardinality(p_media_urls) > private.limit_value('media_urls_max') then
      perform private.raise_error('invalid_media_urls', pg_catalog.format(
        'media_urls holds at most %s URLs', private.limit_value('media_urls_max')));
    end if;
    foreach v_url in array p_media_urls loop
      if v_url is null or v_url !~ '^https://[^[:space:]/?#]+[^[:space:]]*$'
         or pg_catalog.char_length(v_url) > private.limit_value('media_url_max_chars') then
        perform private.raise_error('invalid_media_urls', pg_catalog.format(
          'media URL %L is not an https URL of at most %s characters',
          pg_catalog.left(v_url, 100), private.limit_value('media_url_max_chars')));
      end if;
    end loop;
  end if;
  if p_metadata is not null and (pg_catalog.jsonb_typeof(p_metadata) <> 'object'
     or pg_catalog.octet_length(p_metadata::text) > private.limit_value('metadata_max_bytes')) then
    perform private.raise_error('invalid_metadata', pg_catalog.format(
      'metadata must be a JSON object of at most %s bytes', private.limit_value('metadata_max_bytes')));
  end if;
  if v_sender is null then
    v_sender := v_default_sender;
    if v_sender is null then
      perform private.raise_error('no_default_sender', pg_catalog.format(
        'no sender given and workspace %s has no default sender', p_workspace_id));
    end if;
  end if;
  select exists (select 1 from public.workspace_senders ws
                 where ws.sender = v_sender and ws.workspace_id = p_workspace_id),
         exists (select 1 from public.sms_opt_outs o
                 where o.workspace_id = p_workspace_id and o.phone = p_to_phone)
  into v_sender_allowed, v_opted_out;
  if not v_sender_allowed then
    perform private.raise_error('sender_not_allowed', pg_catalog.format(
      'sender %L is not one of workspace %s''s senders', v_sender, p_workspace_id));
  end if;
  if v_opted_out then
    perform private.raise_error('recipient_opted_out', pg_catalog.format(
      '%s opted out of messages from workspace %s', p_to_phone, p_workspace_id));
  end if;
  return v_sender;
end;
$$;

create function private.validate_send_time(p_time timestamptz)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_time < pg_catalog.now() - pg_catalog.make_interval(secs => private.limit_value('schedule_past_skew_seconds')) then
    perform private.raise_error('scheduled_time_in_past', pg_catalog.format(
      'scheduled_time %s is in the past (allowance %s s)', p_time, private.limit_value('schedule_past_skew_seconds')));
  end if;
  if p_time > pg_catalog.now() + pg_catalog.make_interval(secs => private.limit_value('schedule_max_ahead_seconds')) then
    perform private.raise_error('scheduled_time_too_far', pg_catalog.format(
      'scheduled_time %s is more than %s days ahead', p_time,
      private.limit_value('schedule_max_ahead_seconds') / 86400));
  end if;
end;
$$;

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

-- A schedule's expression and timezone, checked the same way on insert and on change.
create function private.validate_cron_and_timezone(p_cron_expression text, p_timezone text)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if not private.is_valid_cron(p_cron_expression) then
    perform private.raise_error('invalid_cron', pg_catalog.format(
      'cron expression %L is not a valid 5-field expression (minute hour day month weekday)',
      pg_catalog.left(p_cron_expression, 100)));
  end if;
  if p_timezone is null or not private.is_valid_timezone(p_timezone) then
    perform private.raise_error('invalid_timezone', pg_catalog.format(
      'timezone %L is not an IANA timezone name', p_timezone));
  end if;
end;
$$;

create function private.prepare_new_schedule()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.status <> 'active' or new.occurrences_count <> 0 or new.next_run_at is not null
     or new.last_run_at is not null then
    perform private.raise_error('internal_column_set',
      'status, occurrence counts and run times of a schedule are set by the service');
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
  return new;
end;
$$;
create trigger recurring_sms_schedules_prepare before insert on public.recurring_sms_schedules
  for each row execute function private.prepare_new_schedule();

grant execute on function private.is_valid_cron(text), private.parse_cron(text),
  private.validate_message(text, text, text, text, text[], jsonb),
  private.validate_send_time(timestamptz)
  to authenticated, service_role;

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
alter table public.recurring_sms_schedules enable row level security;
alter table public.scheduled_sms_jobs enable row level security;
alter table public.sms_job_events enable row level security;
alter table public.sms_opt_outs enable row level security;

revoke all on public.recurring_sms_schedules, public.scheduled_sms_jobs, public.sms_job_events,
  public.sms_opt_outs from anon, authenticated;

grant select on public.recurring_sms_schedules, public.scheduled_sms_jobs, public.sms_job_events,
  public.sms_opt_outs to authenticated;
-- Clients may name only the message's own columns; everything else is the service's.
grant insert (workspace_id, to_phone, from_number, body, media_urls, metadata, scheduled_time)
  on public.scheduled_sms_jobs to authenticated;
grant insert (workspace_id, to_phone, from_number, body, media_urls, metadata, cron_expression,
  timezone, start_at, end_at, max_occurrences)
  on public.recurring_sms_schedules to authenticated;
grant insert (workspace_id, phone) on public.sms_opt_outs to authenticated;

grant all on public.recurring_sms_schedules, public.scheduled_sms_jobs, public.sms_opt_outs to service_role;
grant select, insert on public.sms_job_events to service_role;

create policy "members read their workspace's jobs" on public.scheduled_sms_jobs
  for select to authenticated
  using (workspace_id in (select private.current_user_workspace_ids()));
create policy "writers insert jobs into their workspace" on public.scheduled_sms_jobs
  for insert to authenticated
  with check (workspace_id in (select private.current_user_workspace_ids(private.writer_roles())));

create policy "members read their workspace's schedules" on public.recurring_sms_schedules
  for select to authenticated
  using (workspace_id in (select private.current_user_workspace_ids()));
create policy "writers insert schedules into their workspace" on public.recurring_sms_schedules
  for insert to authenticated
  with check (workspace_id in (select private.current_user_workspace_ids(private.writer_roles())));

create policy "members read their workspace's events" on public.sms_job_events
  for select to authenticated
  using (workspace_id in (select private.current_user_workspace_ids()));

create policy "members read their workspace's opt-outs" on public.sms_opt_outs
  for select to authenticated
  using (workspace_id in (select private.current_user_workspace_ids()));
create policy "writers record opt-outs for their workspace" on public.sms_opt_outs
  for insert to authenticated
  with check (workspace_id in (select private.current_user_workspace_ids(private.writer_roles())));
