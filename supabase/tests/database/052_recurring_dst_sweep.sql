-- DST through the sweep: the injectable clock (private.materialise_recurring(p_now)) is driven
-- minute by minute through the next spring-forward and fall-back of each zone, as pg_cron would.
-- A wall time the gap skips is sent once, at the first valid instant after the gap; a repeated
-- wall time is sent once, at its first occurrence; an every-15-minutes schedule never sends the
-- same wall time twice. Transitions are found from the tz database relative to today, so the
-- jobs are valid future rows (the job insert trigger checks scheduled_time against the real clock).
-- Known limit: jobs may be at most 365 days ahead, and a rule such as "second Sunday in March" is
-- sometimes 371 days from the last one; in the week after such a transition its next one is out
-- of reach and that case's jobs are refused (the test then fails on its counts, not silently).
begin;
select plan(45);

create function pg_temp.utc_offset(p_tz text, p_at timestamptz) returns interval
language sql immutable as $$ select (p_at at time zone p_tz) - (p_at at time zone 'UTC') $$;

-- The first instant after p_after where the zone's offset grows (p_spring) or shrinks.
create function pg_temp.next_transition(p_tz text, p_after timestamptz, p_spring boolean) returns timestamptz
language sql stable as $$
  with hour as (
    select min(h) as h from generate_series(p_after, p_after + interval '370 days', interval '1 hour') h
    where case when p_spring then pg_temp.utc_offset(p_tz, h + interval '1 hour') > pg_temp.utc_offset(p_tz, h)
               else pg_temp.utc_offset(p_tz, h + interval '1 hour') < pg_temp.utc_offset(p_tz, h) end
  )
  select min(m) from hour, generate_series(hour.h, hour.h + interval '1 hour', interval '1 minute') m
  where pg_temp.utc_offset(p_tz, m) <> pg_temp.utc_offset(p_tz, hour.h)
$$;

-- One case per zone and transition: the transition instant, a wall time in the gap (spring) or in
-- the repeated interval (fall), and the instant the policy says it runs.
create temp table dst_case as
with t as (
  select z.tz, d.spring,
         pg_temp.next_transition(z.tz, date_trunc('hour', now()) + interval '1 day', d.spring) as at
  from (values ('America/New_York'), ('Europe/London'), ('Australia/Sydney'), ('Australia/Lord_Howe')) z(tz)
  cross join (values (true), (false)) d(spring)
), w as (
  select t.*, pg_temp.utc_offset(t.tz, t.at - interval '1 minute') as old_offset,
         pg_temp.utc_offset(t.tz, t.at) - pg_temp.utc_offset(t.tz, t.at - interval '1 minute') as shift
  from t
)
select w.tz, w.spring, w.at, w.shift,
       -- Gap: [G, G + shift); repeated: [G + shift, G), where G is the wall clock reaching the transition.
       -- The middle of either is G + shift / 2 (shift is negative on fall-back).
       (w.at at time zone 'UTC') + w.old_offset + w.shift / 2 as wall,
       -- Gap: the transition instant. Repeated: the first pass, still on the old offset.
       case when w.spring then w.at
            else ((w.at at time zone 'UTC') + w.old_offset + w.shift / 2) at time zone 'UTC' - w.old_offset end as expected
from w;
create function pg_temp.case_of(p_tz text, p_spring boolean) returns dst_case language sql stable as $$
  select * from dst_case where tz = p_tz and spring = p_spring $$;

-- Schedules: a daily one at the affected wall time, and every 15 minutes, per case; each ends
-- with its case's window (end_at), so the sweeps of the other cases do not touch it.
create function pg_temp.sched_id(p_body text) returns text language sql stable as $$
  select id from public.recurring_sms_schedules where body = p_body $$;
select private.create_recurring_schedule('ws_demo', '+61412345678', c.tz || (case when c.spring then ' spring' else ' fall' end) || ' daily',
         format('%s %s * * *', extract(minute from c.wall)::int, extract(hour from c.wall)::int), c.tz, null, '{}',
         c.at - interval '3 hours', c.at + interval '3 hours')
from dst_case c;
select private.create_recurring_schedule('ws_demo', '+61412345678', c.tz || (case when c.spring then ' spring' else ' fall' end) || ' quarter-hourly',
         '*/15 * * * *', c.tz, null, '{}', c.at - interval '3 hours', c.at + interval '3 hours')
from dst_case c;

-- The sweep, every minute, from 3 hours before to 3 hours after each transition.
create function pg_temp.sweep_around(p_at timestamptz) returns void language plpgsql as $$
declare
  v_t timestamptz;
begin
  for v_t in select generate_series(p_at - interval '3 hours', p_at + interval '3 hours', interval '1 minute') loop
    perform private.materialise_recurring(v_t);
  end loop;
end $$;
select pg_temp.sweep_around(at) from dst_case order by at;

create function pg_temp.jobs_of(p_body text) returns setof public.scheduled_sms_jobs language sql stable as $$
  select j.* from public.scheduled_sms_jobs j where j.recurring_schedule_id = pg_temp.sched_id(p_body) $$;

-- Every case: the transitions were found and are what the zone does.
select is((select count(*)::int from dst_case where at is not null), 8, 'a spring-forward and a fall-back were found in each zone');
select is((select array_agg(shift order by tz, spring) from dst_case where tz = 'Australia/Lord_Howe'),
  array[interval '-30 minutes', interval '30 minutes'], 'Lord Howe shifts by 30 minutes');

-- Daily schedules at an affected wall time: exactly one run, at the policy's instant, not late.
select is((select count(*)::int from pg_temp.jobs_of(c.tz || ' spring daily')), 1,
          c.tz || ': a daily wall time in the spring-forward gap runs once') from dst_case c where c.spring order by c.tz;
select is((select occurrence_at from pg_temp.jobs_of(c.tz || ' spring daily')), c.at,
          c.tz || ': ... at the first valid instant after the gap (' || to_char(c.wall, 'HH24:MI') || ' -> the transition)')
from dst_case c where c.spring order by c.tz;
select is((select count(*)::int from pg_temp.jobs_of(c.tz || ' fall daily')), 1,
          c.tz || ': a daily wall time repeated by fall-back runs once') from dst_case c where not c.spring order by c.tz;
select is((select occurrence_at from pg_temp.jobs_of(c.tz || ' fall daily')), c.expected,
          c.tz || ': ... at its first occurrence (' || to_char(c.wall, 'HH24:MI') || ' before the clocks go back)')
from dst_case c where not c.spring order by c.tz;
select is((select count(*)::int from pg_temp.jobs_of(c.tz || case when c.spring then ' spring' else ' fall' end || ' daily')
           where scheduled_time = occurrence_at and status = 'scheduled'), 1,
          c.tz || case when c.spring then ' spring' else ' fall' end || ': materialised ahead of its time, due exactly then')
from dst_case c order by c.tz, c.spring;

-- Every 15 minutes: never the same wall time twice, the gap collapses into the transition instant,
-- and nothing is missed or skipped by minute sweeps.
select is((select count(*) - count(distinct occurrence_at at time zone c.tz)
           from pg_temp.jobs_of(c.tz || case when c.spring then ' spring' else ' fall' end || ' quarter-hourly'))::int, 0,
          c.tz || case when c.spring then ' spring' else ' fall' end || ': every 15 minutes never repeats a wall time')
from dst_case c order by c.tz, c.spring;
select ok(exists (select 1 from pg_temp.jobs_of(c.tz || ' spring quarter-hourly') where occurrence_at = c.at),
          c.tz || ': every 15 minutes runs at the end of the gap') from dst_case c where c.spring order by c.tz;
select is((select count(*)::int from pg_temp.jobs_of(c.tz || ' fall quarter-hourly')
           where occurrence_at > c.at - abs(extract(epoch from c.shift)) * interval '1 second' and occurrence_at < c.at + abs(extract(epoch from c.shift)) * interval '1 second'
             and occurrence_at >= c.at), 0,
          c.tz || ': the repeated interval''s second pass sends nothing') from dst_case c where not c.spring order by c.tz;
select is((select sum(missed_count + skipped_count)::int from recurring_sms_schedules), 0,
  'minute sweeps through all transitions missed and skipped nothing');

-- Asia/Kolkata has no DST: a daily 02:30 runs every 24 hours at 21:00 UTC, through the days the
-- other zones change their clocks.
select private.create_recurring_schedule('ws_demo', '+61412345678', 'kolkata daily', '30 2 * * *', 'Asia/Kolkata',
  null, '{}', (select min(at) from dst_case) - interval '1 day', (select min(at) from dst_case) + interval '2 days');
create function pg_temp.sweep_days(p_from timestamptz, p_days integer) returns void language plpgsql as $$
declare
  v_t timestamptz;
begin
  for v_t in select generate_series(p_from, p_from + make_interval(days => p_days), interval '2 minutes') loop
    perform private.materialise_recurring(v_t);
  end loop;
end $$;
select pg_temp.sweep_days((select min(at) from dst_case) - interval '1 day', 3);
select is((select count(*)::int from pg_temp.jobs_of('kolkata daily')), 3, 'Kolkata: one run a day');
select is((select count(*)::int from pg_temp.jobs_of('kolkata daily') where extract(hour from occurrence_at at time zone 'UTC') = 21
           and extract(minute from occurrence_at at time zone 'UTC') = 0), 3, 'Kolkata: always 21:00 UTC (02:30 IST)');

select * from finish();
rollback;
