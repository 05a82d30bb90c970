-- Materialisation: the sweep's recurring step. Each occurrence due within the lookahead becomes one
-- scheduled_sms_jobs row through the normal insert path, exactly once; occurrences reached too late
-- after downtime are recorded as missed, refused ones as skipped; schedules end at end_at or
-- max_occurrences.

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
      and s.next_run_at <= p_now + pg_catalog.make_interval(secs => private.limit_value('recurring_lookahead_seconds'))
    order by s.next_run_at
    limit private.limit_value('recurring_schedules_per_sweep')
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

