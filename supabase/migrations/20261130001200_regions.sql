-- Issue 15, regions: per workspace, where Twilio processes its messages and where its Trigger.dev
-- runs execute.
--
-- * workspace_settings.twilio_region: Twilio's processing region (null: Twilio's default, us1).
--   twilio_edge: the edge location the API requests enter through (null: Twilio's default, chosen by
--   geo DNS). The delivery core builds the twilio SDK client with them as its `region` / `edge`
--   options, which make the API host api.{edge}.{region}.twilio.com (delivery/twilio/client.ts).
-- * workspace_settings.trigger_region: the Trigger.dev region its send-sms runs execute in (null: the
--   Trigger.dev project's default); the batch trigger item carries it as options.region.
--
-- The known values are written once, here (private.twilio_regions, private.twilio_edges), and read by
-- the API (GET regions) from here; supabase/functions/_shared/regions.ts mirrors them for the API's
-- host preview and the Twilio simulator (tests/database/regions.test.ts keeps the two equal).
-- Sources: Twilio's "Understanding Twilio Regions" (us1, ie1, au1 process and store data), "Edge
-- Locations" (public edges) and its API domain migration guide: since 2026-04-28 the
-- api.{region}.twilio.com hosts of ie1 / au1 (what the SDK builds from a region without an edge) no
-- longer accept requests; a region other than us1 needs an edge (api.dublin.ie1.twilio.com).
--
-- Owners and admins change the three columns (RLS of workspace_settings + column grants); members
-- and viewers read them. A value not known, or a region other than us1 without an edge, is refused
-- with invalid_region (the trigger below; the check constraints are the same rules, in case the
-- trigger is ever bypassed).
--
-- Redefined whole: private.trigger_batch_item (20261128001000_trigger_dispatch.sql), same signature.

insert into private.error_codes (code, sqlstate, http_status, description) values
  ('invalid_region', 'SMS45', 400,
   'A Twilio processing region or edge that is not one of Twilio''s, a region other than us1 without an edge, or a Trigger.dev region id that is not 1-64 lowercase letters, digits, "-" or "_".');

-- Twilio's processing regions (Twilio Regions: data is processed and stored there).
create function private.twilio_regions()
returns text[]
language sql
immutable
parallel safe
set search_path = ''
as $$
  select array['us1', 'ie1', 'au1']
$$;
comment on function private.twilio_regions is
  'Twilio''s processing regions: us1 (United States, the default), ie1 (Ireland), au1 (Australia).';

-- Twilio's public edge locations (Interconnect edges, *-ix, need a private connection: not offered).
create function private.twilio_edges()
returns text[]
language sql
immutable
parallel safe
set search_path = ''
as $$
  select array['ashburn', 'dublin', 'frankfurt', 'sao-paulo', 'singapore', 'sydney', 'tokyo', 'umatilla', 'roaming']
$$;
comment on function private.twilio_edges is
  'Twilio''s public edge locations; roaming = Twilio''s global low latency routing.';

-- A Trigger.dev region id: a worker group's name, e.g. us-east-1 or eu-central-1. Limit named here
-- (private.limit_value is another change's to redefine in this issue): trigger_region_max_chars.
create function private.trigger_region_max_chars()
returns integer
language sql
immutable
parallel safe
set search_path = ''
as $$
  select 64
$$;
comment on function private.trigger_region_max_chars is 'Longest Trigger.dev region id accepted (mirrored in _shared/regions.ts).';

create function private.is_valid_trigger_region(p_region text)
returns boolean
language sql
immutable
parallel safe
set search_path = ''
as $$
  select p_region is null
    or (pg_catalog.char_length(p_region) <= private.trigger_region_max_chars()
        and p_region ~ '^[a-z0-9]([a-z0-9_-]*[a-z0-9])?$')
$$;
comment on function private.is_valid_trigger_region is
  'Null (the project''s default) or 1-64 lowercase letters, digits, "-" and "_", starting and ending with a letter or digit.';

-- The client roles evaluate the check constraints below when they update settings.
grant execute on function private.twilio_regions(), private.twilio_edges(), private.trigger_region_max_chars(),
  private.is_valid_trigger_region(text) to authenticated, service_role;

alter table public.workspace_settings
  add column twilio_region text check (twilio_region = any (private.twilio_regions())),
  add column twilio_edge text check (twilio_edge = any (private.twilio_edges())),
  add column trigger_region text check (private.is_valid_trigger_region(trigger_region)),
  add constraint workspace_settings_twilio_region_needs_edge
    check (twilio_region is null or twilio_region = 'us1' or twilio_edge is not null);
comment on column public.workspace_settings.twilio_region is
  'Twilio processing region (us1, ie1, au1) of this workspace''s sends; null: Twilio''s default, us1. Its Twilio credentials must be that region''s.';
comment on column public.workspace_settings.twilio_edge is
  'Twilio edge location the API requests enter through (e.g. sydney, dublin); null: Twilio''s default (geo DNS). Required with a region other than us1.';
comment on column public.workspace_settings.trigger_region is
  'Trigger.dev region its send-sms runs execute in (batch trigger options.region); null: the Trigger.dev project''s default.';

grant update (twilio_region, twilio_edge, trigger_region) on public.workspace_settings to authenticated;

-- The same rules as the check constraints, refused with a catalogued code and a message that says
-- what is allowed (a check violation would reach an API caller as an internal error). The error's
-- DETAIL names the column at fault.
create function private.validate_workspace_regions()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.twilio_region is not null and not (new.twilio_region = any (private.twilio_regions())) then
    perform private.raise_error('invalid_region', pg_catalog.format(
      'twilio region %L is not one of Twilio''s processing regions (%s)', new.twilio_region,
      pg_catalog.array_to_string(private.twilio_regions(), ', ')), 'twilio_region');
  end if;
  if new.twilio_edge is not null and not (new.twilio_edge = any (private.twilio_edges())) then
    perform private.raise_error('invalid_region', pg_catalog.format(
      'twilio edge %L is not one of Twilio''s edge locations (%s)', new.twilio_edge,
      pg_catalog.array_to_string(private.twilio_edges(), ', ')), 'twilio_edge');
  end if;
  if new.twilio_region is not null and new.twilio_region <> 'us1' and new.twilio_edge is null then
    perform private.raise_error('invalid_region', pg_catalog.format(
      'twilio region %L needs an edge (for example %s): Twilio no longer accepts api.%s.twilio.com',
      new.twilio_region, case new.twilio_region when 'au1' then 'sydney' when 'ie1' then 'dublin' else 'ashburn' end,
      new.twilio_region), 'twilio_edge');
  end if;
  if not private.is_valid_trigger_region(new.trigger_region) then
    perform private.raise_error('invalid_region', pg_catalog.format(
      'trigger region %L is not a Trigger.dev region id (1-%s lowercase letters, digits, "-" or "_")',
      pg_catalog.left(new.trigger_region, 100), private.trigger_region_max_chars()), 'trigger_region');
  end if;
  return new;
end;
$$;
comment on function private.validate_workspace_regions is 'Refuses unknown regions and edges (invalid_region) before the check constraints would.';
create trigger workspace_settings_validate_regions
  before insert or update of twilio_region, twilio_edge, trigger_region on public.workspace_settings
  for each row execute function private.validate_workspace_regions();

-- What GET regions answers: the settings and the values allowed. The API calls it after checking
-- the caller may read the workspace.
create function private.workspace_regions(p_workspace_id text)
returns table (
  twilio_region text,
  twilio_edge text,
  trigger_region text,
  twilio_regions text[],
  twilio_edges text[],
  trigger_region_max_chars integer
)
language sql
stable
set search_path = ''
as $$
  select st.twilio_region, st.twilio_edge, st.trigger_region,
         private.twilio_regions(), private.twilio_edges(), private.trigger_region_max_chars()
  from public.workspace_settings st
  where st.workspace_id = p_workspace_id
$$;
comment on function private.workspace_regions is 'A workspace''s Twilio region and edge and Trigger.dev region, with the values allowed.';
grant execute on function private.workspace_regions(text) to service_role;

-- One item of a batch trigger request, as in 20261128001000 plus options.region: the workspace's
-- Trigger.dev region when it has one (left out otherwise: the project's default region). Looked up
-- here, by primary key, so every caller (dispatch_jobs and whatever calls it) carries it.
create or replace function private.trigger_batch_item(
  p_job_id text,
  p_workspace_id text,
  p_attempt integer,
  p_dispatch_count integer,
  p_due timestamptz
) returns jsonb
language sql
stable
set search_path = ''
as $$
  select pg_catalog.jsonb_build_object(
    'task', 'send-sms',
    'payload', pg_catalog.jsonb_build_object('jobId', p_job_id),
    'options', pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
      'payloadType', 'application/json',
      'delay', case when p_due > pg_catalog.now() then
        pg_catalog.to_char(
          pg_catalog.date_trunc('milliseconds', p_due + interval '999 microseconds') at time zone 'UTC',
          'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') end,
      'idempotencyKey', private.dispatch_idempotency_key(p_job_id, p_attempt, p_dispatch_count),
      'concurrencyKey', p_workspace_id,
      'tags', pg_catalog.jsonb_build_array('workspace:' || p_workspace_id),
      'region', (select st.trigger_region from public.workspace_settings st where st.workspace_id = p_workspace_id))))
$$;
comment on function private.trigger_batch_item is
  'One BatchTriggerTaskItem for the send-sms task: payload {jobId}, delay (future due time), idempotency key, the workspace as concurrency key and tag, and options.region when the workspace has a trigger_region.';
