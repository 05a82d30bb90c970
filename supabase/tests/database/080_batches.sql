-- Bulk batches (20261130000300): RLS on sms_batches (members and viewers read their workspace's,
-- nobody else; no direct writes), the jobs' batch_id (within the workspace, fixed, not a client
-- column), and private.create_batch / private.cancel_batch_jobs obeying the one job rulebook.
begin;
select plan(23);

\ir helpers/acting_as.sql

select pg_temp.act_as_postgres();
create temporary table demo_batch as
  select * from private.create_batch('ws_demo', null, pg_catalog.now() + interval '1 hour', null, null, null, null,
    '{"campaign": "spring"}', 1,
    '[{"to_phone": "+61412000801", "body": "First"}, {"to_phone": "+61412000802", "body": "Second", "metadata": {"row": 2, "campaign": "own"}},
      {"to_phone": "+61412000803", "body": "Third"}]');
create temporary table other_batch as
  select * from private.create_batch('ws_other', null, null, null, null, null, null, '{}', 0,
    '[{"to_phone": "+61412000804", "body": "Theirs"}]');
grant select on demo_batch, other_batch to public;

-- The jobs, through the insert trigger, in the items' order.
select results_eq(
  $$ select j.to_phone from demo_batch b, unnest(b.job_ids) with ordinality as i (id, position)
     join public.scheduled_sms_jobs j on j.id = i.id order by i.position $$,
  array['+61412000801', '+61412000802', '+61412000803'],
  'create_batch answers the job ids in the order of its items');
select is((select accepted || ' ' || rejected || ' ' || (metadata ->> 'campaign') from public.sms_batches where id = (select batch_id from demo_batch)),
  '3 1 spring', 'the batch keeps its counts and shared metadata');
select results_eq($$ select j.metadata from public.scheduled_sms_jobs j where j.batch_id = (select batch_id from demo_batch) order by j.to_phone $$,
  array['{"campaign": "spring"}'::jsonb, '{"row": 2, "campaign": "own"}', '{"campaign": "spring"}'],
  'an item''s own metadata is merged over the shared metadata, its keys winning');
select is((select pg_catalog.count(*)::integer from public.scheduled_sms_jobs j
           where j.batch_id = (select batch_id from demo_batch) and j.status = 'scheduled' and j.from_number = '+15005550006'),
  3, 'every job went through the insert trigger: status derived, the default sender filled in');
select is((select pg_catalog.count(*)::integer from public.sms_job_events e
           join public.scheduled_sms_jobs j on j.id = e.job_id
           where j.batch_id = (select batch_id from demo_batch) and e.event_type = 'created'),
  3, 'each job has its created event');

-- RLS: members and viewers read their workspace's batches; nobody reads another's; anon nothing.
select pg_temp.act_as('member@demo.test');
select results_eq($$ select id from public.sms_batches $$, $$ select batch_id from demo_batch $$,
  'a member reads its workspace''s batches, only those');
select pg_temp.act_as('viewer@demo.test');
select results_eq($$ select id from public.sms_batches $$, $$ select batch_id from demo_batch $$, 'a viewer reads them too');
select pg_temp.act_as('owner@other.test');
select results_eq($$ select id from public.sms_batches $$, $$ select batch_id from other_batch $$,
  'another workspace''s owner sees only its own batch');
select pg_temp.act_as_anon();
select throws_ok($$ select * from public.sms_batches $$, '42501', null, 'anon reads nothing');

-- No direct writes: batches are made only by the API's private function.
select pg_temp.act_as('owner@demo.test');
select throws_ok($$ insert into public.sms_batches (workspace_id, scheduled_time, accepted, rejected)
  values ('ws_demo', now(), 0, 0) $$, '42501', null, 'an owner cannot insert a batch directly');
select throws_ok($$ update public.sms_batches set rejected = 0 $$, '42501', null, 'nor change one');
select throws_ok($$ delete from public.sms_batches $$, '42501', null, 'nor delete one');
select throws_ok($$ select private.create_batch('ws_demo', null, null, null, null, null, null, '{}', 0, '[]') $$,
  '42501', null, 'nor call the private function');
select throws_ok($$ insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, batch_id)
  values ('ws_demo', '+61412000805', 'Sneaky', (select batch_id from demo_batch)) $$,
  '42501', null, 'a direct insert cannot name batch_id');
select pg_temp.act_as_service();
select throws_ok($$ insert into public.sms_batches (workspace_id, scheduled_time, accepted, rejected)
  values ('ws_demo', now(), 0, 0) $$, '42501', null, 'the service role reads batches but writes them only through the API');

-- A job belongs only to a batch of its own workspace, and stays in it.
select pg_temp.act_as_postgres();
select throws_ok($$ insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, batch_id)
  values ('ws_demo', '+61412000806', 'Cross', (select batch_id from other_batch)) $$,
  '23503', null, 'a job cannot join another workspace''s batch');
select throws_ok($$ update public.scheduled_sms_jobs set batch_id = null where batch_id = (select batch_id from demo_batch) $$,
  'SMS24', null, 'a job''s batch is fixed once created');

-- The one rulebook: a refused row fails the whole batch, which leaves nothing behind.
insert into public.sms_opt_outs (workspace_id, phone) values ('ws_demo', '+61412000899');
select throws_ok($$ select private.create_batch('ws_demo', null, null, null, null, null, null, '{}', 0,
    '[{"to_phone": "+61412000898", "body": "Fine"}, {"to_phone": "+61412000899", "body": "Opted out"}]') $$,
  'SMS09', null, 'the insert trigger refuses an opted-out recipient, as for a single send');
select is((select pg_catalog.count(*)::integer from public.scheduled_sms_jobs where to_phone = '+61412000898'), 0,
  'and nothing of that batch was created');
select results_eq($$ select phone from private.opted_out_recipients('ws_demo', array['+61412000898', '+61412000899']) as phone $$, array['+61412000899'],
  'opted_out_recipients finds the opted-out numbers among many');

-- Cancelling a batch: its pending jobs, each with its cancelled event; again cancels nothing.
select private.cancel_job((select job_ids[1] from demo_batch), 'cancelled_by_user');
select is(private.cancel_batch_jobs((select batch_id from demo_batch)), 2, 'cancel_batch_jobs cancels the pending jobs left');
select is(private.cancel_batch_jobs((select batch_id from demo_batch)), 0, 'and is idempotent');
select is((select pg_catalog.count(*)::integer from public.sms_job_events e
           join public.scheduled_sms_jobs j on j.id = e.job_id
           where j.batch_id = (select batch_id from demo_batch) and e.event_type = 'cancelled'),
  3, 'every cancelled job has one cancelled event');

select * from finish();
rollback;
