-- Idempotency keys of the HTTP API (the Idempotency-Key request header on POST routes; see
-- docs/architecture.md#idempotency-keys). A key is scoped to a workspace and a route and is recorded
-- in the same transaction as the rows its request created, together with the answer, which a retry
-- with the same key and the same body gets back byte for byte. Only committed answers (200) are
-- kept: a refusal or a failure rolled its transaction back, so a retry runs afresh.
--
-- While a request runs, it holds a transaction-scoped advisory lock on (workspace, route, key): a
-- concurrent request with the same key does not wait for it (pg_try_advisory_xact_lock) but is
-- told to retry (409); once the first commits, the lock is gone and its row visible together.

-- Every limit of the database, now with the idempotency keys' (its latest definition).
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
    -- Message templates (20261130000200_message_templates.sql).
    when 'template_name_max_chars' then 100
    when 'template_body_max_chars' then 1600      -- a message body's own limit: the template is at most one message
    when 'template_variables_max' then 20          -- declared merge fields per template
    when 'template_value_max_chars' then 500       -- a variable's value or default
    -- Idempotency keys (20261130000400_idempotency_keys.sql).
    when 'idempotency_key_max_chars' then 255     -- Stripe's maximum; printable ASCII, at least 1
    -- How long a key's first answer is replayed: a day covers any client's retry schedule (Stripe
    -- keeps keys 24 h); pg_cron removes older keys.
    when 'idempotency_key_retention_hours' then 24
  end
$$;

create table private.idempotency_keys (
  workspace_id text not null references public.workspaces (id) on delete cascade,
  -- The API route the key was used on (a key is independent on each route).
  route text not null check (route ~ '^[a-z][a-z-]{0,63}$'),
  key text not null
    check (key ~ '^[\x20-\x7e]+$' and pg_catalog.char_length(key) <= private.limit_value('idempotency_key_max_chars')),
  -- sha256 of the request body's raw bytes, hex: a retry must send the same bytes.
  request_hash text not null check (request_hash ~ '^[0-9a-f]{64}$'),
  -- The first answer, exactly as sent.
  status smallint not null check (status between 200 and 299),
  response_body text not null,
  created_at timestamptz not null default pg_catalog.now(),
  primary key (workspace_id, route, key)
);
-- For the cleanup: the oldest keys first.
create index idempotency_keys_created_at_idx on private.idempotency_keys (created_at);
comment on table private.idempotency_keys is
  'The first answer of each POST request sent with an Idempotency-Key, per workspace and route; kept idempotency_key_retention_hours.';

-- Internal to the API (which checks the caller's role before replaying anything): no grants to
-- client roles, and row level security on without a policy, so even a grant made by mistake would
-- show nothing.
alter table private.idempotency_keys enable row level security;
revoke all on private.idempotency_keys from anon, authenticated, public;

-- Whether a key's row still counts (an expired row waiting for the cleanup is as good as gone).
create function private.idempotency_key_is_live(p_created_at timestamptz, p_now timestamptz default pg_catalog.now())
returns boolean
language sql
stable
set search_path = ''
as $$
  select p_created_at > p_now - pg_catalog.make_interval(hours => private.limit_value('idempotency_key_retention_hours')::integer)
$$;

-- The start of a request with a key, in the request's transaction: takes the key's lock and says
-- what to do. 'busy': another request with this key is running (its transaction holds the lock);
-- 'replay': this request was answered (the stored status and body); 'mismatch': the key was used
-- with another body; 'new': run the request, then private.record_idempotent_answer.
create function private.begin_idempotent_request(
  p_workspace_id text,
  p_route text,
  p_key text,
  p_request_hash text,
  out outcome text,
  out status smallint,
  out response_body text
)
language plpgsql
set search_path = ''
as $$
declare
  v_stored private.idempotency_keys;
begin
  -- One 64-bit lock id per (workspace, route, key); the seed keeps these ids apart from any other
  -- user of hashtextextended-based advisory locks. A collision of two different keys only makes one
  -- of two simultaneous requests retry.
  if not pg_catalog.pg_try_advisory_xact_lock(pg_catalog.hashtextextended(
       pg_catalog.jsonb_build_array(p_workspace_id, p_route, p_key)::text, 7227)) then
    outcome := 'busy';
    return;
  end if;
  select * into v_stored from private.idempotency_keys k
  where k.workspace_id = p_workspace_id and k.route = p_route and k.key = p_key
    and private.idempotency_key_is_live(k.created_at);
  if not found then
    outcome := 'new';
  elsif v_stored.request_hash = p_request_hash then
    outcome := 'replay';
    status := v_stored.status;
    response_body := v_stored.response_body;
  else
    outcome := 'mismatch';
  end if;
end;
$$;
comment on function private.begin_idempotent_request is
  'Locks an idempotency key for the transaction and answers new, replay (with the stored answer), mismatch or busy.';

-- Records the answer of a request begun with outcome 'new', in its transaction (so the key commits
-- with the rows, or neither does). An expired row of the same key not yet removed is replaced.
create function private.record_idempotent_answer(
  p_workspace_id text,
  p_route text,
  p_key text,
  p_request_hash text,
  p_status smallint,
  p_response_body text
)
returns void
language sql
set search_path = ''
as $$
  insert into private.idempotency_keys as k (workspace_id, route, key, request_hash, status, response_body)
  values (p_workspace_id, p_route, p_key, p_request_hash, p_status, p_response_body)
  on conflict (workspace_id, route, key) do update
    set request_hash = excluded.request_hash, status = excluded.status,
        response_body = excluded.response_body, created_at = excluded.created_at
    where not private.idempotency_key_is_live(k.created_at)
$$;
comment on function private.record_idempotent_answer is
  'Stores the first answer of a request with an idempotency key (in the transaction of the rows it created).';

-- Removes the keys older than the retention; pg_cron runs it every five minutes. Returns how many.
create function private.delete_expired_idempotency_keys(p_now timestamptz default pg_catalog.now())
returns integer
language sql
set search_path = ''
as $$
  with gone as (
    -- The live test's complement, spelt out so that the created_at index serves it.
    delete from private.idempotency_keys k
    where k.created_at <= p_now - pg_catalog.make_interval(hours => private.limit_value('idempotency_key_retention_hours')::integer)
    returning 1
  )
  select pg_catalog.count(*)::integer from gone
$$;
comment on function private.delete_expired_idempotency_keys is
  'Deletes idempotency keys older than idempotency_key_retention_hours (pg_cron, every five minutes).';

select cron.schedule('sms-idempotency-keys', '*/5 * * * *', 'select private.delete_expired_idempotency_keys()');
