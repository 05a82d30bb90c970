-- API rate limits (issue 14, "limits that protect everyone"): per workspace and caller, a budget of
-- writes (POST) and one of reads (GET), and for schedule-bulk one of recipients per minute, each a
-- GCRA bucket (generic cell rate algorithm: one timestamp per bucket, the "theoretical arrival
-- time"). The `trigger` function charges every authenticated request with one call of
-- private.take_api_request before it validates or writes anything; see docs/architecture.md#rate-limits.
--
-- The defaults are private.limit_value's api_* entries (20261130000810_protection_limits.sql); a
-- workspace may override them in workspace_settings.api_limits, within the *_max bounds there.

insert into private.error_codes (code, sqlstate, http_status, description) values
  ('invalid_rate_limits', 'SMS40', 400, 'A workspace''s API rate limits name an unknown limit, or a value that is not a whole number within its bounds.');

-- The buckets. UNLOGGED: every API request updates a row here, and an unlogged table writes no WAL,
-- which keeps the limiter's cost to a buffer update. What is lost is harmless: after a crash the
-- table is empty, which only means every bucket is full again (as after an idle spell), and
-- replicas do not see it (only the primary's API charges requests). No index but the primary key,
-- so that the update of `tat` stays a HOT update; the idle cleanup scans the (small) table.
create unlogged table private.api_rate_buckets (
  -- The workspace the request named, if the caller is a member (the service role: if it exists);
  -- '' otherwise, so that inventing workspace ids cannot mint fresh budgets.
  scope text not null,
  -- The caller: a user id, or 'service_role'.
  caller text not null,
  -- 'write', 'read' or 'bulk-recipients'.
  bucket text not null check (bucket in ('write', 'read', 'bulk-recipients')),
  -- GCRA's theoretical arrival time: the bucket is full when tat <= now; each unit of cost moves it
  -- one emission interval (1/rate) later; a request is refused if that would put it more than
  -- burst intervals after now.
  tat timestamptz not null,
  primary key (scope, caller, bucket)
);
comment on table private.api_rate_buckets is
  'GCRA state of the API rate limits per (workspace, caller, bucket); unlogged (lost on a crash = buckets full).';

-- The API's alone: no grants to client roles, and RLS on without a policy.
alter table private.api_rate_buckets enable row level security;
revoke all on private.api_rate_buckets from anon, authenticated, public;

-- A workspace's own limits: {writeRatePerSecond, writeBurst, readRatePerSecond, readBurst,
-- bulkRecipientsPerMinute, bulkRecipientsBurst}, each optional (absent = the default). Members read
-- them (the table's select policy); only owners and the service role change them, through the API
-- (POST update-rate-limits): client roles get no update grant on this column.
alter table public.workspace_settings
  add column api_limits jsonb not null default '{}';
comment on column public.workspace_settings.api_limits is
  'Overrides of the API rate limits (writeRatePerSecond, writeBurst, readRatePerSecond, readBurst, bulkRecipientsPerMinute, bulkRecipientsBurst); a name not given uses private.limit_value''s api_* default.';

-- The defaults, in the names api_limits uses.
create function private.api_limit_defaults()
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.jsonb_build_object(
    'writeRatePerSecond', private.limit_value('api_write_rate_per_second'),
    'writeBurst', private.limit_value('api_write_burst'),
    'readRatePerSecond', private.limit_value('api_read_rate_per_second'),
    'readBurst', private.limit_value('api_read_burst'),
    'bulkRecipientsPerMinute', private.limit_value('api_bulk_recipients_per_minute'),
    'bulkRecipientsBurst', private.limit_value('api_bulk_recipients_burst'))
$$;

-- The largest value each limit may be set to.
create function private.api_limit_bounds()
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.jsonb_build_object(
    'writeRatePerSecond', private.limit_value('api_rate_per_second_max'),
    'writeBurst', private.limit_value('api_burst_max'),
    'readRatePerSecond', private.limit_value('api_rate_per_second_max'),
    'readBurst', private.limit_value('api_burst_max'),
    'bulkRecipientsPerMinute', private.limit_value('api_bulk_recipients_per_minute_max'),
    'bulkRecipientsBurst', private.limit_value('api_bulk_recipients_per_minute_max'))
$$;

-- Refuses (invalid_rate_limits) anything but an object of known names, each a whole number from 1
-- to its bound.
create function private.check_api_limits(p_limits jsonb)
returns void
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_bounds jsonb := private.api_limit_bounds();
  v_name text;
  v_value jsonb;
begin
  if p_limits is null or pg_catalog.jsonb_typeof(p_limits) <> 'object' then
    perform private.raise_error('invalid_rate_limits', 'API rate limits are an object of named limits');
  end if;
  for v_name, v_value in select e.key, e.value from pg_catalog.jsonb_each(p_limits) e loop
    if not (v_bounds ? v_name) then
      perform private.raise_error('invalid_rate_limits', pg_catalog.format(
        '%s is not an API rate limit (known: writeRatePerSecond, writeBurst, readRatePerSecond, readBurst, bulkRecipientsPerMinute, bulkRecipientsBurst)',
        v_name));
    end if;
    if pg_catalog.jsonb_typeof(v_value) <> 'number' or v_value::numeric <> pg_catalog.trunc(v_value::numeric)
       or v_value::numeric < 1 or v_value::numeric > (v_bounds ->> v_name)::numeric then
      perform private.raise_error('invalid_rate_limits', pg_catalog.format(
        '%s must be a whole number from 1 to %s', v_name, v_bounds ->> v_name));
    end if;
  end loop;
end;
$$;

-- Checks every write of the column, whoever makes it (the API, the service role directly).
create function private.check_workspace_api_limits()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.check_api_limits(new.api_limits);
  return new;
end;
$$;
create trigger workspace_settings_api_limits before insert or update of api_limits on public.workspace_settings
  for each row execute function private.check_workspace_api_limits();

-- The limits in force for a workspace: its overrides over the defaults (the defaults alone for an
-- unknown workspace, or null).
create function private.resolve_api_limits(p_workspace_id text)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select private.api_limit_defaults() || coalesce(
    (select s.api_limits from public.workspace_settings s where s.workspace_id = p_workspace_id), '{}')
$$;

-- One bucket's figures for the RateLimit header fields, given its tat after the request: remaining
-- whole units, and seconds until the bucket is full again (rounded up).
create function private.gcra_remaining(p_tat timestamptz, p_now timestamptz, p_interval_seconds double precision, p_burst bigint)
returns integer
language sql
immutable
set search_path = ''
as $$
  -- The nudge keeps float error from showing 4999 where 5000 are left.
  select greatest(0, pg_catalog.floor(p_burst - greatest(0, extract(epoch from (p_tat - p_now))) / p_interval_seconds + 1e-6))::integer
$$;
create function private.gcra_reset_seconds(p_tat timestamptz, p_now timestamptz)
returns integer
language sql
immutable
set search_path = ''
as $$
  select greatest(0, pg_catalog.ceil(extract(epoch from (p_tat - p_now))))::integer
$$;

-- Charges one API request (one call, one round trip): resolves the caller's scope and the limits
-- in force, and takes `cost` units from the class bucket (1) and, for schedule-bulk, p_recipients
-- from the recipients bucket — both or neither. Answers whether the request may run, how long to
-- wait if not, and per bucket its quota (burst), window (seconds for a full refill), remaining
-- units and seconds until full, for the RateLimit-Policy and RateLimit fields.
--   p_user_id: the caller's user id, or null for the service role.
--   p_workspace_id: the workspace the request names (null if none).
--   p_class: 'read' or 'write'.
create function private.take_api_request(
  p_user_id uuid,
  p_workspace_id text,
  p_class text,
  p_recipients integer default 0,
  p_now timestamptz default pg_catalog.clock_timestamp(),
  out allowed boolean,
  out retry_after_seconds integer,
  out class_quota bigint,
  out class_window integer,
  out class_remaining integer,
  out class_reset integer,
  out bulk_quota bigint,
  out bulk_window integer,
  out bulk_remaining integer,
  out bulk_reset integer
)
language plpgsql
set search_path = ''
as $$
declare
  v_caller text := coalesce(p_user_id::text, 'service_role');
  v_scope text;
  v_limits jsonb;
  v_rate double precision;
  v_interval double precision;  -- seconds per unit of the class bucket
  v_tat timestamptz;
  v_bulk_interval double precision;
  v_bulk_cost bigint;
  v_bulk_tat timestamptz;
  v_class_new timestamptz;
  v_bulk_new timestamptz;
begin
  if p_class not in ('read', 'write') then
    perform private.raise_error('invalid_argument', 'a request class is read or write');
  end if;
  -- The scope: the named workspace if the caller belongs to it (the service role: if it exists).
  select w.id, private.api_limit_defaults() || s.api_limits into v_scope, v_limits
  from public.workspaces w
  join public.workspace_settings s on s.workspace_id = w.id
  where w.id = p_workspace_id
    and (p_user_id is null
         or exists (select 1 from public.workspace_members m where m.workspace_id = w.id and m.user_id = p_user_id));
  if v_scope is null then
    v_scope := '';
    v_limits := private.api_limit_defaults();
  end if;

  v_rate := (v_limits ->> (p_class || 'RatePerSecond'))::double precision;
  v_interval := 1.0 / v_rate;
  class_quota := (v_limits ->> (p_class || 'Burst'))::bigint;
  class_window := pg_catalog.ceil(class_quota::numeric / (v_limits ->> (p_class || 'RatePerSecond'))::numeric)::integer;

  if coalesce(p_recipients, 0) <= 0 then
    -- The common case, one UPSERT: the bucket moves only if the request fits.
    insert into private.api_rate_buckets as b (scope, caller, bucket, tat)
    values (v_scope, v_caller, p_class, p_now + pg_catalog.make_interval(secs => v_interval))
    on conflict (scope, caller, bucket) do update
      set tat = greatest(b.tat, p_now) + pg_catalog.make_interval(secs => v_interval)
      where greatest(b.tat, p_now) + pg_catalog.make_interval(secs => v_interval)
            <= p_now + pg_catalog.make_interval(secs => class_quota * v_interval)
    returning b.tat into v_tat;
    allowed := v_tat is not null;
    if not allowed then
      select b.tat into v_tat from private.api_rate_buckets b
      where b.scope = v_scope and b.caller = v_caller and b.bucket = p_class;
      retry_after_seconds := greatest(1, pg_catalog.ceil(extract(epoch from
        (v_tat + pg_catalog.make_interval(secs => v_interval) - pg_catalog.make_interval(secs => class_quota * v_interval) - p_now))))::integer;
    end if;
    class_remaining := private.gcra_remaining(v_tat, p_now, v_interval, class_quota);
    class_reset := private.gcra_reset_seconds(v_tat, p_now);
    return;
  end if;

  -- schedule-bulk: the write bucket and the recipients bucket, locked together, charged together.
  -- A request larger than the whole recipients burst costs the whole burst (it waits for a full
  -- bucket rather than never passing).
  bulk_quota := (v_limits ->> 'bulkRecipientsBurst')::bigint;
  v_bulk_interval := 60.0 / (v_limits ->> 'bulkRecipientsPerMinute')::double precision;
  bulk_window := pg_catalog.ceil(bulk_quota * 60::numeric / (v_limits ->> 'bulkRecipientsPerMinute')::numeric)::integer;
  v_bulk_cost := least(p_recipients, bulk_quota);
  insert into private.api_rate_buckets (scope, caller, bucket, tat)
  values (v_scope, v_caller, p_class, p_now), (v_scope, v_caller, 'bulk-recipients', p_now)
  on conflict do nothing;
  select max(b.tat) filter (where b.bucket = p_class), max(b.tat) filter (where b.bucket = 'bulk-recipients')
  into v_tat, v_bulk_tat
  from (select b.bucket, b.tat from private.api_rate_buckets b
        where b.scope = v_scope and b.caller = v_caller and b.bucket in (p_class, 'bulk-recipients')
        order by b.bucket
        for update) b;
  v_class_new := greatest(v_tat, p_now) + pg_catalog.make_interval(secs => v_interval);
  v_bulk_new := greatest(v_bulk_tat, p_now) + pg_catalog.make_interval(secs => v_bulk_cost * v_bulk_interval);
  allowed := v_class_new <= p_now + pg_catalog.make_interval(secs => class_quota * v_interval)
         and v_bulk_new <= p_now + pg_catalog.make_interval(secs => bulk_quota * v_bulk_interval);
  if allowed then
    update private.api_rate_buckets b
    set tat = case b.bucket when 'bulk-recipients' then v_bulk_new else v_class_new end
    where b.scope = v_scope and b.caller = v_caller and b.bucket in (p_class, 'bulk-recipients');
    v_tat := v_class_new;
    v_bulk_tat := v_bulk_new;
  else
    retry_after_seconds := greatest(1, pg_catalog.ceil(greatest(
      extract(epoch from (v_class_new - pg_catalog.make_interval(secs => class_quota * v_interval) - p_now)),
      extract(epoch from (v_bulk_new - pg_catalog.make_interval(secs => bulk_quota * v_bulk_interval) - p_now)))))::integer;
  end if;
  class_remaining := private.gcra_remaining(v_tat, p_now, v_interval, class_quota);
  class_reset := private.gcra_reset_seconds(v_tat, p_now);
  bulk_remaining := private.gcra_remaining(v_bulk_tat, p_now, v_bulk_interval, bulk_quota);
  bulk_reset := private.gcra_reset_seconds(v_bulk_tat, p_now);
end;
$$;
comment on function private.take_api_request is
  'Charges one API request against its GCRA buckets (class, and recipients for bulk); answers allowed, retry-after and the RateLimit figures.';

-- What is left in each of a caller's buckets in a workspace, without charging anything (GET
-- rate-limits). A bucket with no row is full.
create function private.peek_api_rate_buckets(
  p_user_id uuid,
  p_workspace_id text,
  p_now timestamptz default pg_catalog.clock_timestamp()
)
returns table (bucket text, quota bigint, window_seconds integer, remaining integer, reset_seconds integer)
language sql
stable
set search_path = ''
as $$
  with scope as (
    select coalesce((
      select w.id from public.workspaces w
      where w.id = p_workspace_id
        and (p_user_id is null
             or exists (select 1 from public.workspace_members m where m.workspace_id = w.id and m.user_id = p_user_id))), '') as id
  ),
  limits as (
    select s.id as scope, case when s.id = '' then private.api_limit_defaults() else private.resolve_api_limits(s.id) end as l from scope s
  ),
  -- Per bucket: its burst, and how many it refills per `per` seconds.
  buckets (bucket, quota, refill, per) as (
    select 'write', (l.l ->> 'writeBurst')::bigint, (l.l ->> 'writeRatePerSecond')::numeric, 1 from limits l
    union all
    select 'read', (l.l ->> 'readBurst')::bigint, (l.l ->> 'readRatePerSecond')::numeric, 1 from limits l
    union all
    select 'bulk-recipients', (l.l ->> 'bulkRecipientsBurst')::bigint, (l.l ->> 'bulkRecipientsPerMinute')::numeric, 60 from limits l
  )
  select k.bucket, k.quota, pg_catalog.ceil(k.quota * k.per / k.refill)::integer,
         private.gcra_remaining(coalesce(b.tat, p_now), p_now, (k.per / k.refill)::double precision, k.quota),
         private.gcra_reset_seconds(coalesce(b.tat, p_now), p_now)
  from buckets k
  cross join limits l
  left join private.api_rate_buckets b
    on b.scope = l.scope and b.caller = coalesce(p_user_id::text, 'service_role') and b.bucket = k.bucket
$$;
comment on function private.peek_api_rate_buckets is
  'A caller''s API rate buckets in a workspace (quota, window, remaining, seconds until full), charging nothing.';

-- Removes buckets idle for api_rate_bucket_idle_seconds (long full again: a missing row is a full
-- bucket); pg_cron runs it every ten minutes. Returns how many.
create function private.delete_idle_api_rate_buckets(p_now timestamptz default pg_catalog.now())
returns integer
language sql
set search_path = ''
as $$
  with gone as (
    delete from private.api_rate_buckets b
    where b.tat < p_now - pg_catalog.make_interval(secs => private.limit_value('api_rate_bucket_idle_seconds'))
    returning 1
  )
  select pg_catalog.count(*)::integer from gone
$$;
comment on function private.delete_idle_api_rate_buckets is
  'Deletes API rate buckets idle (full) for api_rate_bucket_idle_seconds (pg_cron, every ten minutes).';

-- None of these is for client roles (the API calls them as the table owner).
revoke all on function private.api_limit_defaults(), private.api_limit_bounds(), private.check_api_limits(jsonb),
  private.check_workspace_api_limits(), private.resolve_api_limits(text),
  private.gcra_remaining(timestamptz, timestamptz, double precision, bigint), private.gcra_reset_seconds(timestamptz, timestamptz),
  private.take_api_request(uuid, text, text, integer, timestamptz),
  private.peek_api_rate_buckets(uuid, text, timestamptz), private.delete_idle_api_rate_buckets(timestamptz)
  from public, anon, authenticated;

select cron.schedule('sms-api-rate-buckets', '*/10 * * * *', 'select private.delete_idle_api_rate_buckets()');
