-- Who may be messaged and what a message may hold: opt-outs, and the validation every job and
-- schedule passes on insert (private.validate_message, private.validate_send_time), whether it
-- comes through the API or as a direct insert by a client app.

create table public.sms_opt_outs (
  workspace_id text not null references public.workspaces (id) on delete cascade,
  phone text not null check (private.is_e164(phone)),
  source text not null default 'manual' check (source in ('manual', 'twilio_21610', 'stop_keyword')),
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  primary key (workspace_id, phone)
);
comment on table public.sms_opt_outs is
  'Recipients who must not be messaged by a workspace. New sends to them are refused (recipient_opted_out).';


create index sms_opt_outs_created_by_idx on public.sms_opt_outs (created_by);

alter table public.sms_opt_outs enable row level security;
revoke all on public.sms_opt_outs from anon, authenticated;
grant select on public.sms_opt_outs to authenticated;
grant insert (workspace_id, phone) on public.sms_opt_outs to authenticated;
grant all on public.sms_opt_outs to service_role;

create policy "members read their workspace's opt-outs" on public.sms_opt_outs
  for select to authenticated
  using (workspace_id in (select private.current_user_workspace_ids()));
create policy "writers record opt-outs for their workspace" on public.sms_opt_outs
  for insert to authenticated
  with check (workspace_id in (select private.current_user_workspace_ids(private.writer_roles())));

-- An opt-out stops what is already waiting too: pending jobs to that recipient are cancelled.
create function private.cancel_jobs_of_opted_out()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.scheduled_sms_jobs j
  set status = 'cancelled', status_reason = 'recipient_opted_out'
  from new_opt_outs o
  where j.workspace_id = o.workspace_id and j.to_phone = o.phone
    and j.is_pending;
  return null;
end;
$$;
create trigger sms_opt_outs_cancel_pending after insert on public.sms_opt_outs
  referencing new table as new_opt_outs
  for each statement execute function private.cancel_jobs_of_opted_out();

create function private.record_opt_out(p_workspace_id text, p_phone text, p_source text)
returns void
language sql
set search_path = ''
as $$
  insert into public.sms_opt_outs (workspace_id, phone, source, created_by)
  values (p_workspace_id, p_phone, p_source, null)
  on conflict (workspace_id, phone) do nothing
$$;

-- Validation shared by jobs and schedules. Returns the sender to use (the workspace default if none).
create function private.validate_message(
  p_workspace_id text,
  p_to_phone text,
  p_from_number text,
  p_body text,
  p_media_urls text[],
  p_metadata jsonb
) returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_sender text := p_from_number;
  v_url text;
  v_workspace_found boolean := false;
  v_is_member boolean;
  v_default_sender text;
  v_sender_allowed boolean;
  v_opted_out boolean;
begin
  -- Runs as the owner (two lookups per row instead of RLS on several), so it checks membership
  -- itself when the caller acts as a client role (PostgREST's SET ROLE): a non-member gets the same
  -- answer as for a workspace that does not exist, and learns nothing about its senders or opt-outs.
  select true, m.user_id is not null, s.default_sender
  into v_workspace_found, v_is_member, v_default_sender
  from public.workspaces w
  left join public.workspace_settings s on s.workspace_id = w.id
  left join public.workspace_members m on m.workspace_id = w.id and m.user_id = (select auth.uid())
  where w.id = p_workspace_id;
  if not coalesce(v_workspace_found, false)
     or (pg_catalog.current_setting('role') in ('authenticated', 'anon') and not v_is_member) then
    perform private.raise_error('workspace_not_found', pg_catalog.format(
      'workspace %s does not exist or you are not a member', p_workspace_id));
  end if;
  if p_to_phone is null or not private.is_e164(p_to_phone) then
    perform private.raise_error('invalid_phone',
      pg_catalog.format('to_phone %L is not an E.164 number such as +61412345678', p_to_phone));
  end if;
  if p_from_number is not null and not private.is_e164(p_from_number)
     and not private.is_messaging_service_sid(p_from_number) then
    perform private.raise_error('invalid_phone', pg_catalog.format(
      'from_number %L is not an E.164 number or a Messaging Service SID', p_from_number));
  end if;
  if p_body is null or pg_catalog.char_length(p_body) > private.limit_value('body_max_chars')
     or pg_catalog.btrim(p_body, E' \t\r\n') = '' then
    perform private.raise_error('invalid_body', pg_catalog.format(
      'body must have 1 to %s characters and not be blank', private.limit_value('body_max_chars')));
  end if;
  if p_media_urls is not null then
    if coalesce(pg_catalog.array_ndims(p_media_urls), 1) <> 1
       or pg_catalog.cardinality(p_media_urls) > private.limit_value('media_urls_max') then
      perform private.raise_error('invalid_media_urls', pg_catalog.format(
        'media_urls holds at most %s URLs', private.limit_value('media_urls_max')));
    end if;
    foreach v_url in array p_media_urls loop
      if v_url is null or v_url !~ '^https://[^[:space:]/?#]+[^[:space:]]*$'
         or pg_catalog.char_length(v_url) > private.limit_value('media_url_max_chars') then
        perform private.raise_error('invalid_media_urls', pg_catalog.format(
          'media URL %L is not an https URL of at most %s characters',
          pg_catalog.left(v_url, 100), private.limit_value('media_url_max_chars')));
      end if;
    end loop;
  end if;
  if p_metadata is not null and (pg_catalog.jsonb_typeof(p_metadata) <> 'object'
     or pg_catalog.octet_length(p_metadata::text) > private.limit_value('metadata_max_bytes')) then
    perform private.raise_error('invalid_metadata', pg_catalog.format(
      'metadata must be a JSON object of at most %s bytes', private.limit_value('metadata_max_bytes')));
  end if;
  if v_sender is null then
    v_sender := v_default_sender;
    if v_sender is null then
      perform private.raise_error('no_default_sender', pg_catalog.format(
        'no sender given and workspace %s has no default sender', p_workspace_id));
    end if;
  end if;
  select exists (select 1 from public.workspace_senders ws
                 where ws.sender = v_sender and ws.workspace_id = p_workspace_id),
         exists (select 1 from public.sms_opt_outs o
                 where o.workspace_id = p_workspace_id and o.phone = p_to_phone)
  into v_sender_allowed, v_opted_out;
  if not v_sender_allowed then
    perform private.raise_error('sender_not_allowed', pg_catalog.format(
      'sender %L is not one of workspace %s''s senders', v_sender, p_workspace_id));
  end if;
  if v_opted_out then
    perform private.raise_error('recipient_opted_out', pg_catalog.format(
      '%s opted out of messages from workspace %s', p_to_phone, p_workspace_id));
  end if;
  return v_sender;
end;
$$;

create function private.validate_send_time(p_time timestamptz)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_time < pg_catalog.now() - pg_catalog.make_interval(secs => private.limit_value('schedule_past_skew_seconds')) then
    perform private.raise_error('scheduled_time_in_past', pg_catalog.format(
      'scheduled_time %s is in the past (allowance %s s)', p_time, private.limit_value('schedule_past_skew_seconds')));
  end if;
  if p_time > pg_catalog.now() + pg_catalog.make_interval(secs => private.limit_value('schedule_max_ahead_seconds')) then
    perform private.raise_error('scheduled_time_too_far', pg_catalog.format(
      'scheduled_time %s is more than %s days ahead', p_time,
      private.limit_value('schedule_max_ahead_seconds') / 86400));
  end if;
end;
$$;

grant execute on function private.validate_message(text, text, text, text, text[], jsonb),
  private.validate_send_time(timestamptz)
  to authenticated, service_role;
