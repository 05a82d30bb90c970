-- The statistics' activity (20261130000100_job_statistics.sql) computed inline: private.event_activity,
-- called once per event through a lateral join and not inlinable (its own search_path), made the
-- event-log trigger the slowest statement of every claim and completion under concurrency (two
-- runners racing a sweep: 35-60 s and duplicate sends with 2 s leases instead of ~2 s). The trigger
-- and the rebuild now use the same expressions written out; pgTAP 060 checks that both agree.

create or replace function private.add_job_statistics()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into private.job_count_deltas (workspace_id, status, delta)
  select d.workspace_id, d.status, sum(d.delta)::integer
  from (
    select e.workspace_id, e.to_status as status, 1 as delta from new_events e
    where e.to_status is not null and e.to_status is distinct from e.from_status
    union all
    select e.workspace_id, e.from_status, -1 from new_events e
    where e.from_status is not null and e.to_status is not null and e.to_status <> e.from_status
  ) d
  group by d.workspace_id, d.status
  having sum(d.delta) <> 0;

  -- What an event adds to the activity; rebuild_job_statistics reads the log with the same
  -- expressions (pgTAP 060 checks that both agree). Inline rather than a helper function: called
  -- once per event, a non-inlinable function made this statement the slowest part of every
  -- claim and completion under concurrency.
  insert into private.job_activity_deltas (workspace_id, minute, error_code, sent, delivered, failed)
  select a.workspace_id, a.minute, case when a.failed = 1 then a.error_code else '' end,
         sum(a.sent)::integer, sum(a.delivered)::integer, sum(a.failed)::integer
  from (
    select e.workspace_id, pg_catalog.date_trunc('minute', e.created_at) as minute,
           coalesce(e.error_code, 'unknown') as error_code,
           (e.event_type = 'completed')::integer as sent,
           (e.event_type = 'message_status' and e.details ->> 'to' = 'delivered')::integer as delivered,
           (e.event_type = 'failed'
            or (e.event_type = 'message_status' and e.details ->> 'to' in ('undelivered', 'failed')))::integer as failed
    from new_events e
    where e.event_type in ('completed', 'failed', 'message_status')
  ) a
  where a.sent + a.delivered + a.failed > 0
  group by 1, 2, 3;
  return null;
end;
$$;

create or replace function private.rebuild_job_statistics()
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from private.job_count_deltas;
  delete from private.job_counts;
  delete from private.job_activity_deltas;
  delete from private.job_activity;
  insert into private.job_counts (workspace_id, status, count)
  select j.workspace_id, j.status, pg_catalog.count(*) from public.scheduled_sms_jobs j group by 1, 2;
  -- The same expressions as add_job_statistics.
  insert into private.job_activity (workspace_id, minute, error_code, sent, delivered, failed)
  select a.workspace_id, a.minute, case when a.failed = 1 then a.error_code else '' end,
         sum(a.sent), sum(a.delivered), sum(a.failed)
  from (
    select e.workspace_id, pg_catalog.date_trunc('minute', e.created_at) as minute,
           coalesce(e.error_code, 'unknown') as error_code,
           (e.event_type = 'completed')::integer as sent,
           (e.event_type = 'message_status' and e.details ->> 'to' = 'delivered')::integer as delivered,
           (e.event_type = 'failed'
            or (e.event_type = 'message_status' and e.details ->> 'to' in ('undelivered', 'failed')))::integer as failed
    from public.sms_job_events e
    where e.event_type in ('completed', 'failed', 'message_status')
      and e.created_at >= pg_catalog.now() - pg_catalog.make_interval(days => private.limit_value('job_activity_days')::integer)
  ) a
  where a.sent + a.delivered + a.failed > 0
  group by 1, 2, 3;
end;
$$;

drop function private.event_activity(text, jsonb);
