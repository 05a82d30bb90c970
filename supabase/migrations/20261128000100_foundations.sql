-- Foundations: extensions, the private schema, error codes, ids, format checks, settings and
-- secrets. Everything client roles must not touch lives in `private`, which is never exposed
-- through the Data API (supabase/config.toml exposes only `public`) and has no table grants for
-- client roles.

create extension if not exists pg_cron with schema pg_catalog;

-- pg_net and Supabase Vault are there on hosted Supabase; locally the compatibility bootstrap
-- (dev/supabase-compat/bootstrap.sql) provides the same SQL surface.
do $$
begin
  if exists (select 1 from pg_available_extensions where name = 'pg_net') then
    create extension if not exists pg_net with schema extensions;
  end if;
  if to_regprocedure('net.http_post(text, jsonb, jsonb, jsonb, integer)') is null then
    raise exception 'net.http_post is missing: enable pg_net (hosted) or apply the local bootstrap first';
  end if;
  if to_regprocedure('vault.create_secret(text, text, text, uuid)') is null
     or to_regclass('vault.decrypted_secrets') is null then
    raise exception 'Supabase Vault is missing: enable supabase_vault (hosted) or apply the local bootstrap first';
  end if;
end $$;

-- Functions are callable only where granted explicitly (Postgres grants EXECUTE to PUBLIC by default).
alter default privileges revoke execute on functions from public;

create schema if not exists private;
comment on schema private is
  'Internals: settings, Twilio credentials, status transitions, sweeps and RLS helpers. Not exposed via the Data API; client roles may only execute the RLS helpers granted to them.';
revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

-- Stable, documented error codes. Every refusal raised by our SQL carries the code name as its
-- HINT and a fixed SQLSTATE, so PostgREST clients and the API can map it without parsing messages.
create table private.error_codes (
  code text primary key,
  sqlstate char(5) not null unique check (sqlstate ~ '^SM[0-9A-Z]{3}$'),
  http_status integer not null check (http_status between 400 and 599),
  description text not null
);
comment on table private.error_codes is 'Catalogue of the errors raised by private.raise_error; mirrored by supabase/functions/_shared/error-codes.ts (a test keeps them equal).';

insert into private.error_codes (code, sqlstate, http_status, description) values
  ('invalid_phone',          'SMS01', 400, 'A phone number is not in E.164 format (+ and 7 to 15 digits).'),
  ('invalid_body',           'SMS02', 400, 'The message body is empty, blank or longer than the limit.'),
  ('invalid_media_urls',     'SMS03', 400, 'Too many media URLs, or one is not an https URL within the length limit.'),
  ('scheduled_time_in_past', 'SMS04', 400, 'scheduled_time is further in the past than the clock-skew allowance.'),
  ('scheduled_time_too_far', 'SMS05', 400, 'scheduled_time is more than the maximum horizon ahead.'),
  ('sender_not_allowed',     'SMS06', 400, 'The sender is not one of the workspace''s senders.'),
  ('no_default_sender',      'SMS07', 400, 'No sender was given and the workspace has no default sender.'),
  ('invalid_metadata',       'SMS08', 400, 'metadata is not a JSON object or is larger than the limit.'),
  ('recipient_opted_out',    'SMS09', 409, 'The recipient opted out of messages from this workspace.'),
  ('invalid_cron',           'SMS10', 400, 'The cron expression is not a valid 5-field expression.'),
  ('invalid_timezone',       'SMS11', 400, 'The timezone is not a known IANA timezone name.'),
  ('invalid_schedule',       'SMS12', 400, 'The schedule window or occurrence limit is invalid.'),
  ('internal_column_set',    'SMS13', 400, 'An insert tried to set a column the service manages (status, attempts, Twilio ids, leases).'),
  ('invalid_argument',       'SMS14', 400, 'A function argument is missing or out of range.'),
  ('workspace_not_found',    'SMS15', 404, 'No such workspace (or the caller is not a member).'),
  ('job_not_found',          'SMS20', 404, 'No such job (or not visible to the caller).'),
  ('invalid_transition',     'SMS21', 409, 'The job is not in a status from which this transition is allowed.'),
  ('job_not_due',            'SMS22', 409, 'The job is not due yet.'),
  ('lease_lost',             'SMS23', 409, 'The caller no longer holds the job''s lease.'),
  ('immutable_column',       'SMS24', 400, 'The update changes a column that is fixed once the job exists.'),
  ('append_only',            'SMS25', 400, 'sms_job_events is append-only.');

create function private.raise_error(p_code text, p_message text, p_detail text default null)
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_sqlstate text;
begin
  select e.sqlstate into v_sqlstate from private.error_codes e where e.code = p_code;
  if v_sqlstate is null then
    raise exception 'unknown error code %', p_code;
  end if;
  if p_detail is null then
    raise exception using errcode = v_sqlstate, message = p_message, hint = p_code;
  end if;
  raise exception using errcode = v_sqlstate, message = p_message, hint = p_code, detail = p_detail;
end;
$$;
comment on function private.raise_error is 'Raises a catalogued error: SQLSTATE from private.error_codes, HINT = code name.';
grant execute on function private.raise_error(text, text, text) to authenticated, service_role;

create function private.new_id(p_prefix text)
returns text
language sql
volatile
set search_path = ''
as $$
  -- 122 random bits; never sequential, so ids cannot be guessed or enumerated.
  select p_prefix || '_' || replace(pg_catalog.gen_random_uuid()::text, '-', '')
$$;

create function private.is_e164(p_phone text)
returns boolean
language sql
immutable
parallel safe
set search_path = ''
as $$
  select p_phone ~ '^\+[1-9][0-9]{6,14}$'
$$;

create function private.is_messaging_service_sid(p_sender text)
returns boolean
language sql
immutable
parallel safe
set search_path = ''
as $$
  select p_sender ~ '^MG[0-9a-f]{32}$'
$$;

-- An IANA zone name, exactly as the server's tz database spells it. pg_timezone_names lists the
-- zone files but costs tens of ms per look-up, so a name without digits is checked by setting it
-- as the session time zone (for this function only): that accepts zone files and nothing else
-- digit-free, and reports the file's own spelling, which must match. Names with digits (EST5EDT,
-- Etc/GMT+3, but also POSIX strings such as UTC+3 that the setting would accept) take the exact
-- look-up.
create function private.is_valid_timezone(p_timezone text)
returns boolean
language plpgsql
stable
set search_path = ''
set timezone from current
as $$
begin
  if p_timezone is null or p_timezone = '' or pg_catalog.char_length(p_timezone) > 64 then
    return false;
  end if;
  if p_timezone !~ '[0-9]' then
    return pg_catalog.set_config('timezone', p_timezone, true) = p_timezone;
  end if;
  return exists (select 1 from pg_catalog.pg_timezone_names where name = p_timezone);
exception when invalid_parameter_value then
  return false;
end;
$$;

-- Pure helpers used by column defaults and CHECK constraints, which run with the inserting role's
-- privileges: harmless to call, so granted to the API roles.
grant execute on function private.new_id(text), private.is_e164(text),
  private.is_messaging_service_sid(text), private.is_valid_timezone(text)
  to authenticated, service_role;

-- Service-wide settings that are not secret (secrets live in Vault, below).
create table private.settings (
  key text primary key,
  value text not null,
  description text not null
);
comment on table private.settings is 'Service-wide settings (dispatch mode, Trigger.dev API URL). Secrets are in Vault, not here.';
insert into private.settings (key, value, description) values
  ('dispatch_mode', 'local', '''local'': a runner process claims due rows itself; ''trigger'': the database dispatches rows to Trigger.dev.'),
  ('trigger_api_url', 'https://api.trigger.dev', 'Trigger.dev API base URL: Trigger.dev Cloud, or a self-hosted instance.');

create function private.setting(p_key text)
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select s.value from private.settings s where s.key = p_key
$$;

-- Secrets (the Trigger.dev secret key, Twilio auth tokens) are kept in Supabase Vault, encrypted at
-- rest, and read only through these two functions, which client roles may not execute.
create function private.secret(p_name text)
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select s.decrypted_secret from vault.decrypted_secrets s where s.name = p_name
$$;
comment on function private.secret is 'The decrypted value of the Vault secret named p_name, or null.';

create function private.set_secret(p_name text, p_value text, p_description text default '')
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_id uuid;
begin
  if p_name is null or p_value is null then
    perform private.raise_error('invalid_argument', 'a secret needs a name and a value');
  end if;
  select s.id into v_id from vault.secrets s where s.name = p_name;
  if v_id is null then
    return vault.create_secret(p_value, p_name, coalesce(p_description, ''));
  end if;
  perform vault.update_secret(v_id, p_value);
  return v_id;
end;
$$;
comment on function private.set_secret is 'Creates or replaces the Vault secret named p_name; returns its id.';

create function private.touch_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := pg_catalog.now();
  return new;
end;
$$;
