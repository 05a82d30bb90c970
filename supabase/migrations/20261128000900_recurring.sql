-- Recurring messages: cron evaluation in SQL, the schedule life cycle (create, pause, resume,
-- cancel, status) and the materialisation of occurrences into scheduled_sms_jobs by the sweep.
--
-- One evaluation policy, two runtimes: supabase/functions/_shared/cron-schedule.ts implements the
-- same rules in TypeScript and tests/recurring keeps both in agreement (and with croner).
--
-- DST policy (README "Recurring messages"): a cron expression names WALL-CLOCK times in its IANA
-- timezone, and every matching wall time runs exactly once. A wall time that does not exist (the
-- spring-forward gap) runs at the first valid instant after the gap, i.e. the transition instant
-- (02:30 America/New_York on the spring-forward day runs at 03:00 EDT; several gap times collapse
-- into that one run, together with a match at the gap's end). A wall time that occurs twice
-- (fall-back) runs once, at its first occurrence (01:30 EDT, not 01:30 EST).

-- Limits of recurring schedules. Mirrored by recurringLimits in supabase/functions/_shared/limits.ts
-- (tests/recurring keeps them equal).
create function private.recurring_limit(p_name text)
returns bigint
language sql
immutable
parallel safe
set search_path = ''
as $$
  select case p_name
    -- Occurrences due within this many seconds of the sweep become jobs. Three sweeps' worth: an
    -- occurrence is a future 'scheduled' row at least two minutes before its cron time even if a
    -- sweep is late or skipped, and the runner / Trigger.dev sends it at the cron time. Not more
    -- than dispatchLimits.dispatch_horizon_seconds, so the insert itself dispatches it in 'trigger' mode.
    when 'lookahead_seconds' then 180
    -- An occurrence more than this late when the sweep reaches it (downtime) is recorded as missed
    -- and not sent; a later one is sent at once.
    when 'missed_tolerance_seconds' then 300
    -- Jobs one sweep creates per schedule (bounds one schedule's share of a sweep).
    when 'max_occurrences_per_sweep' then 10
    -- Schedules one sweep handles; the rest wait for the next sweep (earliest due first).
    when 'max_schedules_per_sweep' then 5000
    -- Missed occurrences counted one by one after downtime; beyond it the count says "at least".
    when 'missed_count_max' then 1000
    -- How far ahead the evaluator searches for a matching date (31 February never comes).
    when 'search_years' then 10
    -- Run times create/status report ahead.
    when 'preview_runs' then 5
  end
$$;
comment on function private.recurring_limit is 'The limits of recurring schedules and their materialisation, by name.';

-- Expressions are parsed by private.parse_cron (20261128000300_messages.sql) into private.cron_spec.

-- The instant a wall-clock time names in a timezone, under the DST policy: the only instant if
-- there is one; the first of two (fall-back); the first valid instant after the gap (spring-forward).
create function private.wall_time_instant(p_wall timestamp, p_timezone text)
returns timestamptz
language plpgsql
stable
parallel safe
set search_path = ''
as $$
declare
  v_as_utc timestamptz := p_wall at time zone 'UTC';
  v_before interval;
  v_after interval;
  v_first timestamptz;
  v_second timestamptz;
  v_k integer;
begin
  -- The zone's UTC offsets a day either side (no zone changes offset twice within two days).
  v_before := ((v_as_utc - interval '1 day') at time zone p_timezone) - ((v_as_utc - interval '1 day') at time zone 'UTC');
  v_after := ((v_as_utc + interval '1 day') at time zone p_timezone) - ((v_as_utc + interval '1 day') at time zone 'UTC');
  v_first := v_as_utc - v_before;
  v_second := v_as_utc - v_after;
  if v_second < v_first then
    v_first := v_second;
    v_second := v_as_utc - v_before;
  end if;
  if (v_first at time zone p_timezone) = p_wall then
    return v_first;
  end if;
  if (v_second at time zone p_timezone) = p_wall then
    return v_second;
  end if;
  -- In a gap: the first later wall minute that exists (the gap's end) names the transition instant.
  for v_k in 1..1440 loop
    v_second := (p_wall + pg_catalog.make_interval(mins => v_k)) at time zone 'UTC' - v_after;
    if (v_second at time zone p_timezone) = p_wall + pg_catalog.make_interval(mins => v_k) then
      return v_second;
    end if;
  end loop;
  return null;
end;
$$;
comment on function private.wall_time_instant is
  'DST policy: the instant of a wall time in a timezone (repeated: the first; skipped: the first valid instant after the gap).';

-- The first occurrence strictly after p_after, or null if none within search_years.
-- Walks wall-clock fields, skipping whole months, days and hours that cannot match.
create function private.cron_next_from_spec(p_spec private.cron_spec, p_timezone text, p_after timestamptz)
returns timestamptz
language plpgsql
stable
parallel safe
set search_path = ''
as $$
declare
  v_wall timestamp := pg_catalog.date_trunc('minute', p_after at time zone p_timezone);
  v_y integer := extract(year from v_wall)::integer;
  v_mo integer := extract(month from v_wall)::integer;
  v_d integer := extract(day from v_wall)::integer;
  v_h integer := extract(hour from v_wall)::integer;
  v_mi integer := extract(minute from v_wall)::integer;
  v_last_year integer := v_y + private.recurring_limit('search_years')::integer;
  v_dim integer;
  v_dow integer;
  v_day_ok boolean;
  v_weekday_ok boolean;
  v_instant timestamptz;
begin
  if p_spec is null or p_after is null then
    return null;
  end if;
  loop
    if v_y > v_last_year then
      return null;
    end if;
    -- Month.
    while v_mo <= 12 and (p_spec.months >> v_mo) & 1 = 0 loop
      v_mo := v_mo + 1;
      v_d := 1; v_h := 0; v_mi := 0;
    end loop;
    if v_mo > 12 then
      v_y := v_y + 1; v_mo := 1; v_d := 1; v_h := 0; v_mi := 0;
      continue;
    end if;
    -- Day.
    v_dim := extract(day from (pg_catalog.make_date(v_y, v_mo, 1) + interval '1 month - 1 day'))::integer;
    if v_d > v_dim then
      v_mo := v_mo + 1; v_d := 1; v_h := 0; v_mi := 0;
      if v_mo > 12 then v_y := v_y + 1; v_mo := 1; end if;
      continue;
    end if;
    v_dow := extract(dow from pg_catalog.make_date(v_y, v_mo, v_d))::integer;
    v_day_ok := (p_spec.days >> v_d) & 1 = 1;
    v_weekday_ok := (p_spec.weekdays >> v_dow) & 1 = 1;
    if not (case when p_spec.day_star or p_spec.weekday_star then v_day_ok and v_weekday_ok
                 else v_day_ok or v_weekday_ok end) then
      v_d := v_d + 1; v_h := 0; v_mi := 0;
      continue;
    end if;
    -- Hour.
    while v_h <= 23 and (p_spec.hours >> v_h) & 1 = 0 loop
      v_h := v_h + 1;
      v_mi := 0;
    end loop;
    if v_h > 23 then
      v_d := v_d + 1; v_h := 0; v_mi := 0;
      continue;
    end if;
    -- Minute.
    while v_mi <= 59 and (p_spec.minutes >> v_mi) & 1 = 0 loop
      v_mi := v_mi + 1;
    end loop;
    if v_mi > 59 then
      v_h := v_h + 1; v_mi := 0;
      if v_h > 23 then v_d := v_d + 1; v_h := 0; end if;
      continue;
    end if;
    v_instant := private.wall_time_instant(pg_catalog.make_timestamp(v_y, v_mo, v_d, v_h, v_mi, 0), p_timezone);
    if v_instant > p_after then
      return v_instant;
    end if;
    -- This wall time's instant is not after p_after (a repeated hour's second pass, or a gap's end
    -- already used): try the next minute.
    v_mi := v_mi + 1;
    if v_mi > 59 then
      v_h := v_h + 1; v_mi := 0;
      if v_h > 23 then v_d := v_d + 1; v_h := 0; end if;
    end if;
  end loop;
end;
$$;

-- The next occurrence of an expression in a timezone strictly after p_after.
-- Refuses an invalid expression (invalid_cron); an unknown timezone raises 22023.
create function private.cron_next(p_expr text, p_timezone text, p_after timestamptz)
returns timestamptz
language plpgsql
stable
parallel safe
set search_path = ''
as $$
declare
  v_spec private.cron_spec := private.parse_cron(p_expr);
begin
  if v_spec is null then
    perform private.raise_error('invalid_cron', pg_catalog.format(
      'cron expression %L is not a valid 5-field expression (minute hour day month weekday)',
      pg_catalog.left(p_expr, 100)));
  end if;
  -- The timezone is not checked here: schedules are validated with private.is_valid_timezone on
  -- insert, and scanning pg_timezone_names (or a subtransaction) per evaluation is far too slow
  -- for the sweep and batch evaluation. An unknown zone fails with Postgres' own 22023.
  return private.cron_next_from_spec(v_spec, p_timezone, p_after);
end;
$$;
comment on function private.cron_next is
  'Next occurrence of a 5-field cron expression, as wall-clock time in an IANA timezone, strictly after p_after (DST policy: see the migration header); null if none within search_years.';

-- Up to p_count occurrences strictly after p_after and before p_end_at (if given).
create function private.cron_next_runs(
  p_expr text,
  p_timezone text,
  p_after timestamptz,
  p_count integer,
  p_end_at timestamptz default null
) returns timestamptz[]
language plpgsql
stable
parallel safe
set search_path = ''
as $$
declare
  v_runs timestamptz[] := '{}';
  v_next timestamptz := p_after;
begin
  if p_count is null or p_count < 0 or p_count > 1000 then
    perform private.raise_error('invalid_argument', 'count must be 0 to 1000');
  end if;
  for i in 1..p_count loop
    v_next := private.cron_next(p_expr, p_timezone, v_next);
    exit when v_next is null or (p_end_at is not null and v_next >= p_end_at);
    v_runs := v_runs || v_next;
  end loop;
  return v_runs;
end;
$$;
comment on function private.cron_next_runs is 'Up to p_count occurrences after p_after and before p_end_at (exclusive).';

-- Schedule bookkeeping beyond the base table: what was missed or skipped.
alter table public.recurring_sms_schedules
  add column missed_count integer not null default 0 check (missed_count >= 0),
  add column skipped_count integer not null default 0 check (skipped_count >= 0),
  add column ended_reason text;
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
create index scheduled_sms_jobs_recurring_idx on public.scheduled_sms_jobs (recurring_schedule_id, occurrence_at desc)
  where recurring_schedule_id is not null;

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

alter table public.recurring_sms_schedule_events enable row level security;
revoke all on public.recurring_sms_schedule_events from anon, authenticated;
grant select on public.recurring_sms_schedule_events to authenticated;
grant select, insert on public.recurring_sms_schedule_events to service_role;
create policy "members read their workspace's schedule events" on public.recurring_sms_schedule_events
  for select to authenticated
  using (workspace_id in (select private.current_user_workspace_ids()));

-- On insert, after private.prepare_new_schedule validated the row (triggers fire in name order):
-- the first run is the first occurrence at or after start_at, and never in the past (no back-fill).
-- An expression that matches no date at all is refused (invalid_cron), as is a window without
-- any occurrence (invalid_schedule). Security definer only to reach the evaluator; it reads no table.
create function private.schedule_first_run()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.missed_count <> 0 or new.skipped_count <> 0 or new.ended_reason is not null then
    perform private.raise_error('internal_column_set',
      'missed and skipped counts and the end reason of a schedule are set by the service');
  end if;
  new.next_run_at := private.cron_next(new.cron_expression, new.timezone,
    greatest(new.start_at, pg_catalog.now()) - interval '1 microsecond');
  if new.next_run_at is null then
    perform private.raise_error('invalid_cron', pg_catalog.format(
      'cron expression %L matches no date within %s years', pg_catalog.left(new.cron_expression, 100),
      private.recurring_limit('search_years')));
  end if;
  if new.end_at is not null and new.next_run_at >= new.end_at then
    perform private.raise_error('invalid_schedule', pg_catalog.format(
      'the schedule has no occurrence before end_at %s (the first is %s)', new.end_at, new.next_run_at));
  end if;
  return new;
end;
$$;
create trigger recurring_sms_schedules_schedule_first_run before insert on public.recurring_sms_schedules
  for each row execute function private.schedule_first_run();

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

-- Ends a schedule (status ended, no next run) and logs why. The caller holds the row lock.
create function private.end_schedule(p_schedule_id text, p_reason text)
returns void
language plpgsql
set search_path = ''
as $$
begin
  update public.recurring_sms_schedules
  set status = 'ended', next_run_at = null, ended_reason = p_reason
  where id = p_schedule_id;
  insert into public.recurring_sms_schedule_events (schedule_id, workspace_id, event_type, details)
  select s.id, s.workspace_id, 'ended', pg_catalog.jsonb_build_object('reason', p_reason)
  from public.recurring_sms_schedules s where s.id = p_schedule_id;
end;
$$;

-- Materialises one locked, active schedule up to p_now + lookahead. Returns the jobs created.
create function private.materialise_schedule(
  p_schedule public.recurring_sms_schedules,
  p_now timestamptz,
  out materialised integer,
  out missed integer,
  out skipped integer,
  out ended boolean
)
language plpgsql
set search_path = ''
as $$
declare
  v_spec private.cron_spec := private.parse_cron(p_schedule.cron_expression);
  v_horizon timestamptz := p_now + pg_catalog.make_interval(secs => private.recurring_limit('lookahead_seconds'));
  v_cutoff timestamptz := p_now - pg_catalog.make_interval(secs => private.recurring_limit('missed_tolerance_seconds'));
  v_next timestamptz := p_schedule.next_run_at;
  v_count integer := p_schedule.occurrences_count;
  v_last timestamptz := p_schedule.last_run_at;
  v_first_missed timestamptz;
  v_last_missed timestamptz;
  v_capped boolean := false;
  v_job_id text;
  v_error_code text;
  v_error_message text;
  v_end_reason text;
begin
  materialised := 0;
  missed := 0;
  skipped := 0;
  ended := false;

  -- Downtime: occurrences already more than the tolerance late are recorded, not sent.
  if v_next is not null and v_next < v_cutoff
     and (p_schedule.end_at is null or v_next < p_schedule.end_at) then
    v_first_missed := v_next;
    while v_next is not null and v_next < v_cutoff
          and (p_schedule.end_at is null or v_next < p_schedule.end_at) loop
      if missed >= private.recurring_limit('missed_count_max') then
        v_capped := true;
        -- Jump straight to the first occurrence within the tolerance.
        v_next := private.cron_next_from_spec(v_spec, p_schedule.timezone, v_cutoff - interval '1 microsecond');
        exit;
      end if;
      missed := missed + 1;
      v_last_missed := v_next;
      v_next := private.cron_next_from_spec(v_spec, p_schedule.timezone, v_next);
    end loop;
    insert into public.recurring_sms_schedule_events
      (schedule_id, workspace_id, event_type, occurrence_at, details)
    values (p_schedule.id, p_schedule.workspace_id, 'occurrences_missed', v_first_missed,
      pg_catalog.jsonb_build_object('count', missed, 'count_is_lower_bound', v_capped,
        'first_missed_at', v_first_missed, 'last_missed_at', v_last_missed,
        'tolerance_seconds', private.recurring_limit('missed_tolerance_seconds'),
        'swept_at', p_now));
  end if;

  loop
    if v_next is null then
      v_end_reason := 'no_more_occurrences';
    elsif p_schedule.end_at is not null and v_next >= p_schedule.end_at then
      v_end_reason := 'end_at';
    elsif p_schedule.max_occurrences is not null and v_count >= p_schedule.max_occurrences then
      v_end_reason := 'max_occurrences';
    end if;
    exit when v_end_reason is not null;
    exit when v_next > v_horizon or materialised + skipped >= private.recurring_limit('max_occurrences_per_sweep');

    -- The same INSERT path as every job (validation trigger); the unique (schedule, occurrence)
    -- key makes a second materialisation of the same occurrence a no-op.
    begin
      v_job_id := null;
      insert into public.scheduled_sms_jobs
        (workspace_id, to_phone, from_number, body, media_urls, metadata, scheduled_time,
         created_by, recurring_schedule_id, occurrence_at)
      values
        (p_schedule.workspace_id, p_schedule.to_phone, p_schedule.from_number, p_schedule.body,
         p_schedule.media_urls, p_schedule.metadata, greatest(v_next, p_now),
         p_schedule.created_by, p_schedule.id, v_next)
      on conflict (recurring_schedule_id, occurrence_at) where recurring_schedule_id is not null do nothing
      returning id into v_job_id;
      if v_job_id is not null then
        materialised := materialised + 1;
        v_count := v_count + 1;
      end if;
    exception when others then
      get stacked diagnostics v_error_code = pg_exception_hint, v_error_message = message_text;
      if coalesce(v_error_code, '') = '' then
        get stacked diagnostics v_error_code = returned_sqlstate;
      end if;
      skipped := skipped + 1;
      insert into public.recurring_sms_schedule_events
        (schedule_id, workspace_id, event_type, occurrence_at, error_code, error_message)
      values (p_schedule.id, p_schedule.workspace_id, 'occurrence_skipped', v_next,
        v_error_code, v_error_message);
    end;
    v_last := v_next;
    v_next := private.cron_next_from_spec(v_spec, p_schedule.timezone, v_next);
  end loop;

  update public.recurring_sms_schedules
  set occurrences_count = v_count,
      last_run_at = v_last,
      next_run_at = case when v_end_reason is null then v_next end,
      missed_count = missed_count + missed,
      skipped_count = skipped_count + skipped
  where id = p_schedule.id;
  if v_end_reason is not null then
    perform private.end_schedule(p_schedule.id, v_end_reason);
    ended := true;
  end if;
end;
$$;
comment on function private.materialise_schedule is
  'One schedule''s share of a sweep: records missed occurrences, creates jobs up to the lookahead, ends the schedule at end_at / max_occurrences.';

-- Called by private.run_sweep every minute. p_now is the clock (injectable for tests).
-- Each active schedule whose next run is within the lookahead is locked (FOR UPDATE SKIP LOCKED:
-- two sweeps at once never work on the same schedule) and materialised; a failure of one schedule
-- is logged on it and does not stop the others.
create function private.materialise_recurring(
  p_now timestamptz default now(),
  out schedules integer,
  out materialised integer,
  out missed integer,
  out skipped integer,
  out ended integer
)
language plpgsql
set search_path = ''
as $$
declare
  v_schedule public.recurring_sms_schedules;
  v_result record;
  v_error_message text;
  v_error_code text;
begin
  schedules := 0; materialised := 0; missed := 0; skipped := 0; ended := 0;
  if p_now is null then
    perform private.raise_error('invalid_argument', 'materialise_recurring needs a time');
  end if;
  for v_schedule in
    select s.* from public.recurring_sms_schedules s
    where s.status = 'active'
      and s.next_run_at <= p_now + pg_catalog.make_interval(secs => private.recurring_limit('lookahead_seconds'))
    order by s.next_run_at
    limit private.recurring_limit('max_schedules_per_sweep')
    for update skip locked
  loop
    schedules := schedules + 1;
    begin
      select * into v_result from private.materialise_schedule(v_schedule, p_now);
      materialised := materialised + v_result.materialised;
      missed := missed + v_result.missed;
      skipped := skipped + v_result.skipped;
      ended := ended + case when v_result.ended then 1 else 0 end;
    exception when others then
      get stacked diagnostics v_error_code = returned_sqlstate, v_error_message = message_text;
      insert into public.recurring_sms_schedule_events
        (schedule_id, workspace_id, event_type, occurrence_at, error_code, error_message)
      values (v_schedule.id, v_schedule.workspace_id, 'materialise_failed', v_schedule.next_run_at,
        v_error_code, v_error_message);
    end;
  end loop;
end;
$$;
comment on function private.materialise_recurring is
  'The sweep''s recurring step: turns occurrences due within lookahead_seconds of p_now into scheduled_sms_jobs rows, exactly once each; records missed (downtime) and skipped (refused) occurrences; ends schedules.';

-- ---------------------------------------------------------------------------------------------
-- The schedule API (the Edge Function calls these as the table owner after checking the caller's
-- workspace role; they raise catalogued errors).

create function private.lock_schedule(p_schedule_id text)
returns public.recurring_sms_schedules
language plpgsql
set search_path = ''
as $$
declare
  v_schedule public.recurring_sms_schedules;
begin
  select * into v_schedule from public.recurring_sms_schedules where id = p_schedule_id for update;
  if not found then
    perform private.raise_error('job_not_found', pg_catalog.format('schedule %s does not exist', p_schedule_id));
  end if;
  return v_schedule;
end;
$$;

-- Creates a schedule through the same INSERT path as direct inserts, and previews its next runs.
create function private.create_recurring_schedule(
  p_workspace_id text,
  p_to_phone text,
  p_body text,
  p_cron_expression text,
  p_timezone text default null,
  p_from_number text default null,
  p_media_urls text[] default '{}',
  p_start_at timestamptz default null,
  p_end_at timestamptz default null,
  p_max_occurrences integer default null,
  p_metadata jsonb default '{}',
  p_created_by uuid default null
) returns table (
  id text,
  workspace_id text,
  status public.recurring_schedule_status,
  cron_expression text,
  timezone text,
  start_at timestamptz,
  end_at timestamptz,
  max_occurrences integer,
  next_run_at timestamptz,
  next_runs timestamptz[],
  created_at timestamptz
)
language plpgsql
set search_path = ''
as $$
declare
  v_schedule public.recurring_sms_schedules;
begin
  insert into public.recurring_sms_schedules
    (workspace_id, to_phone, from_number, body, media_urls, metadata, cron_expression, timezone,
     start_at, end_at, max_occurrences, created_by)
  values
    (p_workspace_id, p_to_phone, p_from_number, p_body, coalesce(p_media_urls, '{}'),
     coalesce(p_metadata, '{}'), p_cron_expression, p_timezone, coalesce(p_start_at, pg_catalog.now()),
     p_end_at, p_max_occurrences, p_created_by)
  returning * into v_schedule;
  return query
  select v_schedule.id, v_schedule.workspace_id, v_schedule.status, v_schedule.cron_expression,
         v_schedule.timezone, v_schedule.start_at, v_schedule.end_at, v_schedule.max_occurrences,
         v_schedule.next_run_at, private.schedule_upcoming_runs(v_schedule), v_schedule.created_at;
end;
$$;
comment on function private.create_recurring_schedule is
  'Creates a recurring schedule (validated by the insert triggers) and returns it with its next preview_runs run times.';

-- The next runs of a schedule as it stands: from next_run_at, before end_at, within max_occurrences.
create function private.schedule_upcoming_runs(
  p_schedule public.recurring_sms_schedules,
  p_count integer default private.recurring_limit('preview_runs')::integer
) returns timestamptz[]
language plpgsql
stable
set search_path = ''
as $$
declare
  v_count integer := p_count;
begin
  if p_schedule.status <> 'active' and p_schedule.status <> 'paused' or p_schedule.next_run_at is null then
    return '{}';
  end if;
  if p_schedule.max_occurrences is not null then
    v_count := least(v_count, greatest(p_schedule.max_occurrences - p_schedule.occurrences_count, 0));
  end if;
  if v_count = 0 or (p_schedule.end_at is not null and p_schedule.next_run_at >= p_schedule.end_at) then
    return '{}';
  end if;
  return array[p_schedule.next_run_at] || private.cron_next_runs(p_schedule.cron_expression,
    p_schedule.timezone, p_schedule.next_run_at, v_count - 1, p_schedule.end_at);
end;
$$;

-- Cancels the pending jobs of a schedule (optionally only occurrences after p_after).
create function private.cancel_schedule_jobs(p_schedule_id text, p_reason text, p_after timestamptz default null)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  v_count integer;
begin
  with pending as (
    select j.id from public.scheduled_sms_jobs j
    where j.recurring_schedule_id = p_schedule_id
      and j.status in ('queued', 'scheduled', 'retrying')
      and (p_after is null or j.occurrence_at > p_after)
    -- Wait for a row another transaction holds (a claim or a dispatch): skipping it could leave a
    -- pending occurrence of a stopped schedule to be sent. A row claimed meanwhile is no longer pending.
    for update
  )
  update public.scheduled_sms_jobs j
  set status = 'cancelled', status_reason = p_reason
  from pending
  where j.id = pending.id;
  get diagnostics v_count = row_count;
  return v_count;
end;
$$;

-- active|paused -> cancelled: no more occurrences, and its pending jobs are cancelled. Cancelling
-- a cancelled schedule returns it unchanged; an ended one is refused (invalid_transition).
create function private.cancel_recurring_schedule(p_schedule_id text, p_actor uuid default null)
returns public.recurring_sms_schedules
language plpgsql
set search_path = ''
as $$
declare
  v_schedule public.recurring_sms_schedules := private.lock_schedule(p_schedule_id);
  v_cancelled integer;
begin
  if v_schedule.status = 'cancelled' then
    return v_schedule;
  end if;
  if v_schedule.status not in ('active', 'paused') then
    perform private.raise_error('invalid_transition', pg_catalog.format(
      'schedule %s is %s and cannot be cancelled', p_schedule_id, v_schedule.status));
  end if;
  update public.recurring_sms_schedules s
  set status = 'cancelled', next_run_at = null
  where s.id = p_schedule_id
  returning * into v_schedule;
  v_cancelled := private.cancel_schedule_jobs(p_schedule_id, 'schedule_cancelled');
  insert into public.recurring_sms_schedule_events (schedule_id, workspace_id, event_type, details, actor)
  values (v_schedule.id, v_schedule.workspace_id, 'cancelled',
    pg_catalog.jsonb_build_object('jobs_cancelled', v_cancelled), p_actor);
  return v_schedule;
end;
$$;
comment on function private.cancel_recurring_schedule is
  'active|paused -> cancelled; cancels the schedule''s pending jobs (reason schedule_cancelled). Idempotent.';

-- active -> paused: nothing is materialised while paused, and occurrences already materialised
-- for after p_now (at most lookahead_seconds ahead) are cancelled (reason schedule_paused).
create function private.pause_recurring_schedule(
  p_schedule_id text,
  p_actor uuid default null,
  p_now timestamptz default now()
) returns public.recurring_sms_schedules
language plpgsql
set search_path = ''
as $$
declare
  v_schedule public.recurring_sms_schedules := private.lock_schedule(p_schedule_id);
  v_cancelled integer;
begin
  if v_schedule.status = 'paused' then
    return v_schedule;
  end if;
  if v_schedule.status <> 'active' then
    perform private.raise_error('invalid_transition', pg_catalog.format(
      'schedule %s is %s and cannot be paused', p_schedule_id, v_schedule.status));
  end if;
  update public.recurring_sms_schedules s set status = 'paused' where s.id = p_schedule_id
  returning * into v_schedule;
  v_cancelled := private.cancel_schedule_jobs(p_schedule_id, 'schedule_paused', p_now);
  insert into public.recurring_sms_schedule_events (schedule_id, workspace_id, event_type, details, actor)
  values (v_schedule.id, v_schedule.workspace_id, 'paused',
    pg_catalog.jsonb_build_object('jobs_cancelled', v_cancelled, 'at', p_now), p_actor);
  return v_schedule;
end;
$$;
comment on function private.pause_recurring_schedule is
  'active -> paused; cancels occurrences already materialised for after p_now. Idempotent.';

-- paused -> active, continuing from the first occurrence after p_now (and after the last one
-- materialised): the paused time is not back-filled. Ends the schedule if nothing is left.
create function private.resume_recurring_schedule(
  p_schedule_id text,
  p_actor uuid default null,
  p_now timestamptz default now()
) returns public.recurring_sms_schedules
language plpgsql
set search_path = ''
as $$
declare
  v_schedule public.recurring_sms_schedules := private.lock_schedule(p_schedule_id);
  v_next timestamptz;
begin
  if v_schedule.status = 'active' then
    return v_schedule;
  end if;
  if v_schedule.status <> 'paused' then
    perform private.raise_error('invalid_transition', pg_catalog.format(
      'schedule %s is %s and cannot be resumed', p_schedule_id, v_schedule.status));
  end if;
  v_next := private.cron_next(v_schedule.cron_expression, v_schedule.timezone,
    greatest(p_now, coalesce(v_schedule.last_run_at, p_now), v_schedule.start_at - interval '1 microsecond'));
  update public.recurring_sms_schedules s set status = 'active', next_run_at = v_next
  where s.id = p_schedule_id
  returning * into v_schedule;
  insert into public.recurring_sms_schedule_events (schedule_id, workspace_id, event_type, details, actor)
  values (v_schedule.id, v_schedule.workspace_id, 'resumed',
    pg_catalog.jsonb_build_object('next_run_at', v_next, 'at', p_now), p_actor);
  if v_next is null then
    perform private.end_schedule(p_schedule_id, 'no_more_occurrences');
  elsif v_schedule.end_at is not null and v_next >= v_schedule.end_at then
    perform private.end_schedule(p_schedule_id, 'end_at');
  elsif v_schedule.max_occurrences is not null and v_schedule.occurrences_count >= v_schedule.max_occurrences then
    perform private.end_schedule(p_schedule_id, 'max_occurrences');
  end if;
  select * into v_schedule from public.recurring_sms_schedules s where s.id = p_schedule_id;
  return v_schedule;
end;
$$;
comment on function private.resume_recurring_schedule is
  'paused -> active from the first occurrence after p_now (no back-fill of paused time); ended if none is left. Idempotent.';

-- What job-status shows for a schedule.
create function private.recurring_schedule_status(p_schedule_id text)
returns table (
  id text,
  workspace_id text,
  status public.recurring_schedule_status,
  ended_reason text,
  cron_expression text,
  timezone text,
  start_at timestamptz,
  end_at timestamptz,
  max_occurrences integer,
  next_run_at timestamptz,
  next_runs timestamptz[],
  occurrences_count integer,
  sent_count integer,
  failed_count integer,
  pending_count integer,
  cancelled_count integer,
  missed_count integer,
  skipped_count integer,
  last_occurrence_at timestamptz,
  last_occurrence_job_id text,
  last_occurrence_status public.sms_job_status,
  last_occurrence_message_status text,
  created_at timestamptz,
  updated_at timestamptz
)
language sql
stable
set search_path = ''
as $$
  select s.id, s.workspace_id, s.status, s.ended_reason, s.cron_expression, s.timezone, s.start_at,
         s.end_at, s.max_occurrences, s.next_run_at, private.schedule_upcoming_runs(s),
         s.occurrences_count,
         coalesce(c.sent, 0), coalesce(c.failed, 0), coalesce(c.pending, 0), coalesce(c.cancelled, 0),
         s.missed_count, s.skipped_count,
         l.occurrence_at, l.id, l.status, l.message_status, s.created_at, s.updated_at
  from public.recurring_sms_schedules s
  left join lateral (
    select (count(*) filter (where j.status = 'completed'))::integer as sent,
           (count(*) filter (where j.status = 'failed'))::integer as failed,
           (count(*) filter (where j.status in ('queued', 'scheduled', 'retrying', 'processing')))::integer as pending,
           (count(*) filter (where j.status = 'cancelled'))::integer as cancelled
    from public.scheduled_sms_jobs j where j.recurring_schedule_id = s.id
  ) c on true
  left join lateral (
    select j.id, j.occurrence_at, j.status, j.message_status
    from public.scheduled_sms_jobs j
    where j.recurring_schedule_id = s.id
    order by j.occurrence_at desc
    limit 1
  ) l on true
  where s.id = p_schedule_id
$$;
comment on function private.recurring_schedule_status is
  'A schedule''s status, next runs, counts of sent/failed/pending/cancelled occurrences, missed and skipped counts, and its last occurrence.';
