-- What a message was made of, kept on the job (and on a recurring schedule, whose occurrences copy
-- it): the template id, version and variables used, and the encoding and SMS segments of the body
-- as counted at creation, so job-status shows exactly what was sent and from which version.
--
-- Functions of earlier migrations that change here are redefined whole (a released migration is
-- never edited): the job guard (these columns are fixed once created), create_job and
-- create_recurring_schedule (new parameters), materialise_schedule (copies them).

-- What a message was made of: its template (id, version, the variables used) and the encoding and
-- SMS segments of its body as counted at creation. Null for direct inserts (they carry their own
-- body; nothing counted it). Clients cannot name these columns (no column grants).
alter table public.scheduled_sms_jobs
  add column template_id text,
  add column template_version integer,
  add column template_variables jsonb,
  add column encoding text check (encoding in ('GSM-7', 'UCS-2')),
  add column segments integer check (segments >= 1),
  add constraint scheduled_sms_jobs_template_fkey foreign key (workspace_id, template_id)
    references public.message_templates (workspace_id, id),
  add constraint scheduled_sms_jobs_template_check
    check ((template_id is null) = (template_version is null) and (template_id is null) = (template_variables is null));
create index scheduled_sms_jobs_template_idx on public.scheduled_sms_jobs (workspace_id, template_id)
  where template_id is not null;
comment on column public.scheduled_sms_jobs.segments is 'SMS segments of the body as counted when the job was created (sms-segments-calculator, Twilio''s rules).';

alter table public.recurring_sms_schedules
  add column template_id text,
  add column template_version integer,
  add column template_variables jsonb,
  add column encoding text check (encoding in ('GSM-7', 'UCS-2')),
  add column segments integer check (segments >= 1),
  add constraint recurring_sms_schedules_template_fkey foreign key (workspace_id, template_id)
    references public.message_templates (workspace_id, id),
  add constraint recurring_sms_schedules_template_check
    check ((template_id is null) = (template_version is null) and (template_id is null) = (template_variables is null));
create index recurring_sms_schedules_template_idx on public.recurring_sms_schedules (workspace_id, template_id)
  where template_id is not null;

create or replace function private.guard_job_update()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.id <> old.id or new.workspace_id <> old.workspace_id or new.to_phone <> old.to_phone
     or new.from_number <> old.from_number or new.body <> old.body
     or new.media_urls <> old.media_urls or new.scheduled_time <> old.scheduled_time
     or new.created_at <> old.created_at
     or new.template_id is distinct from old.template_id or new.template_version is distinct from old.template_version
     or new.template_variables is distinct from old.template_variables
     or new.encoding is distinct from old.encoding or new.segments is distinct from old.segments then
    perform private.raise_error('immutable_column',
      'a job''s id, workspace, recipient, sender, body, media, scheduled_time and template are fixed once created');
  end if;
  if new.status <> old.status and not private.is_allowed_job_transition(old.status, new.status) then
    perform private.raise_error('invalid_transition', pg_catalog.format(
      'job %s cannot go from %s to %s', old.id, old.status, new.status));
  end if;
  return new;
end;
$$;

drop function private.create_job(text, text, text, text, text[], timestamptz, jsonb, uuid);
-- Creation: the API's path. The BEFORE INSERT trigger validates, exactly as for direct inserts.
create function private.create_job(
  p_workspace_id text,
  p_to_phone text,
  p_body text,
  p_from_number text default null,
  p_media_urls text[] default '{}',
  p_scheduled_time timestamptz default null,
  p_metadata jsonb default '{}',
  p_created_by uuid default null,
  p_template_id text default null,
  p_template_version integer default null,
  p_template_variables jsonb default null,
  p_encoding text default null,
  p_segments integer default null
) returns public.scheduled_sms_jobs
language plpgsql
set search_path = ''
as $$
declare
  v_job public.scheduled_sms_jobs;
begin
  insert into public.scheduled_sms_jobs
    (workspace_id, to_phone, from_number, body, media_urls, scheduled_time, metadata, created_by,
     template_id, template_version, template_variables, encoding, segments)
  values
    (p_workspace_id, p_to_phone, p_from_number, p_body, coalesce(p_media_urls, '{}'),
     coalesce(p_scheduled_time, pg_catalog.now()), coalesce(p_metadata, '{}'), p_created_by,
     p_template_id, p_template_version, p_template_variables, p_encoding, p_segments)
  returning * into v_job;
  return v_job;
end;
$$;
comment on function private.create_job is 'Creates a job (status queued if due now, scheduled if later) and its created event.';

drop function private.create_recurring_schedule(text, text, text, text, text, text, text[], timestamptz,
  timestamptz, integer, jsonb, uuid);
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
  p_created_by uuid default null,
  p_template_id text default null,
  p_template_version integer default null,
  p_template_variables jsonb default null,
  p_encoding text default null,
  p_segments integer default null
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
     start_at, end_at, max_occurrences, created_by, template_id, template_version, template_variables,
     encoding, segments)
  values
    (p_workspace_id, p_to_phone, p_from_number, p_body, coalesce(p_media_urls, '{}'),
     coalesce(p_metadata, '{}'), p_cron_expression, p_timezone, coalesce(p_start_at, pg_catalog.now()),
     p_end_at, p_max_occurrences, p_created_by, p_template_id, p_template_version, p_template_variables,
     p_encoding, p_segments)
  returning * into v_schedule;
  return query
  select v_schedule.id, v_schedule.workspace_id, v_schedule.status, v_schedule.cron_expression,
         v_schedule.timezone, v_schedule.start_at, v_schedule.end_at, v_schedule.max_occurrences,
         v_schedule.next_run_at, private.schedule_upcoming_runs(v_schedule), v_schedule.created_at;
end;
$$;
comment on function private.create_recurring_schedule is
  'Creates a recurring schedule (validated by the insert triggers) and returns it with its next preview_runs run times.';

-- Materialises one locked, active schedule up to p_now + lookahead. Returns the jobs created.
create or replace function private.materialise_schedule(
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
  v_horizon timestamptz := p_now + pg_catalog.make_interval(secs => private.limit_value('recurring_lookahead_seconds'));
  v_cutoff timestamptz := p_now - pg_catalog.make_interval(secs => private.limit_value('recurring_missed_tolerance_seconds'));
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
      if missed >= private.limit_value('recurring_missed_count_max') then
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
        'tolerance_seconds', private.limit_value('recurring_missed_tolerance_seconds'),
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
    exit when v_next > v_horizon or materialised + skipped >= private.limit_value('recurring_occurrences_per_sweep');

    -- The same INSERT path as every job (validation trigger); the unique (schedule, occurrence)
    -- key makes a second materialisation of the same occurrence a no-op.
    begin
      v_job_id := null;
      insert into public.scheduled_sms_jobs
        (workspace_id, to_phone, from_number, body, media_urls, metadata, scheduled_time,
         created_by, recurring_schedule_id, occurrence_at, template_id, template_version, template_variables,
         encoding, segments)
      values
        (p_schedule.workspace_id, p_schedule.to_phone, p_schedule.from_number, p_schedule.body,
         p_schedule.media_urls, p_schedule.metadata, greatest(v_next, p_now),
         p_schedule.created_by, p_schedule.id, v_next, p_schedule.template_id, p_schedule.template_version,
         p_schedule.template_variables, p_schedule.encoding, p_schedule.segments)
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

