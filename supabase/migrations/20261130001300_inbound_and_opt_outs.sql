-- Issue 15, parts 4 and 5: inbound messages (Twilio's incoming-message webhook, the twilio-inbound
-- Edge Function) and opt-out management.
--
-- * public.inbound_messages: every message a recipient sent to one of a workspace's senders, once
--   per MessageSid (a retried webhook changes nothing), with what it asked for (action: opt_out,
--   opt_in, help, none) and what that did (effect). Members read them under RLS; only
--   private.record_inbound_message writes, called by the Edge Function after it verified Twilio's
--   signature with the workspace's auth token.
-- * Keywords (private.inbound_keyword): the whole body, trimmed, case and surrounding punctuation
--   ignored, must be one of Twilio's words: STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE,
--   OPTOUT (opt out); START, YES, UNSTOP (opt in); HELP, INFO (only logged). Twilio itself acts
--   only on single-word replies ("STOP PLEASE" does nothing there), so "stop sending me stuff" is
--   not a keyword here either. With Advanced Opt-Out a Messaging Service may define its own words:
--   Twilio then says what it did in the webhook's OptOutType (STOP, START, HELP), which wins.
-- * STOP records an opt-out (source stop_keyword); the existing trigger cancels the pending jobs to
--   that number (status_reason recipient_opted_out, the API's word for it, with a cancelled event)
--   and validate_message refuses later sends (409 recipient_opted_out), API and direct inserts alike.
-- * START removes the opt-out only when the recipient made it (stop_keyword, or twilio_21610: Twilio
--   reported that they had replied STOP): that is what Twilio does with its own block, and the
--   recipient's word is the best consent there is. An opt-out that staff recorded (manual: a direct
--   insert; api: add-opt-out) may have reasons the recipient's START does not undo (a complaint, a
--   wrong number, a legal hold): it stays, and the inbound message says so (effect
--   kept_staff_opt_out), so an owner or admin can remove it with a reason.
-- * sms_opt_outs gains `reason` and the source `api`; public.sms_opt_out_events is the append-only
--   history of every opt-out added and removed (who, source, reason, the inbound MessageSid), read
--   by members under RLS, written only by triggers on sms_opt_outs, so direct inserts and the
--   service role's deletes are recorded too.
-- * Removal (private.remove_opt_out) needs a reason; from the API (source api) only an owner or
--   admin of the workspace or the service role may remove one (opt_out_removal_forbidden), and an
--   unknown opt-out is opt_out_not_found.

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
    -- Delivery analytics (20261130000700_delivery_analytics.sql): days of hourly rollup kept (a
    -- year and a month, so a year is always comparable with the month before).
    when 'analytics_retention_days' then 400
    -- Retry policies and expiry (20261130000600_retry_policy_and_expiry.sql).
    when 'retry_base_seconds_max' then 3600        -- the first backoff step: at most an hour
    when 'retry_max_seconds_max' then 86400        -- one backoff step is never longer than a day
    -- Expiry: at least a second after the scheduled time (Twilio's smallest ValidityPeriod), at most
    -- 30 days after it (a message later than that is a new message, not a late one).
    when 'expiry_min_seconds' then 1
    when 'expiry_max_seconds' then 2592000
    -- Twilio's ValidityPeriod bounds (seconds): what remains of an expiry is sent, capped at 36000.
    when 'twilio_validity_min_seconds' then 1
    when 'twilio_validity_max_seconds' then 36000
    -- Limits that protect everyone (issue 14). API rate limits, per workspace and caller, as GCRA
    -- buckets: a sustained rate and a burst (the most requests at once after a quiet spell).
    -- These are the defaults; an owner or the service role may set others per workspace, within the
    -- *_max bounds below.
    when 'api_write_rate_per_second' then 20
    when 'api_write_burst' then 40
    -- Reads as writes: a dashboard tab polls a few GETs every few seconds, far below it, while a
    -- runaway loop of status calls is refused after its first 40.
    when 'api_read_rate_per_second' then 20
    when 'api_read_burst' then 40
    -- Bulk sends are also counted by recipients, per minute: two full batches at once, then one a minute.
    when 'api_bulk_recipients_per_minute' then 10000
    when 'api_bulk_recipients_burst' then 20000
    -- Bounds of a workspace's own API limits.
    when 'api_rate_per_second_max' then 10000
    when 'api_burst_max' then 100000
    when 'api_bulk_recipients_per_minute_max' then 1000000
    -- A bucket idle this long is full again and its row is removed by pg_cron.
    when 'api_rate_bucket_idle_seconds' then 3600
    -- Sender throughput, in message segments per second, by kind of sender (Twilio's and the
    -- carriers' defaults: a US long code 1, toll-free 3, a short code 100). A Messaging Service
    -- sends as fast as its pool: configure it; until then it is paced as one long code.
    when 'sender_rate_long_code' then 1
    when 'sender_rate_toll_free' then 3
    when 'sender_rate_short_code' then 100
    when 'sender_rate_messaging_service' then 1
    -- The most a sender may be configured to (a short code's upper range is a few hundred).
    when 'sender_rate_max' then 1000
    -- Slots are spaced this much wider than the rate needs: a send reaches Twilio a few ms after
    -- its slot, and without headroom two sends a second of slots apart could land inside one
    -- second as the carrier counts it. 5% absorbs 50 ms of jitter at any rate.
    when 'sender_pacing_headroom_percent' then 5
    -- A claim reserves send slots this far ahead of now at most; later jobs wait in the database
    -- (where another runner, or a cancel, can still reach them).
    when 'sender_slot_horizon_ms' then 2000
    -- A workspace's optional daily message cap (messages per local day) is at most this.
    when 'daily_cap_max' then 10000000
    -- Inbound messages and opt-outs (20261130001300_inbound_and_opt_outs.sql, issue 15).
    -- Characters of an inbound message's body kept: Twilio's own maximum for one (concatenated)
    -- message; anything longer is cut (the keyword check reads the whole body first).
    when 'inbound_body_max_chars' then 1600
    -- Characters of the reason given when an opt-out is added or removed.
    when 'opt_out_reason_max_chars' then 500
  end
$$;

insert into private.error_codes (code, sqlstate, http_status, description) values
  ('opt_out_not_found', 'SMS50', 404, 'The workspace has no opt-out of this number.'),
  ('opt_out_removal_forbidden', 'SMS51', 403, 'Only an owner or admin of the workspace (or the service role) may remove an opt-out.');

-- Opt-outs: a reason, and the API as a source --------------------------------------------------------
alter table public.sms_opt_outs
  add column reason text
    check (reason is null or (pg_catalog.btrim(reason) <> ''
                              and pg_catalog.char_length(reason) <= private.limit_value('opt_out_reason_max_chars')));
comment on column public.sms_opt_outs.reason is 'Why the opt-out was recorded (the API''s reason, or the keyword the recipient sent); null for older rows and direct inserts.';
alter table public.sms_opt_outs drop constraint sms_opt_outs_source_check;
alter table public.sms_opt_outs add constraint sms_opt_outs_source_check
  check (source in ('manual', 'twilio_21610', 'stop_keyword', 'api'));
comment on column public.sms_opt_outs.source is
  'manual: a direct insert by a member (or the service role); twilio_21610: Twilio refused a send because the recipient had replied STOP; stop_keyword: the recipient''s STOP reached twilio-inbound; api: POST add-opt-out.';

-- The history of opt-outs: append-only, written by triggers only --------------------------------------
create table public.sms_opt_out_events (
  id bigint generated always as identity primary key,
  workspace_id text not null references public.workspaces (id) on delete cascade,
  phone text not null,
  action text not null check (action in ('added', 'removed')),
  -- added: the opt-out's source; removed: api (remove-opt-out), start_keyword (the recipient's
  -- START) or manual (a delete by the service role outside private.remove_opt_out).
  source text not null check (source in ('manual', 'twilio_21610', 'stop_keyword', 'start_keyword', 'api')),
  reason text,
  -- The user who acted (null: the service, Twilio or the recipient). No foreign key: the history
  -- outlives the user.
  actor uuid,
  -- The inbound message that caused it, for keyword changes.
  message_sid text,
  created_at timestamptz not null default now()
);
comment on table public.sms_opt_out_events is
  'Append-only history of each workspace''s opt-outs: added and removed, by whom, from where and why. Written by triggers on sms_opt_outs.';
-- The workspace's history of a number, newest first (also covers the workspace foreign key).
create index sms_opt_out_events_phone_idx on public.sms_opt_out_events (workspace_id, phone, id desc);
-- The workspace's latest changes (GET opt-outs without a number).
create index sms_opt_out_events_workspace_idx on public.sms_opt_out_events (workspace_id, id desc);

alter table public.sms_opt_out_events enable row level security;
revoke all on public.sms_opt_out_events from anon, authenticated, public;
grant select on public.sms_opt_out_events to authenticated, service_role;
create policy "members read their workspace's opt-out history" on public.sms_opt_out_events
  for select to authenticated
  using (workspace_id in (select private.current_user_workspace_ids()));

create function private.forbid_opt_out_event_changes()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  -- Deletes cascading from a deleted workspace run inside the FK trigger (depth > 1).
  if tg_op = 'DELETE' and pg_catalog.pg_trigger_depth() > 1 then
    return old;
  end if;
  perform private.raise_error('append_only', 'sms_opt_out_events is append-only');
  return null;
end;
$$;
create trigger sms_opt_out_events_append_only before update or delete on public.sms_opt_out_events
  for each row execute function private.forbid_opt_out_event_changes();

-- What the functions below tell the triggers about the change they make, for this statement only
-- (transaction-local settings, cleared right after): the inbound message behind it, and a removal's
-- source and reason.
create function private.opt_out_change() returns jsonb
language sql
stable
set search_path = ''
as $$
  select coalesce(nullif(pg_catalog.current_setting('sms.opt_out_change', true), '')::jsonb, '{}'::jsonb)
$$;

create function private.log_opt_outs_added()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_change jsonb := private.opt_out_change();
begin
  insert into public.sms_opt_out_events (workspace_id, phone, action, source, reason, actor, message_sid)
  select n.workspace_id, n.phone, 'added', n.source, n.reason, n.created_by, v_change ->> 'message_sid'
  from new_opt_outs n;
  return null;
end;
$$;
create trigger sms_opt_outs_log_added after insert on public.sms_opt_outs
  referencing new table as new_opt_outs
  for each statement execute function private.log_opt_outs_added();

create function private.log_opt_outs_removed()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_change jsonb := private.opt_out_change();
begin
  insert into public.sms_opt_out_events (workspace_id, phone, action, source, reason, actor, message_sid)
  select o.workspace_id, o.phone, 'removed', coalesce(v_change ->> 'source', 'manual'), v_change ->> 'reason',
         auth.uid(), v_change ->> 'message_sid'
  from old_opt_outs o
  -- A deleted workspace takes its opt-outs and their history with it: nothing to record.
  where exists (select 1 from public.workspaces w where w.id = o.workspace_id);
  return null;
end;
$$;
create trigger sms_opt_outs_log_removed after delete on public.sms_opt_outs
  referencing old table as old_opt_outs
  for each statement execute function private.log_opt_outs_removed();

-- Redefined whole (20261128000400_message_rules.sql): the same cancel, and the number of jobs it
-- cancelled left for private.add_opt_out to report (a transaction-local setting).
create or replace function private.cancel_jobs_of_opted_out()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_cancelled integer;
begin
  update public.scheduled_sms_jobs j
  set status = 'cancelled', status_reason = 'recipient_opted_out'
  from new_opt_outs o
  where j.workspace_id = o.workspace_id and j.to_phone = o.phone
    and j.is_pending;
  get diagnostics v_cancelled = row_count;
  perform pg_catalog.set_config('sms.opt_out_cancelled_jobs', v_cancelled::text, true);
  return null;
end;
$$;

-- Reason text as stored: trimmed, non-blank, within the limit (null allowed where p_required is false).
create function private.checked_opt_out_reason(p_reason text, p_required boolean)
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_reason text := nullif(pg_catalog.btrim(p_reason), '');
begin
  if v_reason is null then
    if p_required then
      perform private.raise_error('invalid_argument', 'a reason is required');
    end if;
    return null;
  end if;
  if pg_catalog.char_length(v_reason) > private.limit_value('opt_out_reason_max_chars') then
    perform private.raise_error('invalid_argument', pg_catalog.format('a reason has at most %s characters',
      private.limit_value('opt_out_reason_max_chars')));
  end if;
  return v_reason;
end;
$$;

-- Records an opt-out (nothing if the number already has one): the trigger cancels the pending jobs
-- to the number and logs it. Returns whether it was new and how many jobs it cancelled.
-- p_source api (POST add-opt-out) requires the caller to be a writer of the workspace or the
-- service role, as the RLS insert policy would.
create function private.add_opt_out(p_workspace_id text, p_phone text, p_source text, p_reason text default null,
  p_message_sid text default null)
returns table (created boolean, cancelled_jobs integer)
language plpgsql
set search_path = ''
as $$
declare
  v_reason text := private.checked_opt_out_reason(p_reason, false);
  v_created boolean;
begin
  if p_source is null or p_source not in ('manual', 'twilio_21610', 'stop_keyword', 'api') then
    perform private.raise_error('invalid_argument', 'unknown opt-out source');
  end if;
  if not private.is_e164(p_phone) then
    perform private.raise_error('invalid_phone', 'an opt-out''s number must be E.164 (+ and 7 to 15 digits)');
  end if;
  if p_source = 'api' and auth.role() is distinct from 'service_role'
     and p_workspace_id not in (select private.current_user_workspace_ids(private.writer_roles())) then
    perform private.raise_error('workspace_not_found', pg_catalog.format('workspace %s not found', p_workspace_id));
  end if;
  perform pg_catalog.set_config('sms.opt_out_cancelled_jobs', '0', true);
  perform pg_catalog.set_config('sms.opt_out_change', pg_catalog.jsonb_build_object('message_sid', p_message_sid)::text, true);
  insert into public.sms_opt_outs (workspace_id, phone, source, reason, created_by)
  values (p_workspace_id, p_phone, p_source, v_reason, case when p_source = 'api' then auth.uid() end)
  on conflict (workspace_id, phone) do nothing
  returning true into v_created;
  perform pg_catalog.set_config('sms.opt_out_change', '', true);
  return query select coalesce(v_created, false),
    case when v_created then coalesce(nullif(pg_catalog.current_setting('sms.opt_out_cancelled_jobs', true), '')::integer, 0) else 0 end;
end;
$$;
comment on function private.add_opt_out is
  'Records an opt-out (idempotent): pending jobs to the number are cancelled (recipient_opted_out) and the change is logged in sms_opt_out_events.';

-- Removes an opt-out, with a reason, and logs who removed it and why. p_source: api (POST
-- remove-opt-out: only owners, admins and the service role), start_keyword (the recipient's START,
-- through private.record_inbound_message) or manual (an operator in the SQL editor).
create function private.remove_opt_out(p_workspace_id text, p_phone text, p_source text, p_reason text,
  p_message_sid text default null)
returns setof public.sms_opt_outs
language plpgsql
set search_path = ''
as $$
declare
  v_reason text := private.checked_opt_out_reason(p_reason, true);
  v_removed public.sms_opt_outs;
begin
  if p_source is null or p_source not in ('api', 'start_keyword', 'manual') then
    perform private.raise_error('invalid_argument', 'unknown removal source');
  end if;
  if p_source = 'api' and auth.role() is distinct from 'service_role'
     and p_workspace_id not in (select private.current_user_workspace_ids(private.admin_roles())) then
    perform private.raise_error('opt_out_removal_forbidden', pg_catalog.format(
      'only an owner or admin of workspace %s may remove an opt-out', p_workspace_id));
  end if;
  perform pg_catalog.set_config('sms.opt_out_change', pg_catalog.jsonb_build_object(
    'source', p_source, 'reason', v_reason, 'message_sid', p_message_sid)::text, true);
  delete from public.sms_opt_outs o
  where o.workspace_id = p_workspace_id and o.phone = p_phone
  returning o.* into v_removed;
  perform pg_catalog.set_config('sms.opt_out_change', '', true);
  if v_removed.phone is null then
    perform private.raise_error('opt_out_not_found', pg_catalog.format('workspace %s has no opt-out of %s', p_workspace_id, p_phone));
  end if;
  return next v_removed;
end;
$$;
comment on function private.remove_opt_out is
  'Removes an opt-out with a reason (required), logged in sms_opt_out_events. Source api: owners, admins and the service role only.';

-- Inbound messages --------------------------------------------------------------------------------
create table public.inbound_messages (
  id bigint generated always as identity primary key,
  workspace_id text not null references public.workspaces (id) on delete cascade,
  -- Twilio's SID of the message (SM… or MM…): one row per SID and workspace, so a webhook Twilio
  -- retries changes nothing.
  message_sid text not null check (message_sid ~ '^[A-Z]{2}[0-9a-fA-F]{32}$'),
  account_sid text not null check (account_sid ~ '^AC[0-9a-fA-F]{32}$'),
  -- Who sent it (E.164 for phones; Twilio may also give a short code or a channel address).
  from_phone text not null check (pg_catalog.char_length(from_phone) between 1 and 100),
  -- The workspace's sender it was sent to, and the Messaging Service it belongs to, if any.
  to_number text not null check (pg_catalog.char_length(to_number) between 1 and 100),
  messaging_service_sid text check (messaging_service_sid is null or private.is_messaging_service_sid(messaging_service_sid)),
  body text not null default '' check (pg_catalog.char_length(body) <= private.limit_value('inbound_body_max_chars')),
  num_media integer not null default 0 check (num_media between 0 and 10),
  -- What the message asked for, and the keyword it was (null: none, or Twilio's OptOutType alone).
  action text not null check (action in ('opt_out', 'opt_in', 'help', 'none')),
  keyword text,
  -- What it did: opted_out (a new opt-out; cancelled_jobs pending jobs cancelled), already_opted_out,
  -- opted_in (the opt-out removed), not_opted_out (START without an opt-out), kept_staff_opt_out
  -- (START, but staff recorded the opt-out), unsupported_sender (a keyword from an address that is
  -- not a phone number), logged (HELP, INFO and anything else).
  effect text not null default 'logged' check (effect in
    ('opted_out', 'already_opted_out', 'opted_in', 'not_opted_out', 'kept_staff_opt_out', 'unsupported_sender', 'logged')),
  cancelled_jobs integer not null default 0 check (cancelled_jobs >= 0),
  received_at timestamptz not null default now(),
  unique (workspace_id, message_sid)
);
comment on table public.inbound_messages is
  'Messages recipients sent to the workspace''s senders (Twilio''s incoming-message webhook, twilio-inbound): one row per MessageSid, with the keyword action taken. Members read; only private.record_inbound_message writes.';
-- Newest first per workspace (GET inbound-messages), and per sender of the message (its phone filter).
create index inbound_messages_workspace_idx on public.inbound_messages (workspace_id, id desc);
create index inbound_messages_from_idx on public.inbound_messages (workspace_id, from_phone, id desc);

alter table public.inbound_messages enable row level security;
revoke all on public.inbound_messages from anon, authenticated, public;
grant select on public.inbound_messages to authenticated, service_role;
create policy "members read their workspace's inbound messages" on public.inbound_messages
  for select to authenticated
  using (workspace_id in (select private.current_user_workspace_ids()));

-- The keyword a body is, upper-case, or null: the whole body, surrounding white space and
-- punctuation ignored, must be one of the words (as Twilio: "STOP PLEASE" is not a keyword).
create function private.inbound_keyword(p_body text)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
  select k
  from (select pg_catalog.upper(pg_catalog.regexp_replace(coalesce(p_body, ''),
          '^[[:space:][:punct:]]+|[[:space:][:punct:]]+$', '', 'g')) as k) t
  where k in ('STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT',
              'START', 'YES', 'UNSTOP', 'HELP', 'INFO')
$$;
comment on function private.inbound_keyword is
  'The opt-out, opt-in or help keyword an inbound body is (whole body, trimmed, case and surrounding punctuation ignored), or null.';

create function private.inbound_keyword_action(p_keyword text)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
  select case
    when p_keyword in ('STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT') then 'opt_out'
    when p_keyword in ('START', 'YES', 'UNSTOP') then 'opt_in'
    when p_keyword in ('HELP', 'INFO') then 'help'
    else 'none'
  end
$$;

-- The workspace an inbound message belongs to: the sender it was sent to (To), else its Messaging
-- Service; with the workspace's Twilio account, whose auth token verifies the webhook's signature.
create function private.inbound_route(p_to text, p_messaging_service_sid text)
returns table (workspace_id text, account_sid text, auth_token text)
language sql
stable
set search_path = ''
as $$
  select s.workspace_id, c.account_sid, c.auth_token
  from public.workspace_senders s
  left join private.twilio_credentials c on c.workspace_id = s.workspace_id
  where s.sender = p_to or s.sender = p_messaging_service_sid
  order by (s.sender = p_to) desc
  limit 1
$$;

-- One inbound message, atomically: stored once per MessageSid (a duplicate returns the first
-- one's row, duplicate = true, and changes nothing), its keyword applied, what it did recorded.
create function private.record_inbound_message(
  p_workspace_id text,
  p_message_sid text,
  p_account_sid text,
  p_from text,
  p_to text,
  p_messaging_service_sid text,
  p_body text,
  p_num_media integer,
  p_opt_out_type text default null
) returns table (inbound_id bigint, duplicate boolean, action text, keyword text, effect text, cancelled_jobs integer)
language plpgsql
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_keyword text := private.inbound_keyword(p_body);
  -- Twilio's own word for it wins (Advanced Opt-Out: a Messaging Service's custom keywords).
  v_action text := case pg_catalog.upper(coalesce(p_opt_out_type, ''))
    when 'STOP' then 'opt_out' when 'START' then 'opt_in' when 'HELP' then 'help'
    else private.inbound_keyword_action(v_keyword) end;
  v_said text;
  v_id bigint;
  v_effect text := 'logged';
  v_cancelled integer := 0;
  v_created boolean;
  v_source text;
begin
  insert into public.inbound_messages (workspace_id, message_sid, account_sid, from_phone, to_number,
    messaging_service_sid, body, num_media, action, keyword)
  values (p_workspace_id, p_message_sid, p_account_sid, p_from, p_to, nullif(p_messaging_service_sid, ''),
    pg_catalog.left(coalesce(p_body, ''), private.limit_value('inbound_body_max_chars')::integer),
    least(greatest(coalesce(p_num_media, 0), 0), 10), v_action, v_keyword)
  on conflict on constraint inbound_messages_workspace_id_message_sid_key do nothing
  returning id into v_id;
  if v_id is null then
    return query
      select m.id, true, m.action, m.keyword, m.effect, m.cancelled_jobs
      from public.inbound_messages m
      where m.workspace_id = p_workspace_id and m.message_sid = p_message_sid;
    return;
  end if;

  -- What the recipient said, for the opt-out's reason: the keyword, or the start of the text that
  -- Twilio classified.
  v_said := coalesce(v_keyword, pg_catalog.left(pg_catalog.btrim(coalesce(p_body, '')), 40));
  if v_action in ('opt_out', 'opt_in') and not private.is_e164(p_from) then
    v_effect := 'unsupported_sender';
  elsif v_action = 'opt_out' then
    select a.created, a.cancelled_jobs into v_created, v_cancelled
    from private.add_opt_out(p_workspace_id, p_from, 'stop_keyword', pg_catalog.format('replied %s', v_said), p_message_sid) a;
    v_effect := case when v_created then 'opted_out' else 'already_opted_out' end;
  elsif v_action = 'opt_in' then
    select o.source into v_source
    from public.sms_opt_outs o
    where o.workspace_id = p_workspace_id and o.phone = p_from
    for update;
    if v_source is null then
      v_effect := 'not_opted_out';
    elsif v_source in ('manual', 'api') then
      v_effect := 'kept_staff_opt_out';
    else
      perform private.remove_opt_out(p_workspace_id, p_from, 'start_keyword', pg_catalog.format('replied %s', v_said), p_message_sid);
      v_effect := 'opted_in';
    end if;
  end if;

  update public.inbound_messages m set effect = v_effect, cancelled_jobs = v_cancelled where m.id = v_id;
  return query select v_id, false, v_action, v_keyword, v_effect, v_cancelled;
end;
$$;
comment on function private.record_inbound_message is
  'Stores an inbound message once per MessageSid and applies its keyword (STOP: opt-out and pending jobs cancelled; START: the recipient''s own opt-out removed; HELP/INFO: logged). Called by the twilio-inbound Edge Function.';

-- Only the service (the Edge Functions connect as the table owner; the service role for operators).
revoke execute on function
  private.opt_out_change(), private.log_opt_outs_added(), private.log_opt_outs_removed(),
  private.forbid_opt_out_event_changes(), private.checked_opt_out_reason(text, boolean),
  private.add_opt_out(text, text, text, text, text), private.remove_opt_out(text, text, text, text, text),
  private.inbound_keyword(text), private.inbound_keyword_action(text), private.inbound_route(text, text),
  private.record_inbound_message(text, text, text, text, text, text, text, integer, text)
  from public, anon, authenticated;
-- The service role (operators, the SQL editor) may record, remove and classify; the route lookup,
-- which returns auth tokens, stays with the table owner.
grant execute on function
  private.opt_out_change(), private.checked_opt_out_reason(text, boolean),
  private.add_opt_out(text, text, text, text, text), private.remove_opt_out(text, text, text, text, text),
  private.inbound_keyword(text), private.inbound_keyword_action(text),
  private.record_inbound_message(text, text, text, text, text, text, text, integer, text)
  to service_role;
