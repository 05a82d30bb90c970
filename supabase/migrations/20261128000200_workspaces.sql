-- Workspaces (tenants), their members, settings, senders and Twilio credentials.

create type public.workspace_role as enum ('owner', 'admin', 'member', 'viewer');
comment on type public.workspace_role is 'owner/admin manage settings; owner/admin/member send and cancel; viewer only reads.';

create table public.workspaces (
  id text primary key check (id ~ '^[A-Za-z0-9_-]{1,64}$'),
  name text not null check (char_length(name) between 1 and 200),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.workspaces is
  'A tenant: a business sending messages. Ids are the adopting app''s own: a uuid, or 1-64 characters of [A-Za-z0-9_-] such as ws_123.';

create table public.workspace_members (
  workspace_id text not null references public.workspaces (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role public.workspace_role not null default 'member',
  created_at timestamptz not null default now(),
  primary key (workspace_id, user_id)
);
create index workspace_members_user_id_idx on public.workspace_members (user_id);

create table public.workspace_senders (
  sender text primary key
    check (private.is_e164(sender) or private.is_messaging_service_sid(sender)),
  workspace_id text not null references public.workspaces (id) on delete cascade,
  label text check (char_length(label) <= 200),
  created_at timestamptz not null default now(),
  unique (workspace_id, sender)
);
comment on table public.workspace_senders is
  'Phone numbers (E.164) and Messaging Service SIDs a workspace may send from. A sender belongs to exactly one workspace. Managed by the service role (numbers are provisioned in Twilio), read by members.';

create table public.workspace_settings (
  workspace_id text primary key references public.workspaces (id) on delete cascade,
  timezone text not null default 'UTC',
  default_sender text,
  max_retries integer not null default private.limit_value('default_max_retries')::integer
    check (max_retries between 0 and private.limit_value('max_retries_cap')),
  retry_base_seconds integer not null default 30 check (retry_base_seconds between 1 and 3600),
  retry_max_seconds integer not null default 3600 check (retry_max_seconds between 1 and 86400),
  updated_at timestamptz not null default now(),
  check (retry_max_seconds >= retry_base_seconds),
  foreign key (workspace_id, default_sender)
    references public.workspace_senders (workspace_id, sender) on delete set null (default_sender)
);
-- Covers the default-sender foreign key (a deleted sender is looked up here).
create index workspace_settings_default_sender_idx on public.workspace_settings (workspace_id, default_sender);
comment on table public.workspace_settings is
  'Per-workspace configuration: IANA timezone for display and recurring schedules, default sender, retry policy (retries after the first attempt; exponential backoff from retry_base_seconds, capped at retry_max_seconds, with jitter).';

-- Per-workspace Twilio accounts. The auth token is a Vault secret (encrypted at rest); this table
-- holds only its id. Never granted to anon/authenticated.
create table private.twilio_accounts (
  workspace_id text primary key references public.workspaces (id) on delete cascade,
  account_sid text not null check (account_sid ~ '^AC[0-9a-f]{32}$'),
  auth_token_secret_id uuid not null unique,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table private.twilio_accounts is
  'Twilio account per workspace; the auth token is the Vault secret auth_token_secret_id. Workspaces without a row use the TWILIO_* environment of the delivery process.';

-- What the delivery workers and the status callback read: account SID and decrypted auth token.
create view private.twilio_credentials as
select a.workspace_id, a.account_sid, s.decrypted_secret as auth_token
from private.twilio_accounts a
join vault.decrypted_secrets s on s.id = a.auth_token_secret_id;
comment on view private.twilio_credentials is
  'Per-workspace Twilio account SID and decrypted auth token (authenticates sends, verifies status-callback signatures).';

-- Sets a workspace's Twilio account: the auth token goes to Vault (one secret per workspace).
create function private.set_twilio_credentials(p_workspace_id text, p_account_sid text, p_auth_token text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_secret_id uuid;
begin
  if p_auth_token is null or pg_catalog.char_length(p_auth_token) not between 16 and 128 then
    perform private.raise_error('invalid_argument', 'a Twilio auth token has 16 to 128 characters');
  end if;
  v_secret_id := private.set_secret('twilio_auth_token:' || p_workspace_id, p_auth_token,
    'Twilio auth token of workspace ' || p_workspace_id);
  insert into private.twilio_accounts (workspace_id, account_sid, auth_token_secret_id)
  values (p_workspace_id, p_account_sid, v_secret_id)
  on conflict (workspace_id) do update
    set account_sid = excluded.account_sid, auth_token_secret_id = excluded.auth_token_secret_id;
end;
$$;
comment on function private.set_twilio_credentials is
  'Creates or replaces a workspace''s Twilio account SID and auth token (stored in Vault).';

-- A workspace's account goes (workspace deleted): its secret goes with it.
create function private.delete_twilio_auth_token()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from vault.secrets s where s.id = old.auth_token_secret_id;
  return old;
end;
$$;
create trigger twilio_accounts_delete_secret after delete on private.twilio_accounts
  for each row execute function private.delete_twilio_auth_token();

create trigger workspaces_touch before update on public.workspaces
  for each row execute function private.touch_updated_at();
create trigger workspace_settings_touch before update on public.workspace_settings
  for each row execute function private.touch_updated_at();
create trigger twilio_accounts_touch before update on private.twilio_accounts
  for each row execute function private.touch_updated_at();

-- Every workspace has a settings row from the start.
create function private.create_workspace_settings()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.workspace_settings (workspace_id) values (new.id) on conflict do nothing;
  return new;
end;
$$;
create trigger workspaces_create_settings after insert on public.workspaces
  for each row execute function private.create_workspace_settings();

create function private.validate_workspace_settings()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not private.is_valid_timezone(new.timezone) then
    perform private.raise_error('invalid_timezone',
      pg_catalog.format('timezone %L is not an IANA timezone name', new.timezone));
  end if;
  return new;
end;
$$;
create trigger workspace_settings_validate before insert or update on public.workspace_settings
  for each row execute function private.validate_workspace_settings();

-- RLS helper: the workspaces where the current user holds one of the given roles (any role if null).
create function private.current_user_workspace_ids(p_roles public.workspace_role[] default null)
returns setof text
language sql
stable
security definer
set search_path = ''
as $$
  select m.workspace_id
  from public.workspace_members m
  where m.user_id = (select auth.uid())
    and (p_roles is null or m.role = any (p_roles))
$$;
comment on function private.current_user_workspace_ids is 'RLS helper: workspace ids where auth.uid() is a member (optionally with one of p_roles).';

create function private.writer_roles()
returns public.workspace_role[]
language sql
immutable
set search_path = ''
as $$
  select array['owner', 'admin', 'member']::public.workspace_role[]
$$;
comment on function private.writer_roles is 'Roles that may send, schedule and cancel messages.';

create function private.admin_roles()
returns public.workspace_role[]
language sql
immutable
set search_path = ''
as $$
  select array['owner', 'admin']::public.workspace_role[]
$$;
comment on function private.admin_roles is 'Roles that may change workspace settings.';

grant execute on function private.current_user_workspace_ids(public.workspace_role[]),
  private.writer_roles(), private.admin_roles()
  to authenticated, service_role;

-- Row level security and grants.
alter table public.workspaces enable row level security;
alter table public.workspace_members enable row level security;
alter table public.workspace_senders enable row level security;
alter table public.workspace_settings enable row level security;
alter table private.twilio_accounts enable row level security;

revoke all on public.workspaces, public.workspace_members, public.workspace_senders,
  public.workspace_settings from anon, authenticated;
revoke all on private.twilio_accounts, private.twilio_credentials, private.settings, private.error_codes
  from anon, authenticated, public;

grant select on public.workspaces, public.workspace_members, public.workspace_senders,
  public.workspace_settings to authenticated;
grant update (timezone, default_sender, max_retries, retry_base_seconds, retry_max_seconds)
  on public.workspace_settings to authenticated;
grant all on public.workspaces, public.workspace_members, public.workspace_senders,
  public.workspace_settings to service_role;

create policy "members read their workspaces" on public.workspaces
  for select to authenticated
  using (id in (select private.current_user_workspace_ids()));

create policy "members read their workspace's members" on public.workspace_members
  for select to authenticated
  using (workspace_id in (select private.current_user_workspace_ids()));

create policy "members read their workspace's senders" on public.workspace_senders
  for select to authenticated
  using (workspace_id in (select private.current_user_workspace_ids()));

create policy "members read their workspace's settings" on public.workspace_settings
  for select to authenticated
  using (workspace_id in (select private.current_user_workspace_ids()));

create policy "owners and admins update settings" on public.workspace_settings
  for update to authenticated
  using (workspace_id in (select private.current_user_workspace_ids(private.admin_roles())))
  with check (workspace_id in (select private.current_user_workspace_ids(private.admin_roles())));
