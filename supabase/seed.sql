-- Demo data for local runs and tests. Fixed ids: tests and the README rely on them.
-- Twilio credentials point at the local Twilio simulator (any well-formed values work there).

insert into auth.users (id, email, aud, role, email_confirmed_at) values
  ('00000000-0000-4000-8000-000000000001', 'owner@demo.test', 'authenticated', 'authenticated', now()),
  ('00000000-0000-4000-8000-000000000002', 'viewer@demo.test', 'authenticated', 'authenticated', now()),
  ('00000000-0000-4000-8000-000000000003', 'owner@other.test', 'authenticated', 'authenticated', now()),
  ('00000000-0000-4000-8000-000000000004', 'member@demo.test', 'authenticated', 'authenticated', now())
on conflict (id) do nothing;

insert into public.workspaces (id, name) values
  ('ws_demo', 'Demo Coaching'),
  ('ws_other', 'Other Renovations')
on conflict (id) do nothing;

insert into public.workspace_members (workspace_id, user_id, role) values
  ('ws_demo', '00000000-0000-4000-8000-000000000001', 'owner'),
  ('ws_demo', '00000000-0000-4000-8000-000000000002', 'viewer'),
  ('ws_demo', '00000000-0000-4000-8000-000000000004', 'member'),
  ('ws_other', '00000000-0000-4000-8000-000000000003', 'owner')
on conflict do nothing;

insert into public.workspace_senders (sender, workspace_id, label) values
  ('+15005550006', 'ws_demo', 'Demo main line'),
  ('+15017122661', 'ws_other', 'Other main line')
on conflict do nothing;

-- The demo senders run against the local Twilio simulator, and tests and benchmarks send hundreds
-- to 100,000 messages from them at once. As US long codes they would be paced at 1 segment per
-- second (the real carriers' limit), so they are registered at the highest configurable rate
-- (sender_rate_max). Tests of pacing set a sender's rate explicitly.
update public.workspace_senders set messages_per_second = private.limit_value('sender_rate_max')
where sender in ('+15005550006', '+15017122661');

update public.workspace_settings set timezone = 'Australia/Brisbane', default_sender = '+15005550006'
where workspace_id = 'ws_demo';
update public.workspace_settings set timezone = 'America/New_York', default_sender = '+15017122661'
where workspace_id = 'ws_other';

-- Twilio credentials go through Vault (private.set_twilio_credentials); set only once.
select private.set_twilio_credentials(w.id, w.account_sid, w.auth_token)
from (values
  ('ws_demo', 'AC' || repeat('de', 16), 'demo_simulator_auth_token_0001'),
  ('ws_other', 'AC' || repeat('07', 16), 'other_simulator_auth_token_002')
) w (id, account_sid, auth_token)
where not exists (select 1 from private.twilio_accounts a where a.workspace_id = w.id);
