-- A runner renews the leases of its in-flight jobs (private.renew_leases) on one connection while
-- it records a batch of completions (private.complete_jobs) on another; both touch the same rows.
-- The renewal visited them in index order and the completion in input order, so the two could
-- deadlock. Postgres then aborted one after deadlock_timeout: a lost renewal, or a lost batch of
-- completions whose jobs the sweep later re-sent (duplicates in doubt, and a runner stalled for
-- the lease). Now the completion locks its rows in id order first, and the renewal skips rows
-- another transaction holds: such a row is being completed or expired, so it needs no renewal
-- (and the next renewal, a third of a lease later, reaches it if it is still held).

create or replace function private.renew_leases(
  p_worker text,
  p_job_ids text[],
  p_lease_seconds integer default private.limit_value('default_lease_seconds')::integer
) returns integer
language plpgsql
set search_path = ''
as $$
declare
  v_count integer;
begin
  perform private.check_worker_args(p_worker, p_lease_seconds);
  with held as (
    select j.id from public.scheduled_sms_jobs j
    where j.id = any (p_job_ids) and j.status = 'processing' and j.lease_owner = p_worker
    for update skip locked
  )
  update public.scheduled_sms_jobs j
  set lease_expires_at = pg_catalog.now() + pg_catalog.make_interval(secs => p_lease_seconds)
  from held
  where j.id = held.id;
  get diagnostics v_count = row_count;
  return v_count;
end;
$$;
comment on function private.renew_leases is
  'Extends the leases a worker still holds; never waits: a row another transaction holds (being completed or expired) is skipped. Returns how many it renewed.';

create or replace function private.complete_jobs(
  p_worker text,
  p_job_ids text[],
  p_twilio_sids text[],
  p_message_statuses text[],
  p_twilio_segments integer[] default null
) returns integer
language plpgsql
set search_path = ''
as $$
declare
  v_completed text[];
  v_rest record;
begin
  if pg_catalog.cardinality(p_job_ids) <> pg_catalog.cardinality(p_twilio_sids)
     or pg_catalog.cardinality(p_job_ids) <> pg_catalog.cardinality(p_message_statuses)
     or pg_catalog.array_position(p_twilio_sids, null) is not null
     or (p_twilio_segments is not null and pg_catalog.cardinality(p_job_ids) <> pg_catalog.cardinality(p_twilio_segments)) then
    perform private.raise_error('invalid_argument', 'one Twilio sid, message status (and segment count) per job id');
  end if;
  -- Every multi-row writer of the same jobs locks them in id order: no lock cycle is possible.
  perform 1 from public.scheduled_sms_jobs j where j.id = any (p_job_ids) order by j.id for update;
  -- Driven from the (small) input by primary key; joining the unnest() directly made the planner
  -- rescan it once per candidate row.
  with input as materialized (
    select * from unnest(p_job_ids, p_twilio_sids, p_message_statuses,
                         coalesce(p_twilio_segments, pg_catalog.array_fill(null::integer, array[pg_catalog.cardinality(p_job_ids)])))
      as i (job_id, sid, message_status, segments)
  ),
  done as (
    update public.scheduled_sms_jobs j
    set status = 'completed',
        status_reason = 'accepted_by_twilio',
        twilio_sid = i.sid,
        twilio_segments = coalesce(private.positive_or_null(i.segments), j.twilio_segments),
        message_status = private.later_message_status(j.message_status, i.message_status),
        completed_at = pg_catalog.now(),
        lease_owner = null,
        lease_expires_at = null
    from input i
    where j.id = any (p_job_ids) and j.id = i.job_id and j.status = 'processing' and j.lease_owner = p_worker
    returning j.id
  )
  select coalesce(pg_catalog.array_agg(done.id), '{}') into v_completed from done;
  for v_rest in
    select i.job_id, i.sid, i.message_status, i.segments
    from unnest(p_job_ids, p_twilio_sids, p_message_statuses,
                coalesce(p_twilio_segments, pg_catalog.array_fill(null::integer, array[pg_catalog.cardinality(p_job_ids)])))
      as i (job_id, sid, message_status, segments)
    where i.job_id <> all (v_completed)
  loop
    begin
      perform private.complete_job(v_rest.job_id, p_worker, v_rest.sid, v_rest.message_status, v_rest.segments);
    exception when sqlstate 'SMS20' then
      null; -- the job was deleted (with its workspace): nothing left to record
    end;
  end loop;
  return pg_catalog.cardinality(v_completed);
end;
$$;
comment on function private.complete_jobs is
  'complete_job for many jobs of one worker at once; locks its rows in id order (no deadlock with renew_leases or another batch).';
