-- Statistics for the monitoring overview (GET stats), maintained incrementally so that reading them
-- costs the same for a workspace with a hundred jobs or a million: never a scan of all jobs.
--
-- The event log is their one source. Each statement that writes sms_job_events appends small delta
-- rows (job counts by status; sent / delivered / failed per minute and error code): appends never
-- wait on each other, unlike counters updated in place, which would serialise every claim and
-- completion of a workspace on one row. Once a minute pg_cron folds the deltas into the totals. A
-- read adds the deltas not folded yet, in the same statement, so it is exact at any moment.

-- Every limit of the database, now with the statistics' retention (the function's one definition
-- is always its latest: 20261128000110_limits.sql, then here).
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
  end
$$;

create table private.job_count_deltas (
  id bigint generated always as identity primary key,
  workspace_id text not null,
  status public.sms_job_status not null,
  delta integer not null
);
create index job_count_deltas_workspace_idx on private.job_count_deltas (workspace_id);
comment on table private.job_count_deltas is 'Changes to job counts by status not yet folded into private.job_counts.';

create table private.job_counts (
  workspace_id text not null references public.workspaces (id) on delete cascade,
  status public.sms_job_status not null,
  count bigint not null,
  primary key (workspace_id, status)
);
comment on table private.job_counts is 'Jobs by status per workspace, as of the last fold (add private.job_count_deltas).';

create table private.job_activity_deltas (
  id bigint generated always as identity primary key,
  workspace_id text not null,
  minute timestamptz not null,
  error_code text not null,
  sent integer not null,
  delivered integer not null,
  failed integer not null
);
create index job_activity_deltas_workspace_idx on private.job_activity_deltas (workspace_id, minute);
comment on table private.job_activity_deltas is 'Activity not yet folded into private.job_activity.';

create table private.job_activity (
  workspace_id text not null references public.workspaces (id) on delete cascade,
  minute timestamptz not null,
  -- The failures' error code; '' on the row of a minute's sends and deliveries.
  error_code text not null,
  sent integer not null,
  delivered integer not null,
  failed integer not null,
  primary key (workspace_id, minute, error_code)
);
comment on table private.job_activity is
  'Per workspace and minute: messages accepted by Twilio (sent), reported delivered, and failed (ours: retries exhausted or a permanent error; Twilio''s: undelivered or failed), by error code. Kept for job_activity_days.';

-- Not client-facing: no grants (the API reads them as the owner, after its own role check).
revoke all on private.job_count_deltas, private.job_counts, private.job_activity_deltas, private.job_activity
  from anon, authenticated, public;

-- Every status change is an event with from_status and to_status (created: no from_status).
create function private.add_job_statistics()
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
create trigger sms_job_events_add_statistics after insert on public.sms_job_events
  referencing new table as new_events
  for each statement execute function private.add_job_statistics();

-- A deleted job leaves the counts (its history stays in the activity).
create function private.subtract_deleted_jobs()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into private.job_count_deltas (workspace_id, status, delta)
  select o.workspace_id, o.status, -pg_catalog.count(*)::integer from old_jobs o group by 1, 2;
  return null;
end;
$$;
create trigger scheduled_sms_jobs_subtract_deleted after delete on public.scheduled_sms_jobs
  referencing old table as old_jobs
  for each statement execute function private.subtract_deleted_jobs();

create function private.forget_job_counts()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from private.job_count_deltas;
  delete from private.job_counts;
  return null;
end;
$$;
create trigger scheduled_sms_jobs_forget_counts after truncate on public.scheduled_sms_jobs
  for each statement execute function private.forget_job_counts();

-- Once a minute: deltas into totals, and activity older than its retention dropped. Deltas of a
-- workspace deleted meanwhile are dropped with the rest.
create function private.fold_job_statistics()
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  with moved as (
    delete from private.job_count_deltas returning workspace_id, status, delta
  )
  insert into private.job_counts (workspace_id, status, count)
  select m.workspace_id, m.status, sum(m.delta) from moved m
  where exists (select 1 from public.workspaces w where w.id = m.workspace_id)
  group by 1, 2
  on conflict (workspace_id, status) do update set count = private.job_counts.count + excluded.count;

  with moved as (
    delete from private.job_activity_deltas returning workspace_id, minute, error_code, sent, delivered, failed
  )
  insert into private.job_activity (workspace_id, minute, error_code, sent, delivered, failed)
  select m.workspace_id, m.minute, m.error_code, sum(m.sent), sum(m.delivered), sum(m.failed) from moved m
  where exists (select 1 from public.workspaces w where w.id = m.workspace_id)
  group by 1, 2, 3
  on conflict (workspace_id, minute, error_code) do update
    set sent = private.job_activity.sent + excluded.sent,
        delivered = private.job_activity.delivered + excluded.delivered,
        failed = private.job_activity.failed + excluded.failed;

  delete from private.job_activity
  where minute < pg_catalog.now() - pg_catalog.make_interval(days => private.limit_value('job_activity_days')::integer);
end;
$$;
comment on function private.fold_job_statistics is 'Folds the statistics deltas into their totals (pg_cron, every minute).';

select cron.schedule('sms-statistics', '* * * * *', 'select private.fold_job_statistics()');

-- Recomputes every statistic from the jobs and the event log (after a bulk load with triggers off,
-- or to check the rollups).
create function private.rebuild_job_statistics()
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

-- Reading, each in one statement: totals plus the deltas not folded yet.
create function private.job_counts_of(p_workspace_id text)
returns table (status public.sms_job_status, count bigint)
language sql
stable
security definer
set search_path = ''
as $$
  select s.status,
         coalesce((select c.count from private.job_counts c where c.workspace_id = p_workspace_id and c.status = s.status), 0)
         + coalesce((select sum(d.delta) from private.job_count_deltas d
                     where d.workspace_id = p_workspace_id and d.status = s.status), 0)
  from pg_catalog.unnest(pg_catalog.enum_range(null::public.sms_job_status)) as s (status)
$$;

-- Sent, delivered and failed per bucket ('minute' or 'hour', hours of p_timezone) since p_since.
create function private.job_activity_of(p_workspace_id text, p_since timestamptz, p_bucket text, p_timezone text)
returns table (bucket timestamptz, sent bigint, delivered bigint, failed bigint)
language sql
stable
security definer
set search_path = ''
as $$
  select pg_catalog.date_trunc(p_bucket, a.minute, p_timezone), sum(a.sent), sum(a.delivered), sum(a.failed)
  from (
    select x.minute, x.sent, x.delivered, x.failed from private.job_activity x
    where x.workspace_id = p_workspace_id and x.minute >= p_since
    union all
    select d.minute, d.sent, d.delivered, d.failed from private.job_activity_deltas d
    where d.workspace_id = p_workspace_id and d.minute >= p_since
  ) a
  group by 1
  order by 1
$$;

create function private.job_failures_of(p_workspace_id text, p_since timestamptz)
returns table (error_code text, failures bigint)
language sql
stable
security definer
set search_path = ''
as $$
  select a.error_code, sum(a.failed)
  from (
    select x.error_code, x.failed from private.job_activity x
    where x.workspace_id = p_workspace_id and x.minute >= p_since and x.failed > 0
    union all
    select d.error_code, d.failed from private.job_activity_deltas d
    where d.workspace_id = p_workspace_id and d.minute >= p_since and d.failed > 0
  ) a
  group by 1
  order by 2 desc, 1
$$;

-- The pending job of a workspace longest past its due time. queued and scheduled jobs are due at
-- their scheduled_time (one index probe each); retrying ones are few.
create function private.oldest_overdue_of(p_workspace_id text)
returns timestamptz
language sql
stable
security definer
set search_path = ''
as $$
  select min(t.due) from (
    (select j.scheduled_time as due from public.scheduled_sms_jobs j
     where j.workspace_id = p_workspace_id and j.status = 'queued' order by j.scheduled_time limit 1)
    union all
    (select j.scheduled_time from public.scheduled_sms_jobs j
     where j.workspace_id = p_workspace_id and j.status = 'scheduled' order by j.scheduled_time limit 1)
    union all
    (select min(j.next_attempt_at) from public.scheduled_sms_jobs j
     where j.workspace_id = p_workspace_id and j.status = 'retrying')
  ) t
  where t.due <= pg_catalog.now()
$$;

-- Jobs of a workspace in one status, in the listing order (GET jobs?status=… and the oldest
-- overdue above): replaces the (workspace_id, status) index, which could not give either order.
drop index public.scheduled_sms_jobs_workspace_status_idx;
create index scheduled_sms_jobs_workspace_status_idx
  on public.scheduled_sms_jobs (workspace_id, status, scheduled_time desc, id desc);

-- GET jobs?search=<the start of a number>: a workspace's jobs by recipient, compared byte-wise so a
-- prefix is a range whatever the database's collation.
create index scheduled_sms_jobs_workspace_recipient_idx
  on public.scheduled_sms_jobs (workspace_id, (to_phone collate "C"));

-- Start from what is there (a database upgraded with jobs in it).
select private.rebuild_job_statistics();
