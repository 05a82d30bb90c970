-- The pg_cron sweep, once a minute, and the monitoring views shown in Supabase Studio.

create table private.sweep_runs (
  id bigint generated always as identity primary key,
  started_at timestamptz not null default clock_timestamp(),
  finished_at timestamptz,
  expired_leases integer not null default 0,
  dispatched integer not null default 0,
  redispatched integer not null default 0,
  dispatch_requests integer not null default 0
);
comment on table private.sweep_runs is 'One row per sweep; kept for private.limit_value(''sweep_history_hours'').';
comment on column private.sweep_runs.dispatched is 'Rows the sweep sent to Trigger.dev for the first time (''trigger'' mode).';
comment on column private.sweep_runs.redispatched is 'Rows sent again because no run claimed them within the grace period.';
comment on column private.sweep_runs.dispatch_requests is 'Batch trigger requests the sweep made.';

-- Expired leases go first: the rows they return to 'retrying' are dispatched by the update trigger
-- in the same transaction. Then recurring occurrences, then dispatch ('trigger' mode), then
-- bookkeeping.
create function private.run_sweep()
returns bigint
language plpgsql
set search_path = ''
as $$
declare
  v_run_id bigint;
  v_dispatch record;
begin
  insert into private.sweep_runs default values returning id into v_run_id;
  update private.sweep_runs
  set expired_leases = private.expire_stale_leases()
  where id = v_run_id;
  -- Recurring schedules: occurrences due within the lookahead become jobs, before dispatch, so
  -- in 'trigger' mode their insert dispatches them.
  perform private.materialise_recurring();
  select * into v_dispatch from private.dispatch_sweep();
  update private.sweep_runs
  set dispatched = v_dispatch.dispatched,
      redispatched = v_dispatch.redispatched,
      dispatch_requests = v_dispatch.requests,
      finished_at = pg_catalog.clock_timestamp()
  where id = v_run_id;
  delete from private.sweep_runs
  where started_at < pg_catalog.now() - pg_catalog.make_interval(hours => private.limit_value('sweep_history_hours')::integer);
  return v_run_id;
end;
$$;
comment on function private.run_sweep is
  'The periodic sweep: recovers expired leases, materialises recurring occurrences, dispatches to Trigger.dev in ''trigger'' mode, and records that it ran.';

select cron.schedule('sms-sweep', '* * * * *', 'select private.run_sweep()');

create function private.last_sweep_at()
returns timestamptz
language sql
stable
security definer
set search_path = ''
as $$
  select max(r.finished_at) from private.sweep_runs r
$$;
comment on function private.last_sweep_at is 'When the sweep last finished; not tenant data, so readable by members through the health view.';
grant execute on function private.last_sweep_at() to authenticated, service_role;

-- Queue health per workspace. security_invoker: the caller's RLS applies, so members see only
-- their own workspaces.
create view public.sms_queue_health
with (security_invoker = true)
as
select
  w.id as workspace_id,
  count(j.id) filter (where j.status = 'queued') as queued,
  count(j.id) filter (where j.status = 'scheduled') as scheduled,
  count(j.id) filter (where j.status = 'processing') as processing,
  count(j.id) filter (where j.status = 'retrying') as retrying,
  count(j.id) filter (where j.status = 'completed') as completed,
  count(j.id) filter (where j.status = 'failed') as failed,
  count(j.id) filter (where j.status = 'cancelled') as cancelled,
  min(j.next_attempt_at) filter (where j.is_pending and j.next_attempt_at <= now()) as oldest_overdue_at,
  now() - min(j.next_attempt_at) filter (where j.is_pending and j.next_attempt_at <= now()) as oldest_overdue_age,
  count(j.id) filter (where j.status = 'retrying') as retries_pending,
  (select count(*) from public.sms_job_events e
   where e.workspace_id = w.id and e.event_type = 'failed'
     and e.created_at > now() - interval '1 hour') as failures_last_hour,
  private.last_sweep_at() as last_sweep_at
from public.workspaces w
left join public.scheduled_sms_jobs j on j.workspace_id = w.id
group by w.id;
comment on view public.sms_queue_health is
  'Per workspace: jobs by status, the oldest overdue job and its age, retries pending, failures in the last hour and the last sweep.';

create view public.sms_recent_failures
with (security_invoker = true)
as
select j.workspace_id, j.id as job_id, j.to_phone, j.attempts, j.max_attempts, j.status_reason,
       j.last_error_code, j.last_error_message, j.updated_at as failed_at
from public.scheduled_sms_jobs j
where j.status = 'failed'
order by j.updated_at desc;
comment on view public.sms_recent_failures is 'Failed jobs, newest first, with their last error.';

revoke all on public.sms_queue_health, public.sms_recent_failures from anon, authenticated;
grant select on public.sms_queue_health, public.sms_recent_failures to authenticated, service_role;
