-- Materialisation by the sweep (private.materialise_recurring, injectable clock p_now): each
-- occurrence becomes exactly one scheduled_sms_jobs row ahead of its time; end_at and
-- max_occurrences end a schedule; pause/resume does not back-fill; after downtime stale
-- occurrences are recorded as missed, not sent; an opted-out recipient is skipped and recorded
-- without stopping the sweep; cancel stops a schedule and cancels its pending occurrences; the
-- status summary the API shows. The clock is real time plus offsets, so every job is a valid
-- future row (the job insert trigger checks scheduled_time against the real clock).
begin;
select plan(60);

-- b: 30 seconds into the current minute. Occurrences of '* * * * *' are b + 30 s, b + 90 s, ...
create temp table clock as select date_trunc('minute', now()) + interval '30 seconds' as b;
create function pg_temp.b() returns timestamptz language sql stable as $$ select b from clock $$;
create function pg_temp.minute(p_n integer) returns timestamptz language sql stable as $$
  select date_trunc('minute', pg_temp.b()) + make_interval(mins => p_n) $$;
create function pg_temp.sched(p_body text) returns text language sql stable as $$
  select id from public.recurring_sms_schedules where body = p_body $$;
create function pg_temp.jobs(p_body text) returns integer language sql stable as $$
  select count(*)::int from public.scheduled_sms_jobs j
  join public.recurring_sms_schedules s on s.id = j.recurring_schedule_id where s.body = p_body $$;
create function pg_temp.new_schedule(p_body text, p_cron text default '* * * * *', p_end_at timestamptz default null,
  p_max integer default null, p_to text default '+61412345678') returns text language sql as $$
  select id from private.create_recurring_schedule('ws_demo', p_to, p_body, p_cron, 'UTC', null, '{}',
    pg_temp.b(), p_end_at, p_max) $$;

-- Exactly once, ahead of time -------------------------------------------------------------------
select pg_temp.new_schedule('every minute');
select is((select next_runs from private.create_recurring_schedule('ws_demo', '+61412345678', 'preview', '*/5 * * * *', 'UTC', null, '{}', '2027-01-01T10:02:00Z')),
  array['2027-01-01T10:05:00Z', '2027-01-01T10:10:00Z', '2027-01-01T10:15:00Z', '2027-01-01T10:20:00Z', '2027-01-01T10:25:00Z']::timestamptz[],
  'create_recurring_schedule returns the next 5 run times');
select is((select (private.materialise_recurring(pg_temp.b())).materialised >= 3), true,
  'a sweep materialises the occurrences within the lookahead');
select is(pg_temp.jobs('every minute'), 3, 'three minutes ahead: three jobs (lookahead 180 s)');
select is((select array_agg(occurrence_at order by occurrence_at) from scheduled_sms_jobs where recurring_schedule_id = pg_temp.sched('every minute')),
  array[pg_temp.minute(1), pg_temp.minute(2), pg_temp.minute(3)], 'one job per occurrence, at the cron times');
select is((select count(*)::int from scheduled_sms_jobs where recurring_schedule_id = pg_temp.sched('every minute')
           and scheduled_time = occurrence_at and status = 'scheduled' and next_attempt_at = occurrence_at), 3,
  'each is a future scheduled row due exactly at its cron time');
select is((select (private.materialise_recurring(pg_temp.b())).materialised), 0, 'the same sweep again creates nothing');
select is((select (private.materialise_recurring(pg_temp.b() + interval '20 seconds')).materialised), 0,
  'nor does a sweep 20 s later');
select is(pg_temp.jobs('every minute'), 3, 'still three jobs');
select is((select occurrences_count from recurring_sms_schedules where body = 'every minute'), 3, 'occurrences_count counts them');
select is((select last_run_at from recurring_sms_schedules where body = 'every minute'), pg_temp.minute(3), 'last_run_at: the last materialised');
select is((select next_run_at from recurring_sms_schedules where body = 'every minute'), pg_temp.minute(4), 'next_run_at: the next one');
select is((select count(*)::int from sms_job_events e join scheduled_sms_jobs j on j.id = e.job_id
           where j.recurring_schedule_id = pg_temp.sched('every minute') and e.event_type = 'created'), 3,
  'the jobs went through the normal insert path (created events)');
select is((select (private.materialise_recurring(pg_temp.b() + interval '1 minute')).materialised >= 1), true,
  'the sweep a minute later materialises the next minute');
select is((select max(occurrence_at) from scheduled_sms_jobs where recurring_schedule_id = pg_temp.sched('every minute')),
  pg_temp.minute(4), '... which is 4 minutes after the first sweep''s minute');
select throws_ok($$ insert into scheduled_sms_jobs (workspace_id, to_phone, body, scheduled_time, recurring_schedule_id, occurrence_at)
  select 'ws_demo', '+61412345678', 'dup', pg_temp.minute(2), pg_temp.sched('every minute'), pg_temp.minute(2) $$,
  '23505', null, 'the database refuses a second job for the same occurrence');

-- Status summary -------------------------------------------------------------------------------
-- Two occurrences of 'every minute' go through delivery: one sent, one failed.
update scheduled_sms_jobs set status = 'processing', attempts = 1, lease_owner = 'w', lease_expires_at = now() + interval '1 minute'
where recurring_schedule_id = pg_temp.sched('every minute') and occurrence_at in (pg_temp.minute(1), pg_temp.minute(2));
select private.complete_job(id, 'w', 'SM' || repeat('a', 32)) from scheduled_sms_jobs
where recurring_schedule_id = pg_temp.sched('every minute') and occurrence_at = pg_temp.minute(1);
select private.fail_job(id, 'w', '21211', 'invalid number') from scheduled_sms_jobs
where recurring_schedule_id = pg_temp.sched('every minute') and occurrence_at = pg_temp.minute(2);
select is((select row(status::text, sent_count, failed_count, pending_count, occurrences_count)::text
           from private.recurring_schedule_status(pg_temp.sched('every minute'))),
  row('active', 1, 1, 2, 4)::text, 'status: active, 1 sent, 1 failed, 2 pending, 4 materialised');
select is((select next_runs from private.recurring_schedule_status(pg_temp.sched('every minute'))),
  array[pg_temp.minute(5), pg_temp.minute(6), pg_temp.minute(7), pg_temp.minute(8), pg_temp.minute(9)],
  'status: the next five run times');
select is((select row(last_occurrence_at, last_occurrence_status::text)::text from private.recurring_schedule_status(pg_temp.sched('every minute'))),
  row(pg_temp.minute(4), 'scheduled')::text, 'status: the last occurrence and its status');

-- The sweep itself runs the materialisation -----------------------------------------------------
select pg_temp.new_schedule('via run_sweep');
select lives_ok($$ select private.run_sweep() $$, 'run_sweep runs');
select ok(pg_temp.jobs('via run_sweep') between 2 and 3, 'run_sweep materialised the new schedule (real clock)');

-- end_at and max_occurrences -------------------------------------------------------------------
select pg_temp.new_schedule('ends', '* * * * *', pg_temp.minute(2) + interval '30 seconds');
select pg_temp.new_schedule('max two', '* * * * *', null, 2);
select pg_temp.new_schedule('max five', '* * * * *', null, 5);
select private.materialise_recurring(pg_temp.b());
select is(pg_temp.jobs('ends'), 2, 'end_at: only occurrences before it');
select is((select status::text || '/' || ended_reason from recurring_sms_schedules where body = 'ends'), 'ended/end_at', 'ended by end_at');
select is((select next_run_at from recurring_sms_schedules where body = 'ends'), null, 'an ended schedule has no next run');
select is(pg_temp.jobs('max two'), 2, 'max_occurrences 2: two jobs');
select is((select status::text || '/' || ended_reason from recurring_sms_schedules where body = 'max two'), 'ended/max_occurrences', 'ended by max_occurrences');
select is(pg_temp.jobs('max five'), 3, 'max_occurrences 5: three in the first sweep');
select private.materialise_recurring(pg_temp.b() + interval '3 minutes');
select is(pg_temp.jobs('max five'), 5, '... and two more later, then no more');
select is((select status::text from recurring_sms_schedules where body = 'max five'), 'ended', 'ended after five');
select private.materialise_recurring(pg_temp.b() + interval '10 minutes');
select is(pg_temp.jobs('max five') + pg_temp.jobs('ends') + pg_temp.jobs('max two'), 9, 'ended schedules materialise nothing more');
select is((select count(*)::int from recurring_sms_schedule_events e join recurring_sms_schedules s on s.id = e.schedule_id
           where s.body in ('ends', 'max two', 'max five') and e.event_type = 'ended'), 3, 'each end is logged once');

-- Pause and resume: no back-fill ------------------------------------------------------------------
select pg_temp.new_schedule('paused');
select private.materialise_recurring(pg_temp.b());
select is((select status::text from private.pause_recurring_schedule(pg_temp.sched('paused'), null, pg_temp.b())), 'paused', 'pause');
select is((select count(*)::int from scheduled_sms_jobs where recurring_schedule_id = pg_temp.sched('paused')
           and status = 'cancelled' and status_reason = 'schedule_paused'), 3,
  'pausing cancels the occurrences already materialised for after the pause');
select is((select status::text from private.pause_recurring_schedule(pg_temp.sched('paused'), null, pg_temp.b())), 'paused', 'pausing twice is harmless');
select private.materialise_recurring(pg_temp.b() + interval '5 minutes');
select private.materialise_recurring(pg_temp.b() + interval '10 minutes');
select is(pg_temp.jobs('paused'), 3, 'a paused schedule materialises nothing');
select is((select next_run_at from private.resume_recurring_schedule(pg_temp.sched('paused'), null, pg_temp.b() + interval '10 minutes')),
  pg_temp.minute(11), 'resume continues from the first occurrence after the resume');
select private.materialise_recurring(pg_temp.b() + interval '10 minutes');
select is((select count(*)::int from scheduled_sms_jobs where recurring_schedule_id = pg_temp.sched('paused')
           and occurrence_at > pg_temp.minute(3) and occurrence_at <= pg_temp.minute(10)), 0,
  'nothing is back-filled for the paused minutes');
select is((select array_agg(occurrence_at order by occurrence_at) from scheduled_sms_jobs
           where recurring_schedule_id = pg_temp.sched('paused') and status = 'scheduled'),
  array[pg_temp.minute(11), pg_temp.minute(12), pg_temp.minute(13)], 'after resuming, the next minutes are materialised');
select is((select missed_count from recurring_sms_schedules where body = 'paused'), 0, 'paused time is not "missed"');
select is(array(select event_type from recurring_sms_schedule_events where schedule_id = pg_temp.sched('paused') order by id),
  array['created', 'paused', 'resumed'], 'pause and resume are logged');

-- Downtime: missed, not sent ---------------------------------------------------------------------
select pg_temp.new_schedule('downtime');
select is((select (private.materialise_recurring(pg_temp.b() + interval '2 hours')).missed >= 115), true,
  'a sweep two hours late reports missed occurrences');
select is((select missed_count from recurring_sms_schedules where body = 'downtime'), 115,
  'occurrences more than 300 s late are missed: minutes 1 to 115');
select is((select (details->>'count')::int from recurring_sms_schedule_events
           where schedule_id = pg_temp.sched('downtime') and event_type = 'occurrences_missed'), 115,
  'one occurrences_missed event records how many');
select is((select (details->>'first_missed_at')::timestamptz from recurring_sms_schedule_events
           where schedule_id = pg_temp.sched('downtime') and event_type = 'occurrences_missed'), pg_temp.minute(1),
  '... from the first missed occurrence');
select is(pg_temp.jobs('downtime'), 8, 'only occurrences within the tolerance (5) and the lookahead (3) become jobs');
select is((select count(*)::int from scheduled_sms_jobs where recurring_schedule_id = pg_temp.sched('downtime')
           and occurrence_at < pg_temp.b() + interval '2 hours' and scheduled_time = pg_temp.b() + interval '2 hours'), 5,
  'the late ones within the tolerance are sent at once');
select is((select min(occurrence_at) from scheduled_sms_jobs where recurring_schedule_id = pg_temp.sched('downtime')),
  pg_temp.minute(116), 'nothing older than the tolerance is sent');

-- Opted-out recipient: skipped and recorded, the sweep goes on ---------------------------------------
select pg_temp.new_schedule('opted out', '* * * * *', null, null, '+61400000001');
select pg_temp.new_schedule('neighbour');
insert into sms_opt_outs (workspace_id, phone, source) values ('ws_demo', '+61400000001', 'manual');
select lives_ok($$ select private.materialise_recurring(pg_temp.b()) $$, 'the sweep does not fail on an opted-out recipient');
select is(pg_temp.jobs('opted out'), 0, 'no job for the opted-out recipient');
select is((select skipped_count from recurring_sms_schedules where body = 'opted out'), 3, 'each skipped occurrence is counted');
select is((select array_agg(distinct error_code) from recurring_sms_schedule_events
           where schedule_id = pg_temp.sched('opted out') and event_type = 'occurrence_skipped'), array['recipient_opted_out'],
  '... and logged with its code');
select is((select next_run_at from recurring_sms_schedules where body = 'opted out'), pg_temp.minute(4), 'the schedule moves on');
select is(pg_temp.jobs('neighbour'), 3, 'another schedule in the same sweep is materialised');

-- Cancel ----------------------------------------------------------------------------------------
select is((select status::text from private.cancel_recurring_schedule(pg_temp.sched('neighbour'))), 'cancelled', 'cancel');
select is((select count(*)::int from scheduled_sms_jobs where recurring_schedule_id = pg_temp.sched('neighbour')
           and status = 'cancelled' and status_reason = 'schedule_cancelled'), 3, 'cancelling cancels the pending occurrences');
select private.materialise_recurring(pg_temp.b() + interval '5 minutes');
select is(pg_temp.jobs('neighbour'), 3, 'a cancelled schedule materialises nothing more');
select is((select status::text from private.cancel_recurring_schedule(pg_temp.sched('neighbour'))), 'cancelled', 'cancelling twice is harmless');
select throws_ok($$ select private.resume_recurring_schedule(pg_temp.sched('neighbour')) $$, 'SMS21', null, 'a cancelled schedule cannot be resumed');
select throws_ok($$ select private.cancel_recurring_schedule(pg_temp.sched('ends')) $$, 'SMS21', null, 'an ended one cannot be cancelled');
select throws_ok($$ select private.pause_recurring_schedule('sched_nope') $$, 'SMS20', null, 'unknown schedule: job_not_found');

-- Status after downtime.
select is((select row(status::text, missed_count, next_run_at)::text from private.recurring_schedule_status(pg_temp.sched('downtime'))),
  row('active', 115, pg_temp.minute(124))::text, 'status of the downtime schedule: missed count and next run');

select * from finish();
rollback;
