-- Issue 14 (senders, fairness, daily caps): send slots per sender, workspaces interleaved in the
-- claim, and an optional daily message cap per workspace. The limits come from
-- 20261130000810_protection_limits.sql (sender_rate_*, sender_slot_horizon_ms, daily_cap_max).
--
-- * Every sender has a rate in message segments per second: workspace_senders.messages_per_second,
--   null = the default of its kind (long code 1, toll-free 3, short code 100, Messaging Service 1).
--   Owners and admins change it; members and viewers read it.
-- * A claim gives each claimed job a send slot: the sender's next free slot (private.sender_pacing,
--   never visible to clients) or now, plus the segments of the jobs before it in the claim / rate,
--   and never before the job's due time. Only jobs whose slot falls within sender_slot_horizon_ms are
--   claimed; the rest stay pending and untouched (a cancel reaches them, another runner may take them
--   later). The sender's pacing row is locked for the claim (FOR UPDATE, in sender order) so two
--   runners never hand out the same slot. The claimed job's next_attempt_at becomes its slot: the
--   runner holds it until then. A job whose slot is at or after its expiry ends failed (expired).
-- * Fairness: the claim takes a share per workspace (and within it per sender) instead of the
--   earliest due rows overall, and keeps the earliest-ranked jobs of every workspace first, so one
--   workspace's backlog delays another's single message by at most one claim.
-- * Daily cap: workspace_settings.daily_message_cap (null = off). While a cap is set, first attempts
--   are counted per workspace and local day (the workspace's timezone) when claimed; once the cap is
--   reached, due first attempts move to the next local midnight with status_reason daily_cap and a
--   daily_cap event. (A cap set during a day counts from then.)
--
-- Lock order of the claims (and of everything that takes these locks): job rows (SKIP LOCKED, or one
-- job by id), then sender_pacing rows in sender order, then workspace_daily_usage rows in workspace
-- order (capped workspaces only). Nothing else locks pacing or usage rows.
--
-- Redefined whole: claim_due_jobs, claim_job, is_expiry_or_manual_retry.

-- Kinds of sender, from the sender itself.
create function private.sender_kind(p_sender text)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
  select case
    when p_sender ~ '^MG[0-9a-f]{32}$' then 'messaging_service'
    when p_sender ~ '^[0-9]{5,6}$' then 'short_code'
    -- North American toll-free area codes.
    when p_sender ~ '^\+1(800|833|844|855|866|877|888)[0-9]{7}$' then 'toll_free'
    else 'long_code'
  end
$$;
comment on function private.sender_kind is
  'messaging_service (MG + 32 hex), short_code (5-6 digits), toll_free (+1 800/833/844/855/866/877/888), else long_code.';

create function private.sender_default_rate(p_kind text)
returns numeric
language sql
immutable
parallel safe
set search_path = ''
as $$
  select case p_kind
    when 'short_code' then private.limit_value('sender_rate_short_code')
    when 'toll_free' then private.limit_value('sender_rate_toll_free')
    when 'messaging_service' then private.limit_value('sender_rate_messaging_service')
    else private.limit_value('sender_rate_long_code')
  end::numeric
$$;
comment on function private.sender_default_rate is 'Message segments per second of a sender of this kind when none is configured.';

-- The rate send slots are given at: the sender's rate less the pacing headroom, so that a send
-- arriving a few ms after its slot never puts more than the rate into any one second.
create function private.slot_rate(p_rate double precision)
returns double precision
language sql
immutable
parallel safe
set search_path = ''
as $$
  select p_rate * (1 - private.limit_value('sender_pacing_headroom_percent') / 100.0)
$$;
comment on function private.slot_rate is 'Segments per second send slots are given at: the sender''s rate less sender_pacing_headroom_percent.';
grant execute on function private.sender_kind(text), private.sender_default_rate(text) to authenticated, service_role;

alter table public.workspace_senders
  add column kind text not null generated always as (private.sender_kind(sender)) stored,
  add column messages_per_second numeric
    check (messages_per_second > 0 and messages_per_second <= private.limit_value('sender_rate_max'));
comment on column public.workspace_senders.kind is 'long_code, toll_free, short_code or messaging_service (derived from the sender).';
comment on column public.workspace_senders.messages_per_second is
  'Message segments per second this sender may send; null: the default of its kind (private.sender_default_rate).';

grant update (messages_per_second) on public.workspace_senders to authenticated;
create policy "owners and admins change a sender's rate" on public.workspace_senders
  for update to authenticated
  using (workspace_id in (select private.current_user_workspace_ids(private.admin_roles())))
  with check (workspace_id in (select private.current_user_workspace_ids(private.admin_roles())));

-- Pacing state: when the sender's next send slot is free. Private: no client may move it. Keyed by
-- the sender alone (a sender belongs to one workspace) and never deleted with the sender, so pending
-- jobs of a removed sender are still paced.
create table private.sender_pacing (
  sender text primary key,
  next_slot_at timestamptz not null default '-infinity'
);
comment on table private.sender_pacing is
  'Per sender: the earliest free send slot. Claims lock the row (in sender order) and advance it by the segments they reserve / the rate.';
-- Not client-facing: no grant to any client role (the private schema is not exposed either).
revoke all on private.sender_pacing from anon, authenticated, public;

insert into private.sender_pacing (sender) select s.sender from public.workspace_senders s on conflict do nothing;

create function private.add_sender_pacing()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into private.sender_pacing (sender) values (new.sender) on conflict do nothing;
  return null;
end;
$$;
create trigger workspace_senders_pacing after insert on public.workspace_senders
  for each row execute function private.add_sender_pacing();

-- Daily cap.
alter table public.workspace_settings
  add column daily_message_cap integer
    check (daily_message_cap between 1 and private.limit_value('daily_cap_max'));
comment on column public.workspace_settings.daily_message_cap is
  'Messages (first attempts) sent per local day (timezone) at most; null: no cap. Past it, due messages wait for the next local midnight (status_reason daily_cap).';
grant update (daily_message_cap) on public.workspace_settings to authenticated;

-- One row per workspace: first attempts claimed on its local day `day`. A new day starts from 0.
create table private.workspace_daily_usage (
  workspace_id text primary key references public.workspaces (id) on delete cascade,
  day date not null default '1970-01-01',
  messages bigint not null default 0 check (messages >= 0)
);
comment on table private.workspace_daily_usage is
  'Per workspace: first attempts claimed on the local day `day` (the workspace''s timezone). Claims lock the row (in workspace order).';
revoke all on private.workspace_daily_usage from anon, authenticated, public;

insert into private.workspace_daily_usage (workspace_id) select w.id from public.workspaces w on conflict do nothing;

create function private.add_workspace_daily_usage()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into private.workspace_daily_usage (workspace_id) values (new.id) on conflict do nothing;
  return null;
end;
$$;
create trigger workspaces_daily_usage after insert on public.workspaces
  for each row execute function private.add_workspace_daily_usage();

-- The first instant of the local day after p_at in p_timezone (a DST gap at midnight moves it to
-- the first instant that exists).
create function private.next_local_midnight(p_at timestamptz, p_timezone text)
returns timestamptz
language sql
immutable
parallel safe
set search_path = ''
as $$
  select ((p_at at time zone p_timezone)::date + 1)::timestamp at time zone p_timezone
$$;
comment on function private.next_local_midnight is 'Next local midnight after p_at in the IANA timezone p_timezone.';

-- Pending rows per workspace and sender in due order: the claim finds the workspaces and senders
-- with pending work by skipping through it (one probe per pair, not a scan of the backlog) and
-- takes each one's earliest due rows from it.
create index scheduled_sms_jobs_sender_due_idx on public.scheduled_sms_jobs (workspace_id, from_number, next_attempt_at)
  where is_pending;

-- A slot within the horizon may fall after the expiry (or less than Twilio's smallest
-- ValidityPeriod, a second, before it: the runner would not send it either): such a job ends failed
-- (expired) in the claim, before its expiry. The guard of 20261130000600 allowed pending -> failed
-- (expired) only once the expiry was due; now also when it falls within the slot horizon and a second.
create or replace function private.is_expiry_or_manual_retry(p_old public.scheduled_sms_jobs, p_new public.scheduled_sms_jobs)
returns boolean
language sql
stable
set search_path = ''
as $$
  select coalesce(
    (p_old.is_pending and p_new.status = 'failed' and p_new.status_reason = 'expired'
     and p_old.expires_at <= greatest(p_old.next_attempt_at, pg_catalog.now())
       + pg_catalog.make_interval(secs => private.limit_value('sender_slot_horizon_ms') / 1000.0
                                         + private.limit_value('twilio_validity_min_seconds')))
    or (p_old.status = 'failed' and p_new.status = 'retrying'
        and p_new.status_reason in ('manual_retry', 'manual_retry_forced') and p_new.attempts = 0),
    false)
$$;

-- Claims of 20261130000600, redefined with send slots, fairness and the daily cap. Still one
-- statement, with FOR UPDATE SKIP LOCKED on the job rows.
create or replace function private.claim_due_jobs(
  p_worker text,
  p_limit integer default 100,
  p_lease_seconds integer default private.limit_value('default_lease_seconds')::integer,
  p_lookahead_ms integer default 0
) returns setof public.scheduled_sms_jobs
language plpgsql
set search_path = ''
-- Walk the partial indexes in order and stop after the rows wanted. Without fresh statistics (a
-- burst into an empty table) the planner would otherwise bitmap-scan and sort the whole backlog.
set enable_bitmapscan = off
as $$
declare
  v_now timestamptz := pg_catalog.now();
  v_until timestamptz;
  v_horizon timestamptz;
  -- Too little of a second left at the slot: Twilio's smallest ValidityPeriod, the runner's refusal.
  v_validity_min interval := pg_catalog.make_interval(secs => private.limit_value('twilio_validity_min_seconds'));
begin
  perform private.check_worker_args(p_worker, p_lease_seconds);
  if p_limit is null or p_limit < 1 or p_limit > private.limit_value('claim_batch_max') then
    perform private.raise_error('invalid_argument', pg_catalog.format(
      'batch size must be 1 to %s', private.limit_value('claim_batch_max')));
  end if;
  if p_lookahead_ms is null or p_lookahead_ms < 0 or p_lookahead_ms > private.limit_value('claim_lookahead_max_ms') then
    perform private.raise_error('invalid_argument', pg_catalog.format(
      'lookahead must be 0 to %s ms', private.limit_value('claim_lookahead_max_ms')));
  end if;
  v_until := v_now + pg_catalog.make_interval(secs => p_lookahead_ms / 1000.0);
  -- Slots at most the horizon ahead, and within the first half of the lease (which still runs from
  -- the claim): a worker always holds its lease at its slot, before any renewal.
  v_horizon := v_now + pg_catalog.make_interval(
    secs => least(private.limit_value('sender_slot_horizon_ms') / 1000.0, p_lease_seconds / 2.0));
  return query
  with recursive
  -- Distinct (workspace, sender) pairs with pending rows: a skip scan of the partial index.
  pairs (workspace_id, from_number) as (
    (select j.workspace_id, j.from_number from public.scheduled_sms_jobs j
     where j.is_pending order by j.workspace_id, j.from_number limit 1)
    union all
    (select n.workspace_id, n.from_number
     from pairs p
     cross join lateral (
       select j.workspace_id, j.from_number from public.scheduled_sms_jobs j
       where j.is_pending and (j.workspace_id, j.from_number) > (p.workspace_id, p.from_number)
       order by j.workspace_id, j.from_number limit 1) n)
  ),
  -- Pairs with due work, the sender's rate and (unlocked, only to size the share) its free time.
  senders as materialized (
    select p.workspace_id, p.from_number, f.first_due,
           private.slot_rate(coalesce(s.messages_per_second, private.sender_default_rate(private.sender_kind(p.from_number)))) as rate,
           greatest(coalesce(sp.next_slot_at, '-infinity'), v_now) as free_at
    from pairs p
    cross join lateral (
      select j.next_attempt_at as first_due from public.scheduled_sms_jobs j
      where j.workspace_id = p.workspace_id and j.from_number = p.from_number and j.is_pending
      order by j.next_attempt_at limit 1) f
    left join public.workspace_senders s on s.sender = p.from_number and s.workspace_id = p.workspace_id
    left join private.sender_pacing sp on sp.sender = p.from_number
    where f.first_due <= v_until
  ),
  -- How many rows to lock per sender: twice its even share (the claim split between workspaces, a
  -- workspace's share between its senders), so a workspace with less than its share leaves the
  -- rest to the others and the claim still fills; never more than p_limit, nor than the slots left
  -- within the horizon. At most p_limit pairs, those waiting longest first. Rows locked beyond what
  -- the claim takes stay untouched (the round robin below picks p_limit).
  shares as (
    select s.workspace_id, s.from_number,
           least(
             pg_catalog.floor(extract(epoch from v_horizon - s.free_at) * s.rate) + 1,
             p_limit,
             pg_catalog.ceil(2 * p_limit::numeric
               / (select count(distinct s2.workspace_id) from senders s2 where s2.free_at <= v_horizon)
               / count(*) over (partition by s.workspace_id)))::integer as k
    from senders s
    where s.free_at <= v_horizon
    order by s.first_due
    limit p_limit
  ),
  locked as materialized (
    select c.*
    from shares sh
    cross join lateral (
      select j.id, j.workspace_id, j.from_number, j.next_attempt_at, j.expires_at, j.attempts,
             coalesce(j.segments, 1) as segments
      from public.scheduled_sms_jobs j
      where j.workspace_id = sh.workspace_id and j.from_number = sh.from_number
        and j.is_pending and j.next_attempt_at <= v_until
      order by j.next_attempt_at
      limit sh.k
      for update of j skip locked
    ) c
  ),
  -- The senders' pacing rows, locked in sender order; FOR UPDATE reads the latest committed slot
  -- (a claim that waited here sees the slots the one before it took).
  pacing as materialized (
    select sp.sender, sp.next_slot_at
    from private.sender_pacing sp
    where sp.sender in (select l.from_number from locked l)
    order by sp.sender
    for update
  ),
  settings as materialized (
    select st.workspace_id, st.timezone, st.daily_message_cap as cap,
           (v_now at time zone st.timezone)::date as today
    from public.workspace_settings st
    where st.workspace_id in (select l.workspace_id from locked l)
  ),
  -- The usage rows of the workspaces with a cap, locked in workspace order after the pacing rows
  -- (the count(*) on pacing makes this run after it). Only capped workspaces are counted: counting
  -- every workspace would make two claims of one workspace wait for each other even when they share
  -- no sender.
  usage as materialized (
    select u.workspace_id, case when u.day = st.today then u.messages else 0 end as used
    from private.workspace_daily_usage u
    join settings st on st.workspace_id = u.workspace_id
    where st.cap is not null and (select count(*) from pacing) >= 0
    order by u.workspace_id
    for update of u
  ),
  -- First attempts in each workspace, in due order, against what is left of its cap.
  capped as (
    select l.*, st.cap, st.timezone, coalesce(u.used, 0) as used,
           sum(case when l.attempts = 0 then 1 else 0 end) over (
             partition by l.workspace_id order by l.next_attempt_at, l.id rows unbounded preceding) as first_rank
    from locked l
    join settings st on st.workspace_id = l.workspace_id
    left join usage u on u.workspace_id = l.workspace_id
  ),
  -- held: the cap was reached before this claim (wait for the next local midnight); over: this
  -- claim would pass it (stay pending; the next claim holds them).
  classified as (
    select c.*,
           (c.attempts = 0 and c.cap is not null and c.used >= c.cap) as held,
           (c.attempts = 0 and c.cap is not null and c.used < c.cap and c.used + c.first_rank > c.cap) as over
    from capped c
  ),
  -- Slots of the sendable jobs, per sender in due order. With C the segments before a job in this
  -- claim and r the rate, slot = C/r + max(base, max over the jobs so far of (due - C/r)): each job
  -- at least its segments / rate after the one before, never before its due time or the base.
  counted as (
    select c.*,
           coalesce(sum(c.segments) over (partition by c.from_number order by c.next_attempt_at, c.id
             rows between unbounded preceding and 1 preceding), 0)::double precision as before_segments
    from classified c
    where not c.held and not c.over
  ),
  slotted as (
    select c.*, sn.rate,
           greatest(coalesce(p.next_slot_at, '-infinity'), v_now,
             max(c.next_attempt_at - pg_catalog.make_interval(secs => c.before_segments / sn.rate)) over (
               partition by c.from_number order by c.next_attempt_at, c.id rows unbounded preceding))
             + pg_catalog.make_interval(secs => c.before_segments / sn.rate) as slot
    from counted c
    join senders sn on sn.workspace_id = c.workspace_id and sn.from_number = c.from_number
    left join pacing p on p.sender = c.from_number
  ),
  -- Within the horizon; then round robin between workspaces (each one's first job, then each one's
  -- second, ...), at most p_limit. Both keep a prefix of every sender's jobs.
  chosen as materialized (
    select s.*, coalesce(s.expires_at < s.slot + v_validity_min, false) as expired
    from (
      select s.*, row_number() over (partition by s.workspace_id order by s.next_attempt_at, s.id) as turn
      from slotted s
      where s.slot <= v_horizon
    ) s
    order by s.turn, s.next_attempt_at
    limit p_limit
  ),
  advance as (
    update private.sender_pacing sp
    set next_slot_at = x.next_slot_at
    from (
      select ch.from_number, max(ch.slot + pg_catalog.make_interval(secs => ch.segments / ch.rate)) as next_slot_at
      from chosen ch group by ch.from_number
    ) x
    where sp.sender = x.from_number
  ),
  count_usage as (
    update private.workspace_daily_usage u
    set messages = case when u.day = st.today then u.messages else 0 end + x.n,
        day = st.today
    from (
      select ch.workspace_id, count(*) as n from chosen ch
      where ch.attempts = 0 and not ch.expired group by ch.workspace_id
    ) x
    join usage us on us.workspace_id = x.workspace_id
    join settings st on st.workspace_id = x.workspace_id
    where u.workspace_id = x.workspace_id
  ),
  hold as (
    update public.scheduled_sms_jobs j
    set next_attempt_at = private.next_local_midnight(v_now, c.timezone),
        status_reason = 'daily_cap',
        dispatched_at = null
    from classified c
    where j.id = c.id and c.held
    returning j.id, j.workspace_id, j.status, j.attempts, j.next_attempt_at, c.cap
  ),
  hold_events as (
    insert into public.sms_job_events (job_id, workspace_id, event_type, from_status, to_status, attempt, details)
    select h.id, h.workspace_id, 'daily_cap', h.status, h.status, h.attempts,
           pg_catalog.jsonb_build_object('reason', 'daily_cap', 'daily_message_cap', h.cap,
             'next_attempt_at', h.next_attempt_at)
    from hold h
  ),
  expired as (
    update public.scheduled_sms_jobs j
    set status = 'failed',
        status_reason = 'expired',
        last_error_code = 'expired',
        last_error_message = case when j.expires_at <= greatest(j.next_attempt_at, v_now)
          then pg_catalog.format('the message expired at %s before it could be sent', j.expires_at)
          else pg_catalog.format('the message expires at %s, before its sender''s next free send slot at %s', j.expires_at, ch.slot) end
    from chosen ch
    where j.id = ch.id and ch.expired
    returning j.id
  )
  update public.scheduled_sms_jobs j
  set status = 'processing',
      status_reason = null,
      attempts = j.attempts + 1,
      next_attempt_at = ch.slot,
      lease_owner = p_worker,
      lease_expires_at = v_now + pg_catalog.make_interval(secs => p_lease_seconds)
  from chosen ch
  where j.id = ch.id and not ch.expired
  returning j.*;
end;
$$;
comment on function private.claim_due_jobs is
  'Claims jobs due now (or within p_lookahead_ms) for a worker, interleaving workspaces, and gives each a send slot of its sender within sender_slot_horizon_ms (next_attempt_at = the slot: the worker sends then). Jobs whose slot is later stay pending; a slot at or after the expiry fails the job (expired); first attempts past the workspace''s daily cap wait for the next local midnight (daily_cap). Skips locked job rows.';

-- One job by id (the Trigger.dev task path), with a send slot. A job whose sender has no slot within
-- the horizon is not claimed: job_not_due, with the time to try again in the error's DETAIL
-- (retry_at=<ISO time>). A job held by the daily cap is returned pending (status_reason daily_cap).
create or replace function private.claim_job(
  p_job_id text,
  p_worker text,
  p_lease_seconds integer default private.limit_value('default_lease_seconds')::integer
) returns public.scheduled_sms_jobs
language plpgsql
set search_path = ''
as $$
declare
  v_job public.scheduled_sms_jobs;
  v_now timestamptz := pg_catalog.now();
  v_horizon timestamptz;
  v_rate double precision;
  v_validity_min interval := pg_catalog.make_interval(secs => private.limit_value('twilio_validity_min_seconds'));
  v_next_slot timestamptz;
  v_slot timestamptz;
  v_settings record;
  v_used bigint;
  v_today date;
begin
  perform private.check_worker_args(p_worker, p_lease_seconds);
  -- As in claim_due_jobs: within the horizon and the first half of the lease.
  v_horizon := v_now + pg_catalog.make_interval(
    secs => least(private.limit_value('sender_slot_horizon_ms') / 1000.0, p_lease_seconds / 2.0));
  v_job := private.lock_job(p_job_id);
  perform private.require_transition(v_job, 'processing');
  if v_job.next_attempt_at > v_now then
    perform private.raise_error('job_not_due', pg_catalog.format(
      'job %s is due at %s', p_job_id, v_job.next_attempt_at));
  end if;
  if v_job.expires_at <= v_now then
    update public.scheduled_sms_jobs
    set status = 'failed',
        status_reason = 'expired',
        last_error_code = 'expired',
        last_error_message = pg_catalog.format('the message expired at %s before it could be sent', v_job.expires_at)
    where id = p_job_id
    returning * into v_job;
    return v_job;
  end if;

  -- Lock order as in claim_due_jobs: the job, its sender's pacing row, the workspace's usage row.
  select sp.next_slot_at into v_next_slot from private.sender_pacing sp where sp.sender = v_job.from_number for update;
  select private.slot_rate(coalesce(s.messages_per_second, private.sender_default_rate(private.sender_kind(v_job.from_number))))
    into v_rate
  from (select 1) one
  left join public.workspace_senders s on s.sender = v_job.from_number and s.workspace_id = v_job.workspace_id;
  v_slot := greatest(coalesce(v_next_slot, '-infinity'), v_now);
  if v_slot > v_horizon then
    perform private.raise_error('job_not_due', pg_catalog.format(
      'job %s waits for its sender %s: the next free send slot is at %s', p_job_id, v_job.from_number, v_slot),
      'retry_at=' || pg_catalog.to_char((v_slot - (v_horizon - v_now)) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'));
  end if;

  select st.timezone, st.daily_message_cap as cap into v_settings
  from public.workspace_settings st where st.workspace_id = v_job.workspace_id;
  v_today := (v_now at time zone coalesce(v_settings.timezone, 'UTC'))::date;
  if v_settings.cap is not null then
    select case when u.day = v_today then u.messages else 0 end into v_used
    from private.workspace_daily_usage u where u.workspace_id = v_job.workspace_id for update;
  end if;
  if v_job.attempts = 0 and v_settings.cap is not null and coalesce(v_used, 0) >= v_settings.cap then
    update public.scheduled_sms_jobs
    set next_attempt_at = private.next_local_midnight(v_now, v_settings.timezone),
        status_reason = 'daily_cap',
        dispatched_at = null
    where id = p_job_id
    returning * into v_job;
    insert into public.sms_job_events (job_id, workspace_id, event_type, from_status, to_status, attempt, details)
    values (v_job.id, v_job.workspace_id, 'daily_cap', v_job.status, v_job.status, v_job.attempts,
      pg_catalog.jsonb_build_object('reason', 'daily_cap', 'daily_message_cap', v_settings.cap,
        'next_attempt_at', v_job.next_attempt_at));
    return v_job;
  end if;

  if v_job.expires_at < v_slot + v_validity_min then
    update public.scheduled_sms_jobs
    set status = 'failed',
        status_reason = 'expired',
        last_error_code = 'expired',
        last_error_message = pg_catalog.format('the message expires at %s, before its sender''s next free send slot at %s', v_job.expires_at, v_slot)
    where id = p_job_id
    returning * into v_job;
    return v_job;
  end if;

  update private.sender_pacing
  set next_slot_at = v_slot + pg_catalog.make_interval(secs => coalesce(v_job.segments, 1) / v_rate)
  where sender = v_job.from_number;
  if v_job.attempts = 0 and v_settings.cap is not null then
    update private.workspace_daily_usage
    set messages = case when day = v_today then messages else 0 end + 1, day = v_today
    where workspace_id = v_job.workspace_id;
  end if;
  update public.scheduled_sms_jobs
  set status = 'processing',
      status_reason = null,
      attempts = attempts + 1,
      next_attempt_at = v_slot,
      lease_owner = p_worker,
      lease_expires_at = v_now + pg_catalog.make_interval(secs => p_lease_seconds)
  where id = p_job_id
  returning * into v_job;
  return v_job;
end;
$$;
comment on function private.claim_job is
  'Claims one due job by id (the Trigger.dev task path) with a send slot of its sender (next_attempt_at = the slot). No slot within the horizon: job_not_due with DETAIL retry_at=<time>. Expired, or expiring before its slot: failed (expired), returned so. Past the daily cap: held to the next local midnight (daily_cap), returned pending.';

-- What the dashboard and the API show per sender: rate, backlog (pending rows due now) and how long
-- the backlog takes at the rate. Reads the private pacing state: the API calls it after checking the
-- caller may read the workspace; no client role may call it.
create function private.sender_overview(p_workspace_id text)
returns table (
  sender text,
  label text,
  kind text,
  messages_per_second numeric,
  default_rate boolean,
  backlog_messages bigint,
  backlog_segments bigint,
  drain_seconds double precision,
  next_slot_at timestamptz,
  is_default boolean
)
language sql
stable
security definer
set search_path = ''
as $$
  select s.sender, s.label, s.kind,
         coalesce(s.messages_per_second, private.sender_default_rate(s.kind)),
         s.messages_per_second is null,
         coalesce(b.messages, 0), coalesce(b.segments, 0),
         coalesce(b.segments, 0) / private.slot_rate(coalesce(s.messages_per_second, private.sender_default_rate(s.kind)))
           + case when coalesce(b.messages, 0) > 0 and p.next_slot_at > pg_catalog.now()
               then extract(epoch from p.next_slot_at - pg_catalog.now())::double precision else 0 end,
         case when p.next_slot_at > pg_catalog.now() then p.next_slot_at end,
         coalesce(st.default_sender = s.sender, false)
  from public.workspace_senders s
  left join public.workspace_settings st on st.workspace_id = s.workspace_id
  left join private.sender_pacing p on p.sender = s.sender
  left join lateral (
    select count(*) as messages, sum(coalesce(j.segments, 1)) as segments
    from public.scheduled_sms_jobs j
    where j.workspace_id = s.workspace_id and j.from_number = s.sender and j.is_pending
      and j.next_attempt_at <= pg_catalog.now()
  ) b on true
  where s.workspace_id = p_workspace_id
  order by s.sender
$$;
comment on function private.sender_overview is
  'Per sender of a workspace: rate (and whether it is the default of its kind), backlog due now in messages and segments, seconds to drain it at the rate, next free slot.';
revoke execute on function private.sender_overview(text) from public, anon, authenticated;
grant execute on function private.sender_overview(text) to service_role;

-- A workspace's daily cap and today's usage in its local day.
create function private.sending_limits(p_workspace_id text)
returns table (
  daily_message_cap integer,
  timezone text,
  local_day date,
  used_today bigint,
  resets_at timestamptz,
  held_messages bigint
)
language sql
stable
security definer
set search_path = ''
as $$
  select st.daily_message_cap, st.timezone,
         (pg_catalog.now() at time zone st.timezone)::date,
         case when u.day = (pg_catalog.now() at time zone st.timezone)::date then u.messages else 0 end,
         private.next_local_midnight(pg_catalog.now(), st.timezone),
         (select count(*) from public.scheduled_sms_jobs j
          where j.workspace_id = st.workspace_id and j.is_pending and j.status_reason = 'daily_cap')
  from public.workspace_settings st
  left join private.workspace_daily_usage u on u.workspace_id = st.workspace_id
  where st.workspace_id = p_workspace_id
$$;
comment on function private.sending_limits is
  'A workspace''s daily message cap, its local day, first attempts counted today, when the day ends and how many messages wait for it (daily_cap).';
revoke execute on function private.sending_limits(text) from public, anon, authenticated;
grant execute on function private.sending_limits(text) to service_role;
