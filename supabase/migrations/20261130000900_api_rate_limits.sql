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
  -- GCRA's theoretical arrival time, in microseconds since the Unix epoch (whole numbers: the
  -- arithmetic is exact and cheap): the bucket is full when tat <= now; each unit of cost moves it
  -- one emission interval (1/rate) later; a request is refused if that would put it more than
  -- burst intervals after now.
  tat bigint not null,
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

-- Times in the buckets: microseconds since the Unix epoch. Like every function here, the helpers pin
-- search_path (the advisors' function_search_path_mutable rule); take_api_request does its own
-- arithmetic inline, so the pinned helpers cost nothing on the request path.
create function private.epoch_us(p_time timestamptz)
returns bigint
language sql
stable  -- as extract(epoch from timestamptz) is
parallel safe
set search_path = ''
as $$
  select (extract(epoch from p_time) * 1000000)::bigint
$$;

-- One bucket's figures for the RateLimit header fields, given its tat (after the request) and now,
-- in microseconds, and its emission interval: whole units left, and whole seconds until full.
create function private.gcra_remaining(p_tat bigint, p_now bigint, p_interval_us bigint, p_burst bigint)
returns integer
language sql
immutable
parallel safe
set search_path = ''
as $$
  select greatest(0, (p_burst * p_interval_us - greatest(0, p_tat - p_now)) / p_interval_us)::integer
$$;
create function private.gcra_reset_seconds(p_tat bigint, p_now bigint)
returns integer
language sql
immutable
parallel safe
set search_path = ''
as $$
  select ((greatest(0, p_tat - p_now) + 999999) / 1000000)::integer
$$;

-- Charges one API request (one call, one round trip): resolves the caller's scope and the limits
-- in force, and takes one unit from the class bucket and, for schedule-bulk, p_recipients from the
-- recipients bucket — both or neither. Answers whether the request may run, how long to wait if
-- not, and per bucket its quota (burst), window (seconds for a full refill), remaining units and
-- seconds until full, for the RateLimit-Policy and RateLimit fields.
--   p_user_id: the caller's user id, or null for the service role.
--   p_workspace_id: the workspace the request names (null if none).
--   p_class: 'read' or 'write'.
-- Not security definer (only the API calls it, as the table owner). It runs on every request, so
-- its arithmetic is written inline (plpgsql's simple expressions) rather than calling the helpers
-- above. Every object it names is schema-qualified, and search_path is pinned all the same.
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
  v_now bigint := (extract(epoch from p_now) * 1000000)::bigint;
  v_caller text := coalesce(p_user_id::text, 'service_role');
  v_scope text;
  v_overrides jsonb;
  v_rate bigint;
  v_interval bigint;       -- microseconds per unit of the class bucket
  v_tat bigint;
  v_bulk_interval bigint;  -- microseconds per recipient
  v_bulk_cost bigint;
  v_bulk_tat bigint;
  v_class_new bigint;
  v_bulk_new bigint;
begin
  if p_class not in ('read', 'write') then
    perform private.raise_error('invalid_argument', 'a request class is read or write');
  end if;
  -- The scope: the named workspace if the caller belongs to it (the service role: if it exists);
  -- otherwise '' with the defaults.
  select w.id, s.api_limits into v_scope, v_overrides
  from public.workspaces w
  join public.workspace_settings s on s.workspace_id = w.id
  where w.id = p_workspace_id
    and (p_user_id is null
         or exists (select 1 from public.workspace_members m where m.workspace_id = w.id and m.user_id = p_user_id));
  v_scope := coalesce(v_scope, '');

  if p_class = 'write' then
    v_rate := coalesce((v_overrides ->> 'writeRatePerSecond')::bigint, private.limit_value('api_write_rate_per_second'));
    class_quota := coalesce((v_overrides ->> 'writeBurst')::bigint, private.limit_value('api_write_burst'));
  else
    v_rate := coalesce((v_overrides ->> 'readRatePerSecond')::bigint, private.limit_value('api_read_rate_per_second'));
    class_quota := coalesce((v_overrides ->> 'readBurst')::bigint, private.limit_value('api_read_burst'));
  end if;
  v_interval := greatest(1, pg_catalog.round(1000000.0 / v_rate))::bigint;
  class_window := ((class_quota * 1000000 / v_rate) + 999999) / 1000000;

  if coalesce(p_recipients, 0) <= 0 then
    -- The common case, one UPSERT: the bucket moves only if the request fits.
    insert into private.api_rate_buckets as b (scope, caller, bucket, tat)
    values (v_scope, v_caller, p_class, v_now + v_interval)
    on conflict (scope, caller, bucket) do update
      set tat = greatest(b.tat, v_now) + v_interval
      where greatest(b.tat, v_now) + v_interval <= v_now + class_quota * v_interval
    returning b.tat into v_tat;
    allowed := v_tat is not null;
    if not allowed then
      select b.tat into v_tat from private.api_rate_buckets b
      where b.scope = v_scope and b.caller = v_caller and b.bucket = p_class;
      retry_after_seconds := greatest(1, ((greatest(0, (v_tat + v_interval - class_quota * v_interval) - (v_now)) + 999999) / 1000000)::integer);
    end if;
    class_remaining := greatest(0, (class_quota * v_interval - greatest(0, v_tat - v_now)) / v_interval)::integer;
    class_reset := ((greatest(0, (v_tat) - (v_now)) + 999999) / 1000000)::integer;
    return;
  end if;

  -- schedule-bulk: the write bucket and the recipients bucket, locked together, charged together.
  -- A request larger than the whole recipients burst costs the whole burst (it waits for a full
  -- bucket rather than never passing).
  bulk_quota := coalesce((v_overrides ->> 'bulkRecipientsBurst')::bigint, private.limit_value('api_bulk_recipients_burst'));
  v_rate := coalesce((v_overrides ->> 'bulkRecipientsPerMinute')::bigint, private.limit_value('api_bulk_recipients_per_minute'));
  v_bulk_interval := greatest(1, pg_catalog.round(60000000.0 / v_rate))::bigint;
  bulk_window := ((bulk_quota * 60000000 / v_rate) + 999999) / 1000000;
  v_bulk_cost := least(p_recipients, bulk_quota);
  insert into private.api_rate_buckets (scope, caller, bucket, tat)
  values (v_scope, v_caller, p_class, v_now), (v_scope, v_caller, 'bulk-recipients', v_now)
  on conflict do nothing;
  select max(b.tat) filter (where b.bucket = p_class), max(b.tat) filter (where b.bucket = 'bulk-recipients')
  into v_tat, v_bulk_tat
  from (select b.bucket, b.tat from private.api_rate_buckets b
        where b.scope = v_scope and b.caller = v_caller and b.bucket in (p_class, 'bulk-recipients')
        order by b.bucket
        for update) b;
  v_class_new := greatest(v_tat, v_now) + v_interval;
  v_bulk_new := greatest(v_bulk_tat, v_now) + v_bulk_cost * v_bulk_interval;
  allowed := v_class_new <= v_now + class_quota * v_interval
         and v_bulk_new <= v_now + bulk_quota * v_bulk_interval;
  if allowed then
    update private.api_rate_buckets b
    set tat = case b.bucket when 'bulk-recipients' then v_bulk_new else v_class_new end
    where b.scope = v_scope and b.caller = v_caller and b.bucket in (p_class, 'bulk-recipients');
    v_tat := v_class_new;
    v_bulk_tat := v_bulk_new;
  else
    retry_after_seconds := greatest(1,
      ((greatest(0, (v_class_new - class_quota * v_interval) - (v_now)) + 999999) / 1000000)::integer,
      ((greatest(0, (v_bulk_new - bulk_quota * v_bulk_interval) - (v_now)) + 999999) / 1000000)::integer);
  end if;
  class_remaining := greatest(0, (class_quota * v_interval - greatest(0, v_tat - v_now)) / v_interval)::integer;
  class_reset := ((greatest(0, (v_tat) - (v_now)) + 999999) / 1000000)::integer;
  bulk_remaining := greatest(0, (bulk_quota * v_bulk_interval - greatest(0, v_bulk_tat - v_now)) / v_bulk_interval)::integer;
  bulk_reset := ((greatest(0, (v_bulk_tat) - (v_now)) + 999999) / 1000000)::integer;
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
  -- Per bucket: its burst, and its emission interval in microseconds.
  buckets (bucket, quota, refill, per_us) as (
    select 'write', (l.l ->> 'writeBurst')::bigint, (l.l ->> 'writeRatePerSecond')::bigint, 1000000 from limits l
    union all
    select 'read', (l.l ->> 'readBurst')::bigint, (l.l ->> 'readRatePerSecond')::bigint, 1000000 from limits l
    union all
    select 'bulk-recipients', (l.l ->> 'bulkRecipientsBurst')::bigint, (l.l ->> 'bulkRecipientsPerMinute')::bigint, 60000000 from limits l
  ),
  now_us as (select private.epoch_us(p_now) as us)
  select k.bucket, k.quota, ((k.quota * k.per_us / k.refill + 999999) / 1000000)::integer,
         private.gcra_remaining(coalesce(b.tat, n.us), n.us, greatest(1, pg_catalog.round(k.per_us::numeric / k.refill))::bigint, k.quota),
         private.gcra_reset_seconds(coalesce(b.tat, n.us), n.us)
  from buckets k
  cross join limits l
  cross join now_us n
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
    where b.tat < private.epoch_us(p_now) - private.limit_value('api_rate_bucket_idle_seconds') * 1000000
    returning 1
  )
  select pg_catalog.count(*)::integer from gone
$$;
comment on function private.delete_idle_api_rate_buckets is
  'Deletes API rate buckets idle (full) for api_rate_bucket_idle_seconds (pg_cron, every ten minutes).';

-- None of these is for client roles (the API calls them as the table owner).
revoke all on function private.api_limit_defaults(), private.api_limit_bounds(), private.check_api_limits(jsonb),
  private.check_workspace_api_limits(), private.resolve_api_limits(text),
  private.epoch_us(timestamptz), private.gcra_remaining(bigint, bigint, bigint, bigint), private.gcra_reset_seconds(bigint, bigint),
  private.take_api_request(uuid, text, text, integer, timestamptz),
  private.peek_api_rate_buckets(uuid, text, timestamptz), private.delete_idle_api_rate_buckets(timestamptz)
  from public, anon, authenticated;

select cron.schedule('sms-api-rate-buckets', '*/10 * * * *', 'select private.delete_idle_api_rate_buckets()');
