-- Delivery analytics (GET analytics): an hourly rollup of what happened to a workspace's messages,
-- by sender, template, batch and schedule, maintained incrementally from the event log as the
-- monitoring statistics are (20261130000100_job_statistics.sql): the statement trigger on
-- sms_job_events appends delta rows (appends never wait on each other, counters updated in place
-- would serialise every completion of a workspace on one row), pg_cron folds them once a minute,
-- and a read adds the deltas not folded yet, so answers are exact at any moment and never scan
-- the jobs.
--
-- Percentiles come from histograms kept in the rollup: fixed log-scale buckets of milliseconds,
-- bucket 0 under 10 ms, bucket b >= 1 from 10 * 2^((b-1)/4) to 10 * 2^(b/4) ms (four buckets per
-- doubling: a percentile is reported as its bucket's upper bound, at most 19% above the true value;
-- the last bucket, 127, starts beyond a year).
--
-- Hours are UTC hours; a day bucket is the hours from one local midnight of the workspace's
-- timezone to the next (23 or 25 of them on DST days). In a zone whose offset is not whole hours
-- (Asia/Kolkata, +05:30) an hour straddling local midnight counts in the day it starts in.

-- Its limit (analytics_retention_days) is named in private.limit_value by
-- 20261130000650_retry_policy_followups.sql, the migration before this one.

-- Twilio's price for a message (negative, as Twilio reports it: a charge) and its currency, from a
-- status callback or the send's answer where they carry it (private.record_message_price).
alter table public.scheduled_sms_jobs
  add column price numeric,
  add column price_unit text check (price_unit ~ '^[A-Z]{3}$');
comment on column public.scheduled_sms_jobs.price is 'Twilio''s price (Price / price: negative, a charge); null until reported.';
comment on column public.scheduled_sms_jobs.price_unit is 'The currency of price (ISO 4217, Twilio''s PriceUnit).';

-- The rollup's key: the hour, the four things a report may group by ('' when a message has none),
-- the error code on failures' rows ('' otherwise) and the currency on costs' rows ('' otherwise).
create table private.delivery_hourly (
  workspace_id text not null references public.workspaces (id) on delete cascade,
  hour timestamptz not null,
  sender text not null,
  template_id text not null,
  batch_id text not null,
  schedule_id text not null,
  error_code text not null,
  currency text not null,
  attempted integer not null,
  sent integer not null,
  delivered integer not null,
  undelivered integer not null,
  failed_ours integer not null,
  failed_twilio integer not null,
  cancelled integer not null,
  segments bigint not null,
  segments_ucs2 bigint not null,
  cost numeric not null,
  lag_max_ms bigint,
  primary key (workspace_id, hour, sender, template_id, batch_id, schedule_id, error_code, currency)
);
comment on table private.delivery_hourly is
  'Per workspace, UTC hour, sender, template, batch and schedule: messages attempted, sent, delivered, undelivered, failed (ours, Twilio''s; by error code), cancelled, segments, cost (by currency), the longest send lag. Kept for analytics_retention_days.';

create table private.delivery_hourly_deltas (
  id bigint generated always as identity primary key,
  workspace_id text not null,
  hour timestamptz not null,
  sender text not null,
  template_id text not null,
  batch_id text not null,
  schedule_id text not null,
  error_code text not null,
  currency text not null,
  attempted integer not null,
  sent integer not null,
  delivered integer not null,
  undelivered integer not null,
  failed_ours integer not null,
  failed_twilio integer not null,
  cancelled integer not null,
  segments bigint not null,
  segments_ucs2 bigint not null,
  cost numeric not null,
  lag_max_ms bigint
);
create index delivery_hourly_deltas_workspace_idx on private.delivery_hourly_deltas (workspace_id, hour);
comment on table private.delivery_hourly_deltas is 'Analytics not yet folded into private.delivery_hourly.';

-- Histograms: metric 'lag' (scheduled time -> accepted by Twilio) and 'latency' (accepted ->
-- delivered), messages per log-scale bucket (see the header).
create table private.delivery_timing_hourly (
  workspace_id text not null references public.workspaces (id) on delete cascade,
  hour timestamptz not null,
  sender text not null,
  template_id text not null,
  batch_id text not null,
  schedule_id text not null,
  metric text not null check (metric in ('lag', 'latency')),
  bucket smallint not null check (bucket between 0 and 127),
  count integer not null,
  primary key (workspace_id, hour, sender, template_id, batch_id, schedule_id, metric, bucket)
);
comment on table private.delivery_timing_hourly is 'Send lag and delivery latency histograms per hour (log-scale buckets of milliseconds).';

create table private.delivery_timing_deltas (
  id bigint generated always as identity primary key,
  workspace_id text not null,
  hour timestamptz not null,
  sender text not null,
  template_id text not null,
  batch_id text not null,
  schedule_id text not null,
  metric text not null,
  bucket smallint not null,
  count integer not null
);
create index delivery_timing_deltas_workspace_idx on private.delivery_timing_deltas (workspace_id, hour);
comment on table private.delivery_timing_deltas is 'Histogram counts not yet folded into private.delivery_timing_hourly.';

-- Not client-facing: no grants (the API reads them as the owner, after its own role check).
revoke all on private.delivery_hourly, private.delivery_hourly_deltas, private.delivery_timing_hourly,
  private.delivery_timing_deltas from anon, authenticated, public;

-- What each event adds. The rebuild below reads the log with the same expressions (pgTAP 100
-- checks that both agree); inline, not a helper function, for the reason the statistics trigger
-- gives (a per-row function call made claims and completions slow under concurrency). Only the
-- events that count are joined to their job (by primary key): claims and retries cost one filter.
-- A job's sender, template, batch, schedule, scheduled time, segments and encoding never change,
-- and completed_at is set once, so reading them now or in a rebuild gives the same answer; a
-- delivery reported before the send's own record (no completed_at yet) has no latency either way.
create function private.add_delivery_statistics()
returns trigger
language plpgsql
security definer
set search_path = ''
-- One index probe per counted event; a hash join would read every job for a batch of completions.
set enable_hashjoin = off
set enable_mergejoin = off
-- The bucket's logarithm in float8: numeric log() cost 18 µs a row, most of this statement.
-- Disabling those joins inflates the plan's cost estimate past jit_above_cost: JIT-compiling this
-- small statement took 1.5 s of every completion batch (measured: 500 completions, 1174 ms
-- instead of 105 ms).
set jit = off
as $$
begin
  with a as materialized (
    select e.workspace_id, pg_catalog.date_trunc('hour', e.created_at, 'UTC') as hour,
           j.from_number as sender, coalesce(j.template_id, '') as template_id,
           coalesce(j.batch_id, '') as batch_id, coalesce(j.recurring_schedule_id, '') as schedule_id,
           case when e.event_type = 'failed' or e.details ->> 'to' in ('undelivered', 'failed')
                then coalesce(e.error_code, 'unknown') else '' end as error_code,
           case when e.event_type = 'price_reported' then e.details ->> 'price_unit' else '' end as currency,
           -- A hand-off to Twilio that ended: accepted, or failed (a manual retry is a new attempt);
           -- an expiry ('expired', 20261130000600) is a failure that never reached Twilio.
           (e.event_type = 'completed' or (e.event_type = 'failed' and e.error_code is distinct from 'expired'))::integer as attempted,
           (e.event_type = 'completed')::integer as sent,
           (coalesce(e.details ->> 'to', '') = 'delivered')::integer as delivered,
           (coalesce(e.details ->> 'to', '') = 'undelivered')::integer as undelivered,
           (e.event_type = 'failed')::integer as failed_ours,
           (coalesce(e.details ->> 'to', '') = 'failed')::integer as failed_twilio,
           (e.event_type = 'cancelled')::integer as cancelled,
           case when e.event_type = 'completed' then coalesce(j.segments, 1) else 0 end as segments,
           case when e.event_type = 'completed' and j.encoding = 'UCS-2' then coalesce(j.segments, 1) else 0 end as segments_ucs2,
           case when e.event_type = 'price_reported' then pg_catalog.abs((e.details ->> 'price')::numeric) else 0 end as cost,
           case when e.event_type = 'completed'
                then greatest(0, pg_catalog.floor(extract(epoch from e.created_at - j.scheduled_time) * 1000))::bigint end as lag_ms,
           case when e.details ->> 'to' = 'delivered' and j.completed_at <= e.created_at
                then greatest(0, pg_catalog.floor(extract(epoch from e.created_at - j.completed_at) * 1000))::bigint end as latency_ms
    from new_events e
    join public.scheduled_sms_jobs j on j.id = e.job_id
    where e.event_type in ('completed', 'failed', 'cancelled', 'price_reported')
       or (e.event_type = 'message_status' and e.details ->> 'to' in ('delivered', 'undelivered', 'failed'))
  ),
  counters as (
    insert into private.delivery_hourly_deltas (workspace_id, hour, sender, template_id, batch_id, schedule_id,
      error_code, currency, attempted, sent, delivered, undelivered, failed_ours, failed_twilio, cancelled,
      segments, segments_ucs2, cost, lag_max_ms)
    select a.workspace_id, a.hour, a.sender, a.template_id, a.batch_id, a.schedule_id, a.error_code, a.currency,
           sum(a.attempted), sum(a.sent), sum(a.delivered), sum(a.undelivered), sum(a.failed_ours),
           sum(a.failed_twilio), sum(a.cancelled), sum(a.segments), sum(a.segments_ucs2), sum(a.cost), max(a.lag_ms)
    from a
    group by 1, 2, 3, 4, 5, 6, 7, 8
  )
  insert into private.delivery_timing_deltas (workspace_id, hour, sender, template_id, batch_id, schedule_id, metric, bucket, count)
  select t.workspace_id, t.hour, t.sender, t.template_id, t.batch_id, t.schedule_id, t.metric,
         case when t.ms < 10 then 0
              else least(127, 1 + pg_catalog.floor(4 * pg_catalog.ln(t.ms / 10.0::float8) / pg_catalog.ln(2::float8)))::smallint end,
         pg_catalog.count(*)::integer
  from (
    select a.workspace_id, a.hour, a.sender, a.template_id, a.batch_id, a.schedule_id, 'lag' as metric, a.lag_ms as ms
    from a where a.lag_ms is not null
    union all
    select a.workspace_id, a.hour, a.sender, a.template_id, a.batch_id, a.schedule_id, 'latency', a.latency_ms
    from a where a.latency_ms is not null
  ) t
  group by 1, 2, 3, 4, 5, 6, 7, 8;
  return null;
end;
$$;
create trigger sms_job_events_add_delivery_statistics after insert on public.sms_job_events
  referencing new table as new_events
  for each statement execute function private.add_delivery_statistics();

-- Once a minute (the statistics' cron job calls it): deltas into the rollup, hours older than the
-- retention dropped. Deltas of a workspace deleted meanwhile are dropped with the rest.
create function private.fold_delivery_statistics()
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  with moved as (
    delete from private.delivery_hourly_deltas returning *
  )
  insert into private.delivery_hourly (workspace_id, hour, sender, template_id, batch_id, schedule_id, error_code,
    currency, attempted, sent, delivered, undelivered, failed_ours, failed_twilio, cancelled, segments,
    segments_ucs2, cost, lag_max_ms)
  select m.workspace_id, m.hour, m.sender, m.template_id, m.batch_id, m.schedule_id, m.error_code, m.currency,
         sum(m.attempted), sum(m.sent), sum(m.delivered), sum(m.undelivered), sum(m.failed_ours),
         sum(m.failed_twilio), sum(m.cancelled), sum(m.segments), sum(m.segments_ucs2), sum(m.cost), max(m.lag_max_ms)
  from moved m
  where exists (select 1 from public.workspaces w where w.id = m.workspace_id)
  group by 1, 2, 3, 4, 5, 6, 7, 8
  on conflict (workspace_id, hour, sender, template_id, batch_id, schedule_id, error_code, currency) do update
    set attempted = private.delivery_hourly.attempted + excluded.attempted,
        sent = private.delivery_hourly.sent + excluded.sent,
        delivered = private.delivery_hourly.delivered + excluded.delivered,
        undelivered = private.delivery_hourly.undelivered + excluded.undelivered,
        failed_ours = private.delivery_hourly.failed_ours + excluded.failed_ours,
        failed_twilio = private.delivery_hourly.failed_twilio + excluded.failed_twilio,
        cancelled = private.delivery_hourly.cancelled + excluded.cancelled,
        segments = private.delivery_hourly.segments + excluded.segments,
        segments_ucs2 = private.delivery_hourly.segments_ucs2 + excluded.segments_ucs2,
        cost = private.delivery_hourly.cost + excluded.cost,
        lag_max_ms = greatest(private.delivery_hourly.lag_max_ms, excluded.lag_max_ms);

  with moved as (
    delete from private.delivery_timing_deltas returning *
  )
  insert into private.delivery_timing_hourly (workspace_id, hour, sender, template_id, batch_id, schedule_id, metric, bucket, count)
  select m.workspace_id, m.hour, m.sender, m.template_id, m.batch_id, m.schedule_id, m.metric, m.bucket, sum(m.count)
  from moved m
  where exists (select 1 from public.workspaces w where w.id = m.workspace_id)
  group by 1, 2, 3, 4, 5, 6, 7, 8
  on conflict (workspace_id, hour, sender, template_id, batch_id, schedule_id, metric, bucket) do update
    set count = private.delivery_timing_hourly.count + excluded.count;

  delete from private.delivery_hourly
  where hour < pg_catalog.now() - pg_catalog.make_interval(days => private.limit_value('analytics_retention_days')::integer);
  delete from private.delivery_timing_hourly
  where hour < pg_catalog.now() - pg_catalog.make_interval(days => private.limit_value('analytics_retention_days')::integer);
end;
$$;
comment on function private.fold_delivery_statistics is 'Folds the analytics deltas into their hourly rollup (pg_cron, every minute).';

select cron.schedule('sms-delivery-analytics', '* * * * *', 'select private.fold_delivery_statistics()');

-- Recomputes the rollup from the event log (after a bulk load with triggers off, or to check it).
-- The same expressions as add_delivery_statistics.
create function private.rebuild_delivery_statistics()
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from private.delivery_hourly_deltas;
  delete from private.delivery_hourly;
  delete from private.delivery_timing_deltas;
  delete from private.delivery_timing_hourly;
  create temporary table delivery_rebuild on commit drop as
    select e.workspace_id, pg_catalog.date_trunc('hour', e.created_at, 'UTC') as hour,
           j.from_number as sender, coalesce(j.template_id, '') as template_id,
           coalesce(j.batch_id, '') as batch_id, coalesce(j.recurring_schedule_id, '') as schedule_id,
           case when e.event_type = 'failed' or e.details ->> 'to' in ('undelivered', 'failed')
                then coalesce(e.error_code, 'unknown') else '' end as error_code,
           case when e.event_type = 'price_reported' then e.details ->> 'price_unit' else '' end as currency,
           -- A hand-off to Twilio that ended: accepted, or failed (a manual retry is a new attempt);
           -- an expiry ('expired', 20261130000600) is a failure that never reached Twilio.
           (e.event_type = 'completed' or (e.event_type = 'failed' and e.error_code is distinct from 'expired'))::integer as attempted,
           (e.event_type = 'completed')::integer as sent,
           (coalesce(e.details ->> 'to', '') = 'delivered')::integer as delivered,
           (coalesce(e.details ->> 'to', '') = 'undelivered')::integer as undelivered,
           (e.event_type = 'failed')::integer as failed_ours,
           (coalesce(e.details ->> 'to', '') = 'failed')::integer as failed_twilio,
           (e.event_type = 'cancelled')::integer as cancelled,
           case when e.event_type = 'completed' then coalesce(j.segments, 1) else 0 end as segments,
           case when e.event_type = 'completed' and j.encoding = 'UCS-2' then coalesce(j.segments, 1) else 0 end as segments_ucs2,
           case when e.event_type = 'price_reported' then pg_catalog.abs((e.details ->> 'price')::numeric) else 0 end as cost,
           case when e.event_type = 'completed'
                then greatest(0, pg_catalog.floor(extract(epoch from e.created_at - j.scheduled_time) * 1000))::bigint end as lag_ms,
           case when e.details ->> 'to' = 'delivered' and j.completed_at <= e.created_at
                then greatest(0, pg_catalog.floor(extract(epoch from e.created_at - j.completed_at) * 1000))::bigint end as latency_ms
    from public.sms_job_events e
    join public.scheduled_sms_jobs j on j.id = e.job_id
    where (e.event_type in ('completed', 'failed', 'cancelled', 'price_reported')
           or (e.event_type = 'message_status' and e.details ->> 'to' in ('delivered', 'undelivered', 'failed')))
      and e.created_at >= pg_catalog.now() - pg_catalog.make_interval(days => private.limit_value('analytics_retention_days')::integer);

  insert into private.delivery_hourly (workspace_id, hour, sender, template_id, batch_id, schedule_id, error_code,
    currency, attempted, sent, delivered, undelivered, failed_ours, failed_twilio, cancelled, segments,
    segments_ucs2, cost, lag_max_ms)
  select a.workspace_id, a.hour, a.sender, a.template_id, a.batch_id, a.schedule_id, a.error_code, a.currency,
         sum(a.attempted), sum(a.sent), sum(a.delivered), sum(a.undelivered), sum(a.failed_ours),
         sum(a.failed_twilio), sum(a.cancelled), sum(a.segments), sum(a.segments_ucs2), sum(a.cost), max(a.lag_ms)
  from pg_temp.delivery_rebuild a
  group by 1, 2, 3, 4, 5, 6, 7, 8;

  insert into private.delivery_timing_hourly (workspace_id, hour, sender, template_id, batch_id, schedule_id, metric, bucket, count)
  select t.workspace_id, t.hour, t.sender, t.template_id, t.batch_id, t.schedule_id, t.metric,
         case when t.ms < 10 then 0
              else least(127, 1 + pg_catalog.floor(4 * pg_catalog.ln(t.ms / 10.0::float8) / pg_catalog.ln(2::float8)))::smallint end,
         pg_catalog.count(*)::integer
  from (
    select a.workspace_id, a.hour, a.sender, a.template_id, a.batch_id, a.schedule_id, 'lag' as metric, a.lag_ms as ms
    from pg_temp.delivery_rebuild a where a.lag_ms is not null
    union all
    select a.workspace_id, a.hour, a.sender, a.template_id, a.batch_id, a.schedule_id, 'latency', a.latency_ms
    from pg_temp.delivery_rebuild a where a.latency_ms is not null
  ) t
  group by 1, 2, 3, 4, 5, 6, 7, 8;
  drop table pg_temp.delivery_rebuild;
end;
$$;

-- Records Twilio's price for a message where a status callback or the send's answer carries it:
-- once (a price does not change), as a 'price_reported' event, from which the rollup counts it. A
-- report about another sid than the job's (a duplicate send) is not the job's cost. Returns the
-- job id, or null when there is no such job.
create function private.record_message_price(p_job_id text, p_twilio_sid text, p_price numeric, p_price_unit text)
returns text
language plpgsql
set search_path = ''
as $$
declare
  v_job public.scheduled_sms_jobs;
begin
  if p_price is null or p_price_unit is null or p_price_unit !~ '^[A-Z]{3}$' then
    perform private.raise_error('invalid_argument', 'a price needs an amount and a three-letter currency');
  end if;
  select * into v_job from public.scheduled_sms_jobs where id = p_job_id for update;
  if not found then
    return null;
  end if;
  if v_job.price is not null or (v_job.twilio_sid is not null and v_job.twilio_sid <> p_twilio_sid) then
    return v_job.id;
  end if;
  update public.scheduled_sms_jobs set price = p_price, price_unit = p_price_unit where id = v_job.id;
  insert into public.sms_job_events (job_id, workspace_id, event_type, from_status, to_status, attempt, details)
  values (v_job.id, v_job.workspace_id, 'price_reported', v_job.status, v_job.status, v_job.attempts,
          pg_catalog.jsonb_build_object('twilio_sid', p_twilio_sid, 'price', p_price, 'price_unit', p_price_unit));
  return v_job.id;
end;
$$;
comment on function private.record_message_price is 'Records Twilio''s price of a job''s message once, with a price_reported event.';
revoke all on function private.record_message_price(text, text, numeric, text) from public, anon, authenticated;

-- The buckets of a period: UTC hours, or the workspace's local days (23 or 25 hours on DST days),
-- from the one containing p_from to the last starting before p_to.
create function private.analytics_buckets(p_from timestamptz, p_to timestamptz, p_unit text, p_timezone text)
returns table (bucket timestamptz)
language sql
stable
set search_path = ''
as $$
  select h from pg_catalog.generate_series(pg_catalog.date_trunc('hour', p_from, 'UTC'), p_to, interval '1 hour') as h
  where p_unit = 'hour' and h < p_to
  union all
  select d.day::timestamp at time zone p_timezone
  from pg_catalog.generate_series((p_from at time zone p_timezone)::date::timestamp,
                                  (p_to at time zone p_timezone)::date::timestamp, interval '1 day') as d (day)
  where p_unit = 'day' and (d.day::timestamp at time zone p_timezone) < p_to
  order by 1
$$;

-- Reading, each in one statement: the rollup plus the deltas not folded yet, hours in [p_first, p_end).
-- A row's bucket is its hour, or the workspace's local day the hour starts in; its group is its
-- sender, template, batch or schedule ('' when not grouped). Both inline (CASE expressions): as
-- helper functions (not inlinable, having a search_path) they were most of a month's read.
create function private.delivery_stats_of(p_workspace_id text, p_first timestamptz, p_end timestamptz,
  p_unit text, p_timezone text, p_group text)
returns table (bucket timestamptz, group_key text, error_code text, currency text, attempted bigint, sent bigint,
  delivered bigint, undelivered bigint, failed_ours bigint, failed_twilio bigint, cancelled bigint, segments bigint,
  segments_ucs2 bigint, cost numeric, lag_max_ms bigint)
language sql
stable
security definer
set search_path = ''
-- A month of hourly rows is estimated costly enough to JIT-compile, which costs more than the
-- read itself (tens of milliseconds): never worth it for these small aggregates.
set jit = off
as $$
  select case when p_unit = 'hour' then a.hour else pg_catalog.date_trunc('day', a.hour, p_timezone) end,
         case p_group when 'sender' then a.sender when 'template' then a.template_id
                      when 'batch' then a.batch_id when 'schedule' then a.schedule_id else '' end,
         a.error_code, a.currency, sum(a.attempted), sum(a.sent), sum(a.delivered), sum(a.undelivered),
         sum(a.failed_ours), sum(a.failed_twilio), sum(a.cancelled), sum(a.segments), sum(a.segments_ucs2),
         sum(a.cost), max(a.lag_max_ms)
  from (
    select x.hour, x.sender, x.template_id, x.batch_id, x.schedule_id, x.error_code, x.currency, x.attempted,
           x.sent, x.delivered, x.undelivered, x.failed_ours, x.failed_twilio, x.cancelled, x.segments,
           x.segments_ucs2, x.cost, x.lag_max_ms
    from private.delivery_hourly x
    where x.workspace_id = p_workspace_id and x.hour >= p_first and x.hour < p_end
    union all
    select d.hour, d.sender, d.template_id, d.batch_id, d.schedule_id, d.error_code, d.currency, d.attempted,
           d.sent, d.delivered, d.undelivered, d.failed_ours, d.failed_twilio, d.cancelled, d.segments,
           d.segments_ucs2, d.cost, d.lag_max_ms
    from private.delivery_hourly_deltas d
    where d.workspace_id = p_workspace_id and d.hour >= p_first and d.hour < p_end
  ) a
  group by 1, 2, 3, 4
$$;

create function private.delivery_timing_of(p_workspace_id text, p_first timestamptz, p_end timestamptz,
  p_unit text, p_timezone text, p_group text)
returns table (bucket timestamptz, group_key text, metric text, histogram_bucket smallint, count bigint)
language sql
stable
security definer
set search_path = ''
-- A month of hourly rows is estimated costly enough to JIT-compile, which costs more than the
-- read itself (tens of milliseconds): never worth it for these small aggregates.
set jit = off
as $$
  select case when p_unit = 'hour' then a.hour else pg_catalog.date_trunc('day', a.hour, p_timezone) end,
         case p_group when 'sender' then a.sender when 'template' then a.template_id
                      when 'batch' then a.batch_id when 'schedule' then a.schedule_id else '' end,
         a.metric, a.bucket, sum(a.count)
  from (
    select x.hour, x.sender, x.template_id, x.batch_id, x.schedule_id, x.metric, x.bucket, x.count
    from private.delivery_timing_hourly x
    where x.workspace_id = p_workspace_id and x.hour >= p_first and x.hour < p_end
    union all
    select d.hour, d.sender, d.template_id, d.batch_id, d.schedule_id, d.metric, d.bucket, d.count
    from private.delivery_timing_deltas d
    where d.workspace_id = p_workspace_id and d.hour >= p_first and d.hour < p_end
  ) a
  group by 1, 2, 3, 4
$$;

-- Messages accepted by Twilio more than 24 hours ago that still have no final status. Few by
-- nature, so a partial index holds only them and the last day's sends.
create index scheduled_sms_jobs_awaiting_status_idx
  on public.scheduled_sms_jobs (workspace_id, completed_at)
  -- Spelled out rather than through private.message_status_rank: clients that insert jobs maintain
  -- this index and may not call that function. Not final: no status yet, or one before delivered.
  where status = 'completed' and (message_status is null or message_status in ('accepted', 'scheduled', 'queued', 'sending', 'sent'));

create function private.delivery_stuck_of(p_workspace_id text, p_first timestamptz, p_end timestamptz,
  p_unit text, p_timezone text, p_group text)
returns table (bucket timestamptz, group_key text, stuck bigint)
language sql
stable
security definer
set search_path = ''
-- A month of hourly rows is estimated costly enough to JIT-compile, which costs more than the
-- read itself (tens of milliseconds): never worth it for these small aggregates.
set jit = off
as $$
  select case when p_unit = 'hour' then pg_catalog.date_trunc('hour', j.completed_at, 'UTC')
              else pg_catalog.date_trunc('day', pg_catalog.date_trunc('hour', j.completed_at, 'UTC'), p_timezone) end,
         case p_group when 'sender' then j.from_number when 'template' then coalesce(j.template_id, '')
                      when 'batch' then coalesce(j.batch_id, '') when 'schedule' then coalesce(j.recurring_schedule_id, '')
                      else '' end,
         pg_catalog.count(*)
  from public.scheduled_sms_jobs j
  where j.workspace_id = p_workspace_id and j.status = 'completed'
    and (j.message_status is null or j.message_status in ('accepted', 'scheduled', 'queued', 'sending', 'sent'))
    and j.completed_at >= p_first and j.completed_at < p_end
    and j.completed_at < pg_catalog.now() - interval '24 hours'
  group by 1, 2
$$;

-- Opt-outs recorded in the period (not attributable to a sender or template: totals and buckets only).
create index sms_opt_outs_workspace_created_idx on public.sms_opt_outs (workspace_id, created_at);

create function private.opt_outs_of(p_workspace_id text, p_first timestamptz, p_end timestamptz, p_unit text, p_timezone text)
returns table (bucket timestamptz, opt_outs bigint)
language sql
stable
security definer
set search_path = ''
-- A month of hourly rows is estimated costly enough to JIT-compile, which costs more than the
-- read itself (tens of milliseconds): never worth it for these small aggregates.
set jit = off
as $$
  select case when p_unit = 'hour' then pg_catalog.date_trunc('hour', o.created_at, 'UTC')
              else pg_catalog.date_trunc('day', pg_catalog.date_trunc('hour', o.created_at, 'UTC'), p_timezone) end,
         pg_catalog.count(*)
  from public.sms_opt_outs o
  where o.workspace_id = p_workspace_id and o.created_at >= p_first and o.created_at < p_end
  group by 1
$$;

revoke all on function private.delivery_stats_of, private.delivery_timing_of, private.delivery_stuck_of,
  private.opt_outs_of, private.rebuild_delivery_statistics, private.fold_delivery_statistics
  from public, anon, authenticated;

-- Start from what is there (a database upgraded with jobs in it).
select private.rebuild_delivery_statistics();
