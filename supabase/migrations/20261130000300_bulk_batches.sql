-- Bulk scheduling: one request schedules up to 10,000 personalised messages as a batch
-- (POST schedule-bulk). The API renders each recipient's body and sorts out the recipients it
-- must refuse (bad number, opted out, template variables, duplicates); the rest are created here,
-- in one transaction, by ONE set-based INSERT … SELECT into scheduled_sms_jobs — through the same
-- BEFORE INSERT trigger as single sends and direct inserts (private.prepare_new_job →
-- private.validate_message), so the three can never disagree: anything the API let through that
-- the rulebook refuses fails the whole batch with the rulebook's code.
--
-- Functions of earlier migrations that change here are redefined whole (a released migration is
-- never edited): the job guard (batch_id is fixed once created, 20261130000210 had its latest form).

create table public.sms_batches (
  id text primary key default private.new_id('batch'),
  workspace_id text not null references public.workspaces (id) on delete cascade,
  -- Who created it (an auth.users id), kept as history as on jobs: no foreign key.
  created_by uuid,
  created_at timestamptz not null default now(),
  -- When its messages are due (all of a batch share it).
  scheduled_time timestamptz not null,
  template_id text,
  template_version integer,
  metadata jsonb not null default '{}'
    check (pg_catalog.jsonb_typeof(metadata) = 'object'
           and pg_catalog.octet_length(metadata::text) <= private.limit_value('metadata_max_bytes')),
  -- Recipients scheduled (one job each) and refused, as answered to the request.
  accepted integer not null check (accepted >= 0),
  rejected integer not null check (rejected >= 0),
  -- The target of the jobs' (workspace_id, batch_id): a job only ever belongs to a batch of its
  -- own workspace, whoever inserts it.
  unique (workspace_id, id),
  constraint sms_batches_template_fkey foreign key (workspace_id, template_id)
    references public.message_templates (workspace_id, id),
  check ((template_id is null) = (template_version is null))
);
comment on table public.sms_batches is
  'One row per schedule-bulk request: who, when, the template and shared metadata, and how many recipients were scheduled and refused. Created only by private.create_batch (the API); its jobs carry batch_id.';
create index sms_batches_workspace_idx on public.sms_batches (workspace_id, created_at desc);
create index sms_batches_template_idx on public.sms_batches (workspace_id, template_id)
  where template_id is not null;

alter table public.scheduled_sms_jobs
  add column batch_id text,
  add constraint scheduled_sms_jobs_batch_fkey foreign key (workspace_id, batch_id)
    references public.sms_batches (workspace_id, id);
comment on column public.scheduled_sms_jobs.batch_id is
  'The schedule-bulk batch the job was created in; null for single sends, direct inserts and recurring occurrences.';
-- Covers the foreign key, and a batch's jobs (batch-status counts, jobs?batchId=, batch cancel).
create index scheduled_sms_jobs_batch_idx on public.scheduled_sms_jobs (workspace_id, batch_id)
  where batch_id is not null;

-- Client roles may read their workspaces' batches and nothing else: no insert, update or delete
-- grants, so batches are written only through the API's private function.
alter table public.sms_batches enable row level security;
revoke all on public.sms_batches from anon, authenticated, service_role;
grant select on public.sms_batches to authenticated, service_role;
create policy "members read their workspace's batches" on public.sms_batches
  for select to authenticated
  using (workspace_id in (select private.current_user_workspace_ids()));

-- The guard of 20261130000210_message_content.sql, with batch_id among the columns fixed at creation.
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
     or new.encoding is distinct from old.encoding or new.segments is distinct from old.segments
     or new.batch_id is distinct from old.batch_id then
    perform private.raise_error('immutable_column',
      'a job''s id, workspace, recipient, sender, body, media, scheduled_time, template and batch are fixed once created');
  end if;
  if new.status <> old.status and not private.is_allowed_job_transition(old.status, new.status) then
    perform private.raise_error('invalid_transition', pg_catalog.format(
      'job %s cannot go from %s to %s', old.id, old.status, new.status));
  end if;
  return new;
end;
$$;

/**
 * Which of these recipients opted out of the workspace's messages: one lookup for a whole batch
 * (the primary key (workspace_id, phone)), so the API can refuse each one by name before creating
 * anything. The insert trigger checks again, row by row, as for every job.
 */
create function private.opted_out_recipients(p_workspace_id text, p_phones text[])
returns setof text
language sql
stable
set search_path = ''
as $$
  select o.phone
  from public.sms_opt_outs o
  where o.workspace_id = p_workspace_id and o.phone = any (p_phones)
$$;
comment on function private.opted_out_recipients is
  'The numbers among p_phones that opted out of workspace p_workspace_id (one indexed lookup per batch).';

/**
 * Creates a batch and one job per item, in input order, in one statement: ids are drawn first,
 * with the item's position (ordinality), so they map back to the request's recipients whatever
 * order the INSERT writes them in. Every row passes the BEFORE INSERT trigger (the one rulebook);
 * one refused row fails the whole call, and the caller's transaction with it.
 *
 * p_items: [{"to_phone", "body", "metadata", "template_variables", "encoding", "segments"}], the
 * recipients the API accepted; an item's metadata (its own, or null) is merged over the shared
 * p_metadata (its keys win), which is sent once, not once per recipient. p_rejected: how many the
 * API refused (kept on the batch).
 * p_scheduled_time null: now.
 */
create function private.create_batch(
  p_workspace_id text,
  p_created_by uuid,
  p_scheduled_time timestamptz,
  p_from_number text,
  p_media_urls text[],
  p_template_id text,
  p_template_version integer,
  p_metadata jsonb,
  p_rejected integer,
  p_items jsonb,
  out batch_id text,
  out created_at timestamptz,
  out scheduled_time timestamptz,
  out job_ids text[]
)
language plpgsql
set search_path = ''
as $$
declare
  v_batch public.sms_batches;
  v_inserted integer;
begin
  if p_items is null or pg_catalog.jsonb_typeof(p_items) <> 'array' or p_rejected is null or p_rejected < 0 then
    perform private.raise_error('invalid_argument', 'items must be a JSON array and rejected a count');
  end if;
  scheduled_time := coalesce(p_scheduled_time, pg_catalog.now());
  perform private.validate_send_time(scheduled_time);
  insert into public.sms_batches
    (workspace_id, created_by, scheduled_time, template_id, template_version, metadata, accepted, rejected)
  values
    (p_workspace_id, p_created_by, scheduled_time, p_template_id, p_template_version, coalesce(p_metadata, '{}'),
     pg_catalog.jsonb_array_length(p_items), p_rejected)
  returning * into v_batch;

  with items as materialized (
    select private.new_id('job') as id, i.*
    from rows from (pg_catalog.jsonb_to_recordset(p_items)
           as (to_phone text, body text, metadata jsonb, template_variables jsonb, encoding text, segments integer))
         with ordinality as i (to_phone, body, metadata, template_variables, encoding, segments, position)
  ),
  inserted as (
    insert into public.scheduled_sms_jobs
      (id, workspace_id, to_phone, from_number, body, media_urls, scheduled_time, metadata, created_by,
       template_id, template_version, template_variables, encoding, segments, batch_id)
    select items.id, p_workspace_id, items.to_phone, p_from_number, items.body, coalesce(p_media_urls, '{}'),
           v_batch.scheduled_time, v_batch.metadata || coalesce(items.metadata, '{}'), p_created_by,
           p_template_id, p_template_version, items.template_variables, items.encoding, items.segments, v_batch.id
    from items
    order by items.position
    returning 1
  )
  select coalesce(pg_catalog.array_agg(items.id order by items.position), '{}'),
         (select pg_catalog.count(*) from inserted)
  into job_ids, v_inserted
  from items;
  if v_inserted <> pg_catalog.cardinality(job_ids) then
    raise exception 'batch % inserted % of % jobs', v_batch.id, v_inserted, pg_catalog.cardinality(job_ids);
  end if;

  batch_id := v_batch.id;
  created_at := v_batch.created_at;
end;
$$;
comment on function private.create_batch is
  'Creates a schedule-bulk batch and its jobs (one INSERT … SELECT through the job insert trigger); job_ids are in p_items order.';

/**
 * Cancels a batch's pending jobs in one statement, as private.cancel_schedule_jobs does for a
 * schedule: each gets its `cancelled` event from the transition log trigger. Idempotent: jobs
 * already cancelled, sent or failed are left alone. Returns how many this call cancelled.
 */
create function private.cancel_batch_jobs(p_batch_id text, p_reason text default 'cancelled_by_user')
returns integer
language plpgsql
set search_path = ''
as $$
declare
  v_workspace_id text;
  v_count integer;
begin
  select b.workspace_id into v_workspace_id from public.sms_batches b where b.id = p_batch_id;
  if v_workspace_id is null then
    perform private.raise_error('invalid_argument', pg_catalog.format('batch %s does not exist', p_batch_id));
  end if;
  with pending as (
    select j.id from public.scheduled_sms_jobs j
    where j.workspace_id = v_workspace_id and j.batch_id = p_batch_id and j.is_pending
    -- Wait for rows a claim holds: skipping one could leave a job of a cancelled batch to be sent.
    -- A row claimed meanwhile is no longer pending and is left alone.
    for update
  )
  update public.scheduled_sms_jobs j
  set status = 'cancelled', status_reason = p_reason
  from pending
  where j.id = pending.id and j.is_pending;
  get diagnostics v_count = row_count;
  return v_count;
end;
$$;
comment on function private.cancel_batch_jobs is
  'queued|scheduled|retrying -> cancelled for every job of a batch (one statement); returns how many. Idempotent.';
