-- Issue 15 (routing and quiet hours): which sender a message leaves from when the request names
-- none, and when marketing messages may be sent.
--
-- * Countries: private.countries (ISO 3166-1 alpha-2, and the IANA timezone when the whole country
--   keeps one clock) and private.phone_prefixes (E.164 calling codes; inside +1, the area codes of
--   Canada and the Caribbean, the rest being the United States). private.phone_country finds a
--   number's country by its longest known prefix; null when unknown.
-- * Senders carry a country: derived from the number when it is one, set by owners and admins for
--   Messaging Services (or to correct it).
-- * Routing (private.route_sender), when a message names no sender: a sender of the recipient's
--   country (geo_match; among several, this recipient's last sender, then the default, then the
--   first), else the sender of this recipient's last message if still the workspace's (sticky),
--   else the workspace default (default). An explicit sender always wins (explicit) and is still
--   checked against the workspace's senders. The choice is recorded on the job (sender_selection)
--   and in its created event. A recurring schedule routes once, when created; its occurrences carry
--   its sender and its sender_selection.
-- * Quiet hours (workspace_settings.quiet_hours_*, off by default, 08:00-21:00): marketing messages
--   (category; transactional ones are never held) are sent only inside the local window of the
--   recipient (the timezone of the number's country when it has one, else the workspace's).
--   - At creation, a marketing message due outside the window is scheduled for the window's next
--     opening: scheduled_time moves, requested_time keeps what was asked, status_reason quiet_hours
--     and a quiet_hours event say why (unless its expiry comes first: then it stays as asked and the
--     claim below skips it).
--   - At every claim (both paths: claim_due_jobs and claim_job), a marketing job due outside the
--     window (a retry, a message held by the daily cap until midnight, a window changed since)
--     waits for the next opening (next_attempt_at, status_reason quiet_hours, a quiet_hours event);
--     one whose expiry comes before the opening is skipped: cancelled with status_reason
--     quiet_hours_expired.
--   Bulk sends are marketing by default (the API's choice); single sends, schedules and direct
--   inserts transactional unless they say otherwise.
--
-- Redefined whole: prepare_new_job, prepare_new_schedule, log_jobs_created, guard_job_update,
-- claim_due_jobs, claim_job; create_job, create_batch and create_recurring_schedule gain p_category.

insert into private.error_codes (code, sqlstate, http_status, description) values
  ('invalid_quiet_hours', 'SMS41', 400, 'Quiet hours need a start and an end time of day (HH:MM) that differ.'),
  ('invalid_category',    'SMS42', 400, 'A message''s category is transactional or marketing.'),
  ('invalid_country',     'SMS43', 400, 'A sender''s country is an ISO 3166-1 alpha-2 code the service knows.');

-- Countries and their clocks ------------------------------------------------------------------

create table private.countries (
  country text primary key check (country ~ '^[A-Z]{2}$'),
  -- The IANA zone of the whole country; null when it spans several (its recipients then get the
  -- workspace's timezone).
  timezone text
);
comment on table private.countries is
  'Countries the service recognises in phone numbers: ISO 3166-1 alpha-2 code, and the one IANA timezone of the country (null: several).';

create table private.phone_prefixes (
  -- Digits after the +: a calling code, or within +1 a calling code and area code.
  prefix text primary key check (prefix ~ '^[0-9]{1,4}$'),
  country text not null references private.countries (country)
);
comment on table private.phone_prefixes is
  'E.164 prefixes (without +) and their country; the longest matching prefix wins (+1 204 is Canada, other +1 numbers the United States).';
create index phone_prefixes_country_idx on private.phone_prefixes (country);
revoke all on private.countries, private.phone_prefixes from anon, authenticated, public;
grant select on private.countries, private.phone_prefixes to service_role;

insert into private.countries (country, timezone) values
  ('US', null), ('CA', null), ('MX', null), ('BR', null), ('AU', null), ('RU', null), ('ID', null),
  ('ES', null), ('PT', null), ('CL', null), ('EC', null), ('MN', null),
  ('PR', 'America/Puerto_Rico'), ('DO', 'America/Santo_Domingo'), ('JM', 'America/Jamaica'),
  ('TT', 'America/Port_of_Spain'), ('BS', 'America/Nassau'), ('BB', 'America/Barbados'),
  ('AI', 'America/Anguilla'), ('AG', 'America/Antigua'), ('VG', 'America/Tortola'),
  ('VI', 'America/St_Thomas'), ('KY', 'America/Cayman'), ('BM', 'Atlantic/Bermuda'),
  ('GD', 'America/Grenada'), ('TC', 'America/Grand_Turk'), ('MS', 'America/Montserrat'),
  ('MP', 'Pacific/Saipan'), ('GU', 'Pacific/Guam'), ('AS', 'Pacific/Pago_Pago'),
  ('SX', 'America/Lower_Princes'), ('LC', 'America/St_Lucia'), ('DM', 'America/Dominica'),
  ('VC', 'America/St_Vincent'), ('KN', 'America/St_Kitts'),
  ('KZ', 'Asia/Almaty'), ('EG', 'Africa/Cairo'), ('ZA', 'Africa/Johannesburg'), ('GR', 'Europe/Athens'),
  ('NL', 'Europe/Amsterdam'), ('BE', 'Europe/Brussels'), ('FR', 'Europe/Paris'), ('HU', 'Europe/Budapest'),
  ('IT', 'Europe/Rome'), ('RO', 'Europe/Bucharest'), ('CH', 'Europe/Zurich'), ('AT', 'Europe/Vienna'),
  ('GB', 'Europe/London'), ('DK', 'Europe/Copenhagen'), ('SE', 'Europe/Stockholm'), ('NO', 'Europe/Oslo'),
  ('PL', 'Europe/Warsaw'), ('DE', 'Europe/Berlin'), ('PE', 'America/Lima'), ('CU', 'America/Havana'),
  ('AR', 'America/Argentina/Buenos_Aires'), ('CO', 'America/Bogota'), ('VE', 'America/Caracas'),
  ('MY', 'Asia/Kuala_Lumpur'), ('PH', 'Asia/Manila'), ('NZ', 'Pacific/Auckland'), ('SG', 'Asia/Singapore'),
  ('TH', 'Asia/Bangkok'), ('JP', 'Asia/Tokyo'), ('KR', 'Asia/Seoul'), ('VN', 'Asia/Ho_Chi_Minh'),
  ('CN', 'Asia/Shanghai'), ('TR', 'Europe/Istanbul'), ('IN', 'Asia/Kolkata'), ('PK', 'Asia/Karachi'),
  ('LK', 'Asia/Colombo'), ('BD', 'Asia/Dhaka'), ('MA', 'Africa/Casablanca'), ('DZ', 'Africa/Algiers'),
  ('TN', 'Africa/Tunis'), ('NG', 'Africa/Lagos'), ('GH', 'Africa/Accra'), ('KE', 'Africa/Nairobi'),
  ('TZ', 'Africa/Dar_es_Salaam'), ('UG', 'Africa/Kampala'), ('ET', 'Africa/Addis_Ababa'),
  ('LU', 'Europe/Luxembourg'), ('IE', 'Europe/Dublin'), ('IS', 'Atlantic/Reykjavik'), ('MT', 'Europe/Malta'),
  ('CY', 'Asia/Nicosia'), ('FI', 'Europe/Helsinki'), ('BG', 'Europe/Sofia'), ('LT', 'Europe/Vilnius'),
  ('LV', 'Europe/Riga'), ('EE', 'Europe/Tallinn'), ('UA', 'Europe/Kyiv'), ('RS', 'Europe/Belgrade'),
  ('HR', 'Europe/Zagreb'), ('SI', 'Europe/Ljubljana'), ('CZ', 'Europe/Prague'), ('SK', 'Europe/Bratislava'),
  ('BY', 'Europe/Minsk'), ('HK', 'Asia/Hong_Kong'), ('MO', 'Asia/Macau'), ('TW', 'Asia/Taipei'),
  ('LB', 'Asia/Beirut'), ('JO', 'Asia/Amman'), ('KW', 'Asia/Kuwait'), ('SA', 'Asia/Riyadh'),
  ('AE', 'Asia/Dubai'), ('IL', 'Asia/Jerusalem'), ('QA', 'Asia/Qatar'), ('BH', 'Asia/Bahrain'),
  ('OM', 'Asia/Muscat'), ('NP', 'Asia/Kathmandu'), ('CR', 'America/Costa_Rica'), ('PA', 'America/Panama'),
  ('GT', 'America/Guatemala'), ('SV', 'America/El_Salvador'), ('HN', 'America/Tegucigalpa'),
  ('NI', 'America/Managua'), ('BO', 'America/La_Paz'), ('PY', 'America/Asuncion'), ('UY', 'America/Montevideo'),
  ('GE', 'Asia/Tbilisi'), ('AZ', 'Asia/Baku'), ('AM', 'Asia/Yerevan'), ('UZ', 'Asia/Tashkent'), ('FJ', 'Pacific/Fiji');

insert into private.phone_prefixes (prefix, country) values
  ('1', 'US'),
  -- Canada's area codes (geographic and non-geographic).
  ('1204', 'CA'), ('1226', 'CA'), ('1236', 'CA'), ('1249', 'CA'), ('1250', 'CA'), ('1257', 'CA'), ('1263', 'CA'),
  ('1289', 'CA'), ('1306', 'CA'), ('1343', 'CA'), ('1354', 'CA'), ('1365', 'CA'), ('1367', 'CA'), ('1368', 'CA'),
  ('1382', 'CA'), ('1387', 'CA'), ('1403', 'CA'), ('1416', 'CA'), ('1418', 'CA'), ('1428', 'CA'), ('1431', 'CA'),
  ('1437', 'CA'), ('1438', 'CA'), ('1450', 'CA'), ('1460', 'CA'), ('1468', 'CA'), ('1474', 'CA'), ('1506', 'CA'),
  ('1514', 'CA'), ('1519', 'CA'), ('1548', 'CA'), ('1579', 'CA'), ('1581', 'CA'), ('1584', 'CA'), ('1587', 'CA'),
  ('1600', 'CA'), ('1604', 'CA'), ('1613', 'CA'), ('1622', 'CA'), ('1639', 'CA'), ('1647', 'CA'), ('1672', 'CA'),
  ('1683', 'CA'), ('1705', 'CA'), ('1709', 'CA'), ('1742', 'CA'), ('1753', 'CA'), ('1778', 'CA'), ('1780', 'CA'),
  ('1782', 'CA'), ('1807', 'CA'), ('1819', 'CA'), ('1825', 'CA'), ('1867', 'CA'), ('1873', 'CA'), ('1879', 'CA'),
  ('1902', 'CA'), ('1905', 'CA'), ('1942', 'CA'),
  -- The other countries and territories of the North American Numbering Plan.
  ('1787', 'PR'), ('1939', 'PR'), ('1809', 'DO'), ('1829', 'DO'), ('1849', 'DO'), ('1876', 'JM'), ('1658', 'JM'),
  ('1868', 'TT'), ('1242', 'BS'), ('1246', 'BB'), ('1264', 'AI'), ('1268', 'AG'), ('1284', 'VG'), ('1340', 'VI'),
  ('1345', 'KY'), ('1441', 'BM'), ('1473', 'GD'), ('1649', 'TC'), ('1664', 'MS'), ('1670', 'MP'), ('1671', 'GU'),
  ('1684', 'AS'), ('1721', 'SX'), ('1758', 'LC'), ('1767', 'DM'), ('1784', 'VC'), ('1869', 'KN'),
  ('7', 'RU'), ('76', 'KZ'), ('77', 'KZ'),
  ('20', 'EG'), ('27', 'ZA'), ('30', 'GR'), ('31', 'NL'), ('32', 'BE'), ('33', 'FR'), ('34', 'ES'), ('36', 'HU'),
  ('39', 'IT'), ('40', 'RO'), ('41', 'CH'), ('43', 'AT'), ('44', 'GB'), ('45', 'DK'), ('46', 'SE'), ('47', 'NO'),
  ('48', 'PL'), ('49', 'DE'), ('51', 'PE'), ('52', 'MX'), ('53', 'CU'), ('54', 'AR'), ('55', 'BR'), ('56', 'CL'),
  ('57', 'CO'), ('58', 'VE'), ('60', 'MY'), ('61', 'AU'), ('62', 'ID'), ('63', 'PH'), ('64', 'NZ'), ('65', 'SG'),
  ('66', 'TH'), ('81', 'JP'), ('82', 'KR'), ('84', 'VN'), ('86', 'CN'), ('90', 'TR'), ('91', 'IN'), ('92', 'PK'),
  ('94', 'LK'), ('880', 'BD'), ('212', 'MA'), ('213', 'DZ'), ('216', 'TN'), ('234', 'NG'), ('233', 'GH'),
  ('254', 'KE'), ('255', 'TZ'), ('256', 'UG'), ('251', 'ET'), ('351', 'PT'), ('352', 'LU'), ('353', 'IE'),
  ('354', 'IS'), ('356', 'MT'), ('357', 'CY'), ('358', 'FI'), ('359', 'BG'), ('370', 'LT'), ('371', 'LV'),
  ('372', 'EE'), ('380', 'UA'), ('381', 'RS'), ('385', 'HR'), ('386', 'SI'), ('420', 'CZ'), ('421', 'SK'),
  ('375', 'BY'), ('852', 'HK'), ('853', 'MO'), ('886', 'TW'), ('961', 'LB'), ('962', 'JO'), ('965', 'KW'),
  ('966', 'SA'), ('971', 'AE'), ('972', 'IL'), ('974', 'QA'), ('973', 'BH'), ('968', 'OM'), ('977', 'NP'),
  ('506', 'CR'), ('507', 'PA'), ('502', 'GT'), ('503', 'SV'), ('504', 'HN'), ('505', 'NI'), ('591', 'BO'),
  ('595', 'PY'), ('598', 'UY'), ('593', 'EC'), ('995', 'GE'), ('994', 'AZ'), ('374', 'AM'), ('998', 'UZ'),
  ('976', 'MN'), ('679', 'FJ');

-- The country of an E.164 number: its longest known prefix (calling codes are at most 3 digits;
-- +1 numbers are told apart by their area code). Four primary-key probes.
create function private.phone_country(p_phone text)
returns text
language sql
stable
parallel safe
set search_path = ''
as $$
  select p.country
  from private.phone_prefixes p
  where p_phone ~ '^\+[1-9]'
    and p.prefix in (pg_catalog.substr(p_phone, 2, 4), pg_catalog.substr(p_phone, 2, 3),
                     pg_catalog.substr(p_phone, 2, 2), pg_catalog.substr(p_phone, 2, 1))
  order by pg_catalog.length(p.prefix) desc
  limit 1
$$;
comment on function private.phone_country is 'ISO 3166-1 alpha-2 country of an E.164 number (longest known prefix), or null.';

-- The timezone quiet hours are read in for a recipient of p_country: the country's when it keeps
-- one clock, else the workspace's.
create function private.recipient_timezone(p_country text, p_workspace_timezone text)
returns text
language sql
stable
parallel safe
set search_path = ''
as $$
  select coalesce((select c.timezone from private.countries c where c.country = p_country), p_workspace_timezone)
$$;
comment on function private.recipient_timezone is
  'The IANA timezone of the recipient''s country when it has only one, else p_workspace_timezone.';

-- Senders' countries ----------------------------------------------------------------------------

alter table public.workspace_senders
  add column country text check (country ~ '^[A-Z]{2}$');
comment on column public.workspace_senders.country is
  'ISO 3166-1 alpha-2 country the sender texts from: derived from the number when it is one (null until set for a Messaging Service). Messages without a sender go to a sender of the recipient''s country first.';
create index workspace_senders_workspace_country_idx on public.workspace_senders (workspace_id, country);
grant update (country) on public.workspace_senders to authenticated;

create function private.prepare_sender_country()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.country is null and private.is_e164(new.sender) then
    new.country := private.phone_country(new.sender);
  end if;
  if new.country is not null and not exists (select 1 from private.countries c where c.country = new.country) then
    perform private.raise_error('invalid_country', pg_catalog.format(
      'country %L is not an ISO 3166-1 alpha-2 code the service knows', new.country));
  end if;
  return new;
end;
$$;
create trigger workspace_senders_country before insert or update of sender, country on public.workspace_senders
  for each row execute function private.prepare_sender_country();
update public.workspace_senders set country = private.phone_country(sender)
where country is null and private.is_e164(sender);

-- Quiet hours settings -----------------------------------------------------------------------------

alter table public.workspace_settings
  add column quiet_hours_enabled boolean not null default false,
  add column quiet_hours_start time(0) not null default '08:00',
  add column quiet_hours_end time(0) not null default '21:00',
  add constraint workspace_settings_quiet_hours_window check (quiet_hours_start <> quiet_hours_end);
comment on column public.workspace_settings.quiet_hours_enabled is
  'Marketing messages are sent only between quiet_hours_start and quiet_hours_end, recipient''s local time (default off).';
comment on column public.workspace_settings.quiet_hours_start is 'Local time of day marketing messages may be sent from (default 08:00).';
comment on column public.workspace_settings.quiet_hours_end is
  'Local time of day marketing messages may be sent until (default 21:00); before the start: a window across midnight.';
grant update (quiet_hours_enabled, quiet_hours_start, quiet_hours_end) on public.workspace_settings to authenticated;

-- A readable error (invalid_quiet_hours) before the CHECK's bare 23514, for the API and direct updates alike.
create function private.check_quiet_hours()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.quiet_hours_start = new.quiet_hours_end then
    perform private.raise_error('invalid_quiet_hours', pg_catalog.format(
      'quiet hours cannot open and close at the same time (%s)', new.quiet_hours_start));
  end if;
  return new;
end;
$$;
create trigger workspace_settings_quiet_hours before update of quiet_hours_start, quiet_hours_end
  on public.workspace_settings
  for each row execute function private.check_quiet_hours();

-- The next opening of the window [p_start, p_end) of local time in p_timezone at or after p_at; null
-- when p_at is inside it. p_start > p_end is a window across midnight. The opening is a local time
-- of day, so across a DST change it is still 08:00 on the clock (a start inside a DST gap moves
-- forward to the first time that exists).
create function private.quiet_hours_opening(p_at timestamptz, p_timezone text, p_start time, p_end time)
returns timestamptz
language sql
immutable
parallel safe
set search_path = ''
as $$
  select case
    when (p_start < p_end and l.t::time >= p_start and l.t::time < p_end)
      or (p_start > p_end and (l.t::time >= p_start or l.t::time < p_end)) then null
    when l.t::time < p_start then (l.t::date + p_start) at time zone p_timezone
    else (l.t::date + 1 + p_start) at time zone p_timezone
  end
  from (select p_at at time zone p_timezone as t) l
$$;
comment on function private.quiet_hours_opening is
  'Null when p_at is inside the local window [p_start, p_end) in p_timezone, else the window''s next opening.';

-- Message category, sender choice, moved time -------------------------------------------------------

alter table public.scheduled_sms_jobs
  add column to_country text,
  add column category text not null default 'transactional' check (category in ('transactional', 'marketing')),
  add column sender_selection text check (sender_selection in ('explicit', 'geo_match', 'sticky', 'default')),
  add column requested_time timestamptz;
comment on column public.scheduled_sms_jobs.to_country is
  'The recipient''s country (private.phone_country at creation), for routing and the quiet-hours clock: set for messages without a sender given and for marketing ones; null otherwise or when unknown.';
comment on column public.scheduled_sms_jobs.category is
  'transactional (never held by quiet hours) or marketing (sent only inside the workspace''s quiet-hours window).';
comment on column public.scheduled_sms_jobs.sender_selection is
  'Why from_number was chosen: explicit (the request named it), geo_match (recipient''s country), sticky (recipient''s last sender) or default.';
comment on column public.scheduled_sms_jobs.requested_time is
  'The time asked for when quiet hours moved scheduled_time to the window''s opening; else null.';
grant insert (category) on public.scheduled_sms_jobs to authenticated;

-- A recipient's latest message (the sticky choice) is the first entry of its run in this index,
-- whatever the statistics say about how many messages a recipient has: the lookup made for every
-- row of a bulk insert without a sender never scans or sorts. Replaces the (workspace, recipient)
-- index of 20261130000100, which GET jobs?search=<number prefix> still uses the same way.
drop index public.scheduled_sms_jobs_workspace_recipient_idx;
create index scheduled_sms_jobs_workspace_recipient_idx
  on public.scheduled_sms_jobs (workspace_id, (to_phone collate "C"), created_at desc);

alter table public.recurring_sms_schedules
  add column category text not null default 'transactional' check (category in ('transactional', 'marketing')),
  add column sender_selection text check (sender_selection in ('explicit', 'geo_match', 'sticky', 'default'));
comment on column public.recurring_sms_schedules.category is 'Category of every occurrence (transactional or marketing).';
comment on column public.recurring_sms_schedules.sender_selection is 'Why from_number was chosen when the schedule was created (as for jobs).';
grant insert (category) on public.recurring_sms_schedules to authenticated;

-- A readable error for a bad category on any path (a CHECK would answer a bare 23514).
create function private.validate_category(p_category text)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_category is null or p_category not in ('transactional', 'marketing') then
    perform private.raise_error('invalid_category', pg_catalog.format(
      'category %L is not transactional or marketing', pg_catalog.left(p_category, 40)));
  end if;
end;
$$;

-- Routing -------------------------------------------------------------------------------------------

-- The sender for a message that names none, and why (see the top of this file). Reads the
-- workspace's senders and this recipient's latest job: called from the insert triggers, which run
-- as the owner after (or, for a client role, before raising) the membership check of
-- validate_message. sender is null when the workspace has no sender to offer (no_default_sender).
create function private.route_sender(
  p_workspace_id text,
  p_to_phone text,
  p_country text,
  p_default_sender text,
  out sender text,
  out reason text
)
language plpgsql
stable
set search_path = ''
as $$
begin
  -- One statement (this runs for every row of a bulk insert without a sender): the workspace's
  -- senders of the recipient's country or the sender of the recipient's latest message (through
  -- the (workspace, recipient) index, whose comparison in "C" is, for equality, the same as any
  -- other), best first. plpgsql keeps the statement's plan cached across the rows.
  select ws.sender, case when ws.country = p_country then 'geo_match' else 'sticky' end
  into sender, reason
  from (select (select j.from_number
                from public.scheduled_sms_jobs j
                where j.workspace_id = p_workspace_id and (j.to_phone collate "C") = p_to_phone
                order by j.created_at desc
                limit 1) as sender) last
  join public.workspace_senders ws
    on ws.workspace_id = p_workspace_id and (ws.country = p_country or ws.sender = last.sender)
  order by (ws.country = p_country) desc nulls last, (ws.sender = last.sender) desc nulls last,
           (ws.sender = p_default_sender) desc nulls last, ws.sender
  limit 1;
  if sender is null and p_default_sender is not null then
    sender := p_default_sender;
    reason := 'default';
  end if;
end;
$$;
comment on function private.route_sender is
  'Sender for a message to p_to_phone (of p_country) without one: a sender of that country (geo_match), else the recipient''s last sender (sticky), else p_default_sender (default).';

-- The insert trigger of 20261130000650, with routing, the category and quiet hours.
create or replace function private.prepare_new_job()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_override jsonb;
  v_cap integer;
  v_max_attempts integer;
  v_settings record;
  v_rule jsonb;
  v_opening timestamptz;
begin
  -- Columns the service manages. Client roles cannot even name them (column grants); this
  -- catches the service role and the table owner too.
  if new.status is not null or new.attempts <> 0 or new.twilio_sid is not null
     or new.message_status is not null or new.lease_owner is not null
     or new.lease_expires_at is not null or new.last_error_code is not null
     or new.last_error_message is not null or new.completed_at is not null
     or new.status_reason is not null or new.dispatched_at is not null or new.dispatch_count <> 0
     or new.requested_time is not null then
    perform private.raise_error('internal_column_set',
      'status, attempts, Twilio ids, errors, leases, dispatch state and requested_time are set by the service, not on insert');
  end if;
  -- An occurrence is its schedule's message: its category and the reason its sender was chosen.
  if new.recurring_schedule_id is not null then
    select s.category, s.sender_selection into new.category, new.sender_selection
    from public.recurring_sms_schedules s where s.id = new.recurring_schedule_id;
  end if;
  -- Per row (10,000 in a bulk batch): the function that words the refusal is called only to refuse.
  if new.category is null or new.category not in ('transactional', 'marketing') then
    perform private.validate_category(new.category);
  end if;
  select s.max_retries, s.retry_base_seconds, s.retry_max_seconds, s.retry_policy, s.timezone, s.default_sender,
         s.quiet_hours_enabled, s.quiet_hours_start, s.quiet_hours_end
  into v_settings
  from public.workspace_settings s where s.workspace_id = new.workspace_id;
  -- The recipient's country is looked up when routing or the quiet-hours clock needs it: a
  -- transactional message with its sender named (most bulk and API traffic) skips the lookup.
  if new.from_number is null or new.category = 'marketing' then
    new.to_country := private.phone_country(new.to_phone);
  end if;
  if new.from_number is null then
    select r.sender, r.reason into new.from_number, new.sender_selection
    from private.route_sender(new.workspace_id, new.to_phone, new.to_country, v_settings.default_sender) r;
  else
    new.sender_selection := coalesce(new.sender_selection, 'explicit');
  end if;
  new.from_number := private.validate_message(new.workspace_id, new.to_phone, new.from_number,
    new.body, new.media_urls, new.metadata);
  new.scheduled_time := coalesce(new.scheduled_time, pg_catalog.now());
  perform private.validate_send_time(new.scheduled_time);
  -- Per row, so only when there is something to check (a call of a function with its own
  -- search_path costs more than the check).
  if new.expires_at is not null then
    perform private.validate_expiry(new.expires_at, new.scheduled_time);
  end if;
  -- Quiet hours: a marketing message asked for outside the window is scheduled for its opening,
  -- unless its expiry comes first (the claim then skips it, with the reason).
  if new.category = 'marketing' and v_settings.quiet_hours_enabled then
    v_opening := private.quiet_hours_opening(new.scheduled_time,
      private.recipient_timezone(new.to_country, v_settings.timezone),
      v_settings.quiet_hours_start, v_settings.quiet_hours_end);
    if v_opening is not null and (new.expires_at is null or new.expires_at > v_opening) then
      new.requested_time := new.scheduled_time;
      new.scheduled_time := v_opening;
      new.status_reason := 'quiet_hours';
    end if;
  end if;
  new.next_attempt_at := new.scheduled_time;
  new.status := case when new.scheduled_time <= pg_catalog.now() then 'queued' else 'scheduled' end;
  -- new.retry_policy, as inserted, is the message's override (checked in resolve_retry_policy).
  v_override := new.retry_policy;
  -- An explicit max_attempts (the service role may give one) caps every class; one out of range
  -- is left to the column's check.
  if new.max_attempts is not null then
    v_cap := case when new.max_attempts between 1 and private.limit_value('max_retries_cap') + 1 then new.max_attempts end;
  end if;
  -- This runs for every inserted row (10,000 in a bulk batch). The common case — no override from
  -- the message or the workspace — is built from the one settings row read here; anything else
  -- goes through private.resolve_retry_policy (pgTAP 110 checks that both agree).
  if v_override is null and v_settings.retry_policy = '{}'::jsonb then
    v_rule := pg_catalog.jsonb_build_object(
      'maxAttempts', coalesce(v_cap, v_settings.max_retries + 1), 'backoff', 'exponential',
      'baseSeconds', v_settings.retry_base_seconds, 'maxSeconds', v_settings.retry_max_seconds, 'jitter', true);
    new.retry_policy := pg_catalog.jsonb_build_object('rateLimited', v_rule, 'serverError', v_rule, 'carrier', v_rule);
    v_max_attempts := coalesce(v_cap, v_settings.max_retries + 1);
  else
    new.retry_policy := private.resolve_retry_policy(new.workspace_id, v_override, v_cap);
    v_max_attempts := (select max((r.value ->> 'maxAttempts')::integer) from pg_catalog.jsonb_each(new.retry_policy) r);
  end if;
  new.max_attempts := coalesce(new.max_attempts, v_max_attempts);
  return new;
end;
$$;

-- The schedule insert trigger of 20261128000500, routing its sender once (its occurrences keep it).
create or replace function private.prepare_new_schedule()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.status <> 'active' or new.occurrences_count <> 0 or new.next_run_at is not null
     or new.last_run_at is not null or new.missed_count <> 0 or new.skipped_count <> 0
     or new.ended_reason is not null then
    perform private.raise_error('internal_column_set',
      'status, occurrence counts, run times and the end reason of a schedule are set by the service');
  end if;
  perform private.validate_category(new.category);
  if new.from_number is null then
    select r.sender, r.reason into new.from_number, new.sender_selection
    from public.workspace_settings s
    cross join lateral private.route_sender(new.workspace_id, new.to_phone, private.phone_country(new.to_phone),
      s.default_sender) r
    where s.workspace_id = new.workspace_id;
  else
    new.sender_selection := 'explicit';
  end if;
  new.from_number := private.validate_message(new.workspace_id, new.to_phone, new.from_number,
    new.body, new.media_urls, new.metadata);
  if new.timezone is null then
    select s.timezone into new.timezone from public.workspace_settings s
    where s.workspace_id = new.workspace_id;
  end if;
  perform private.validate_cron_and_timezone(new.cron_expression, new.timezone);
  -- The same horizon as a single message; an infinite or far-off start has no first run to find.
  if new.start_at is null or not pg_catalog.isfinite(new.start_at)
     or new.start_at > pg_catalog.now() + pg_catalog.make_interval(secs => private.limit_value('schedule_max_ahead_seconds')) then
    perform private.raise_error('invalid_schedule', pg_catalog.format('start_at must be at most %s days ahead',
      private.limit_value('schedule_max_ahead_seconds') / 86400));
  end if;
  if new.end_at is not null and new.end_at <= new.start_at then
    perform private.raise_error('invalid_schedule', 'end_at must be after start_at');
  end if;
  if new.max_occurrences is not null and new.max_occurrences < 1 then
    perform private.raise_error('invalid_schedule', 'max_occurrences must be at least 1');
  end if;
  -- The first run is the first occurrence at or after start_at, and never in the past (no
  -- back-fill). An expression that matches no date at all is refused (invalid_cron), as is a
  -- window without any occurrence (invalid_schedule).
  new.next_run_at := private.cron_next(new.cron_expression, new.timezone,
    greatest(new.start_at, pg_catalog.now()) - interval '1 microsecond');
  if new.next_run_at is null then
    perform private.raise_error('invalid_cron', pg_catalog.format(
      'cron expression %L matches no date within %s years', pg_catalog.left(new.cron_expression, 100),
      private.limit_value('cron_search_years')));
  end if;
  if new.end_at is not null and new.next_run_at >= new.end_at then
    perform private.raise_error('invalid_schedule', pg_catalog.format(
      'the schedule has no occurrence before end_at %s (the first is %s)', new.end_at, new.next_run_at));
  end if;
  return new;
end;
$$;

-- The created events of 20261128000600, with why the sender was chosen, and a quiet_hours event for
-- each message quiet hours moved.
create or replace function private.log_jobs_created()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.sms_job_events (job_id, workspace_id, event_type, to_status, details, actor)
  select n.id, n.workspace_id, 'created', n.status,
         pg_catalog.jsonb_build_object('scheduled_time', n.scheduled_time, 'max_attempts', n.max_attempts,
           'sender_selection', n.sender_selection),
         auth.uid()
  from new_jobs n;
  insert into public.sms_job_events (job_id, workspace_id, event_type, from_status, to_status, details, actor)
  select n.id, n.workspace_id, 'quiet_hours', n.status, n.status,
         pg_catalog.jsonb_build_object('reason', 'quiet_hours', 'requested_time', n.requested_time,
           'scheduled_time', n.scheduled_time),
         auth.uid()
  from new_jobs n
  where n.status_reason = 'quiet_hours';
  return null;
end;
$$;

-- The guard of 20261130000600: category, sender choice and requested time are fixed once created too.
create or replace function private.guard_job_update()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.id <> old.id or new.workspace_id <> old.workspace_id or new.to_phone <> old.to_phone
     or new.from_number <> old.from_number or new.body <> old.body
     or new.media_urls <> old.media_urls or new.scheduled_time <> old.scheduled_time
     or new.created_at <> old.created_at
     or new.template_id is distinct from old.template_id or new.template_version is distinct from old.template_version
     or new.template_variables is distinct from old.template_variables
     or new.encoding is distinct from old.encoding or new.segments is distinct from old.segments
     or new.batch_id is distinct from old.batch_id
     or new.retry_policy is distinct from old.retry_policy or new.max_attempts <> old.max_attempts
     or new.category <> old.category or new.sender_selection is distinct from old.sender_selection
     or new.to_country is distinct from old.to_country
     or new.requested_time is distinct from old.requested_time then
    perform private.raise_error('immutable_column',
      'a job''s id, workspace, recipient, sender, body, media, scheduled_time, template, batch, retry policy and category are fixed once created');
  end if;
  if new.status <> old.status and not private.is_allowed_job_transition(old.status, new.status)
     and not private.is_expiry_or_manual_retry(old, new) then
    perform private.raise_error('invalid_transition', pg_catalog.format(
      'job %s cannot go from %s to %s', old.id, old.status, new.status));
  end if;
  -- An expiry changes only with a manual retry (a new attempt gets a new expiry).
  if new.expires_at is distinct from old.expires_at and not (old.status = 'failed' and new.status = 'retrying') then
    perform private.raise_error('immutable_column', 'a job''s expiry changes only when a failed job is retried');
  end if;
  return new;
end;
$$;

-- Creation functions of 20261130000600 with the message's category (bulk sends: marketing unless
-- the request says otherwise).
drop function private.create_job(text, text, text, text, text[], timestamptz, jsonb, uuid, text, integer, jsonb,
  text, integer, jsonb, timestamptz, integer);
create function private.create_job(
  p_workspace_id text,
  p_to_phone text,
  p_body text,
  p_from_number text default null,
  p_media_urls text[] default '{}',
  p_scheduled_time timestamptz default null,
  p_metadata jsonb default '{}',
  p_created_by uuid default null,
  p_template_id text default null,
  p_template_version integer default null,
  p_template_variables jsonb default null,
  p_encoding text default null,
  p_segments integer default null,
  p_retry_policy jsonb default null,
  p_expires_at timestamptz default null,
  p_valid_for_seconds integer default null,
  p_category text default 'transactional'
) returns public.scheduled_sms_jobs
language plpgsql
set search_path = ''
as $$
declare
  v_job public.scheduled_sms_jobs;
  v_scheduled_time timestamptz := coalesce(p_scheduled_time, pg_catalog.now());
begin
  if p_expires_at is not null and p_valid_for_seconds is not null then
    perform private.raise_error('invalid_expiry', 'give validFor or expiresAt, not both');
  end if;
  insert into public.scheduled_sms_jobs
    (workspace_id, to_phone, from_number, body, media_urls, scheduled_time, metadata, created_by,
     template_id, template_version, template_variables, encoding, segments, retry_policy, expires_at, category)
  values
    (p_workspace_id, p_to_phone, p_from_number, p_body, coalesce(p_media_urls, '{}'),
     v_scheduled_time, coalesce(p_metadata, '{}'), p_created_by,
     p_template_id, p_template_version, p_template_variables, p_encoding, p_segments, p_retry_policy,
     coalesce(p_expires_at, v_scheduled_time + pg_catalog.make_interval(secs => p_valid_for_seconds)), p_category)
  returning * into v_job;
  return v_job;
end;
$$;
comment on function private.create_job is 'Creates a job (status queued if due now, scheduled if later) and its created event.';

drop function private.create_batch(text, uuid, timestamptz, text, text[], text, integer, jsonb, integer, jsonb,
  jsonb, timestamptz, integer);
create function private.create_batch(
  p_workspace_id text,
  p_created_by uuid,
  p_scheduled_time timestamptz,
  p_from_number text,
  p_media_urls text[],
  p_template_id text,
  p_template_version integer,
  p_metadata jsonb,
  p_rejected integer,
  p_items jsonb,
  p_retry_policy jsonb default null,
  p_expires_at timestamptz default null,
  p_valid_for_seconds integer default null,
  p_category text default 'marketing',
  out batch_id text,
  out created_at timestamptz,
  out scheduled_time timestamptz,
  out job_ids text[]
)
language plpgsql
set search_path = ''
as $$
declare
  v_batch public.sms_batches;
  v_inserted integer;
begin
  if p_expires_at is not null and p_valid_for_seconds is not null then
    perform private.raise_error('invalid_expiry', 'give validFor or expiresAt, not both');
  end if;
  if p_items is null or pg_catalog.jsonb_typeof(p_items) <> 'array' or p_rejected is null or p_rejected < 0 then
    perform private.raise_error('invalid_argument', 'items must be a JSON array and rejected a count');
  end if;
  scheduled_time := coalesce(p_scheduled_time, pg_catalog.now());
  perform private.validate_send_time(scheduled_time);
  insert into public.sms_batches
    (workspace_id, created_by, scheduled_time, template_id, template_version, metadata, accepted, rejected)
  values
    (p_workspace_id, p_created_by, scheduled_time, p_template_id, p_template_version, coalesce(p_metadata, '{}'),
     pg_catalog.jsonb_array_length(p_items), p_rejected)
  returning * into v_batch;

  with items as materialized (
    select private.new_id('job') as id, i.*
    from rows from (pg_catalog.jsonb_to_recordset(p_items)
           as (to_phone text, body text, metadata jsonb, template_variables jsonb, encoding text, segments integer))
         with ordinality as i (to_phone, body, metadata, template_variables, encoding, segments, position)
  ),
  inserted as (
    insert into public.scheduled_sms_jobs
      (id, workspace_id, to_phone, from_number, body, media_urls, scheduled_time, metadata, created_by,
       template_id, template_version, template_variables, encoding, segments, batch_id,
       retry_policy, expires_at, category)
    select items.id, p_workspace_id, items.to_phone, p_from_number, items.body, coalesce(p_media_urls, '{}'),
           v_batch.scheduled_time, v_batch.metadata || coalesce(items.metadata, '{}'), p_created_by,
           p_template_id, p_template_version, items.template_variables, items.encoding, items.segments, v_batch.id,
           p_retry_policy,
           coalesce(p_expires_at, v_batch.scheduled_time + pg_catalog.make_interval(secs => p_valid_for_seconds)),
           p_category
    from items
    order by items.position
    returning 1
  )
  select coalesce(pg_catalog.array_agg(items.id order by items.position), '{}'),
         (select pg_catalog.count(*) from inserted)
  into job_ids, v_inserted
  from items;
  if v_inserted <> pg_catalog.cardinality(job_ids) then
    raise exception 'batch % inserted % of % jobs', v_batch.id, v_inserted, pg_catalog.cardinality(job_ids);
  end if;

  batch_id := v_batch.id;
  created_at := v_batch.created_at;
end;
$$;
comment on function private.create_batch is
  'Creates a schedule-bulk batch and its jobs (one INSERT … SELECT through the job insert trigger); job_ids are in p_items order.';

drop function private.create_recurring_schedule(text, text, text, text, text, text, text[], timestamptz,
  timestamptz, integer, jsonb, uuid, text, integer, jsonb, text, integer, jsonb, integer);
create function private.create_recurring_schedule(
  p_workspace_id text,
  p_to_phone text,
  p_body text,
  p_cron_expression text,
  p_timezone text default null,
  p_from_number text default null,
  p_media_urls text[] default '{}',
  p_start_at timestamptz default null,
  p_end_at timestamptz default null,
  p_max_occurrences integer default null,
  p_metadata jsonb default '{}',
  p_created_by uuid default null,
  p_template_id text default null,
  p_template_version integer default null,
  p_template_variables jsonb default null,
  p_encoding text default null,
  p_segments integer default null,
  p_retry_policy jsonb default null,
  p_valid_for_seconds integer default null,
  p_category text default 'transactional'
) returns table (
  id text,
  workspace_id text,
  status public.recurring_schedule_status,
  cron_expression text,
  timezone text,
  start_at timestamptz,
  end_at timestamptz,
  max_occurrences integer,
  next_run_at timestamptz,
  next_runs timestamptz[],
  created_at timestamptz,
  from_number text,
  sender_selection text,
  category text
)
language plpgsql
set search_path = ''
as $$
declare
  v_schedule public.recurring_sms_schedules;
begin
  insert into public.recurring_sms_schedules
    (workspace_id, to_phone, from_number, body, media_urls, metadata, cron_expression, timezone,
     start_at, end_at, max_occurrences, created_by, template_id, template_version, template_variables,
     encoding, segments, retry_policy, valid_for_seconds, category)
  values
    (p_workspace_id, p_to_phone, p_from_number, p_body, coalesce(p_media_urls, '{}'),
     coalesce(p_metadata, '{}'), p_cron_expression, p_timezone, coalesce(p_start_at, pg_catalog.now()),
     p_end_at, p_max_occurrences, p_created_by, p_template_id, p_template_version, p_template_variables,
     p_encoding, p_segments, p_retry_policy, p_valid_for_seconds, p_category)
  returning * into v_schedule;
  return query
  select v_schedule.id, v_schedule.workspace_id, v_schedule.status, v_schedule.cron_expression,
         v_schedule.timezone, v_schedule.start_at, v_schedule.end_at, v_schedule.max_occurrences,
         v_schedule.next_run_at, private.schedule_upcoming_runs(v_schedule), v_schedule.created_at,
         v_schedule.from_number, v_schedule.sender_selection, v_schedule.category;
end;
$$;
comment on function private.create_recurring_schedule is
  'Creates a recurring schedule (validated by the insert triggers) and returns it with its next preview_runs run times.';

-- Claims --------------------------------------------------------------------------------------------
-- The claims of 20261130001000 with quiet hours. A job quiet hours hold takes no send slot and does
-- not count against the daily cap.
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
             coalesce(j.segments, 1) as segments, j.to_country, j.category
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
           (v_now at time zone st.timezone)::date as today,
           st.quiet_hours_enabled, st.quiet_hours_start, st.quiet_hours_end
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
  -- Quiet hours: a marketing job due outside its recipient's window waits for the next opening
  -- (quiet_until; null: send). The window is read once per workspace and recipient country in the
  -- claim, at the claim's time (a job is due by then, or within the lookahead of a few seconds).
  quiet_zones as materialized (
    select z.workspace_id, z.to_country, tz.tz,
           private.quiet_hours_opening(v_now, tz.tz, st.quiet_hours_start, st.quiet_hours_end) as opens_at
    from (select distinct l.workspace_id, l.to_country from locked l where l.category = 'marketing') z
    join settings st on st.workspace_id = z.workspace_id and st.quiet_hours_enabled
    cross join lateral (select private.recipient_timezone(z.to_country, st.timezone) as tz) tz
  ),
  timed as (
    select l.*, st.cap, st.timezone, q.tz as quiet_tz, st.quiet_hours_start, st.quiet_hours_end, q.opens_at as quiet_until
    from locked l
    join settings st on st.workspace_id = l.workspace_id
    left join quiet_zones q on l.category = 'marketing' and q.workspace_id = l.workspace_id
      and coalesce(q.to_country, '') = coalesce(l.to_country, '')
  ),
  -- First attempts in each workspace that may be sent now, in due order, against what is left of its cap.
  capped as (
    select t.*, coalesce(u.used, 0) as used,
           sum(case when t.attempts = 0 and t.quiet_until is null then 1 else 0 end) over (
             partition by t.workspace_id order by t.next_attempt_at, t.id rows unbounded preceding) as first_rank
    from timed t
    left join usage u on u.workspace_id = t.workspace_id
  ),
  -- quiet: outside the quiet-hours window; held: the cap was reached before this claim (wait for the
  -- next local midnight); over: this claim would pass it (stay pending; the next claim holds them).
  classified as (
    select c.*,
           c.quiet_until is not null as quiet,
           (c.quiet_until is null and c.attempts = 0 and c.cap is not null and c.used >= c.cap) as held,
           (c.quiet_until is null and c.attempts = 0 and c.cap is not null and c.used < c.cap
            and c.used + c.first_rank > c.cap) as over
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
    where not c.quiet and not c.held and not c.over
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
  -- Outside the window: wait for its opening; skipped (cancelled) when the expiry comes first.
  quiet as (
    update public.scheduled_sms_jobs j
    set next_attempt_at = case when c.skip then j.next_attempt_at else c.quiet_until end,
        status = case when c.skip then 'cancelled'::public.sms_job_status else j.status end,
        status_reason = case when c.skip then 'quiet_hours_expired' else 'quiet_hours' end,
        last_error_message = case when c.skip then pg_catalog.format(
          'the message expires at %s, before the quiet hours end at %s', j.expires_at, c.quiet_until)
          else j.last_error_message end,
        dispatched_at = null
    from (select c.*, coalesce(c.expires_at <= c.quiet_until, false) as skip from classified c where c.quiet) c
    where j.id = c.id
    returning j.id, j.workspace_id, j.status, j.attempts, c.skip, c.quiet_until, c.quiet_tz,
              c.quiet_hours_start, c.quiet_hours_end
  ),
  quiet_events as (
    insert into public.sms_job_events (job_id, workspace_id, event_type, from_status, to_status, attempt, details)
    select q.id, q.workspace_id, 'quiet_hours', q.status, q.status, q.attempts,
           pg_catalog.jsonb_build_object('reason', 'quiet_hours', 'next_attempt_at', q.quiet_until,
             'timezone', q.quiet_tz, 'window_start', q.quiet_hours_start, 'window_end', q.quiet_hours_end)
    from quiet q
    where not q.skip
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
  'Claims jobs due now (or within p_lookahead_ms) for a worker, interleaving workspaces, and gives each a send slot of its sender within sender_slot_horizon_ms (next_attempt_at = the slot: the worker sends then). Jobs whose slot is later stay pending; a slot at or after the expiry fails the job (expired); marketing jobs outside quiet hours wait for the opening (quiet_hours) or, expiring first, are cancelled (quiet_hours_expired); first attempts past the workspace''s daily cap wait for the next local midnight (daily_cap). Skips locked job rows.';

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
  v_quiet_tz text;
  v_quiet_until timestamptz;
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

  select st.timezone, st.daily_message_cap as cap, st.quiet_hours_enabled, st.quiet_hours_start, st.quiet_hours_end
  into v_settings
  from public.workspace_settings st where st.workspace_id = v_job.workspace_id;
  -- Quiet hours, as in claim_due_jobs: wait for the opening, or skip when the expiry comes first.
  if v_job.category = 'marketing' and v_settings.quiet_hours_enabled then
    v_quiet_tz := private.recipient_timezone(v_job.to_country, v_settings.timezone);
    v_quiet_until := private.quiet_hours_opening(v_now, v_quiet_tz, v_settings.quiet_hours_start, v_settings.quiet_hours_end);
    if v_quiet_until is not null and v_job.expires_at <= v_quiet_until then
      update public.scheduled_sms_jobs
      set status = 'cancelled',
          status_reason = 'quiet_hours_expired',
          last_error_message = pg_catalog.format('the message expires at %s, before the quiet hours end at %s',
            v_job.expires_at, v_quiet_until),
          dispatched_at = null
      where id = p_job_id
      returning * into v_job;
      return v_job;
    elsif v_quiet_until is not null then
      update public.scheduled_sms_jobs
      set next_attempt_at = v_quiet_until,
          status_reason = 'quiet_hours',
          dispatched_at = null
      where id = p_job_id
      returning * into v_job;
      insert into public.sms_job_events (job_id, workspace_id, event_type, from_status, to_status, attempt, details)
      values (v_job.id, v_job.workspace_id, 'quiet_hours', v_job.status, v_job.status, v_job.attempts,
        pg_catalog.jsonb_build_object('reason', 'quiet_hours', 'next_attempt_at', v_quiet_until, 'timezone', v_quiet_tz,
          'window_start', v_settings.quiet_hours_start, 'window_end', v_settings.quiet_hours_end));
      return v_job;
    end if;
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
  'Claims one due job by id (the Trigger.dev task path) with a send slot of its sender (next_attempt_at = the slot). No slot within the horizon: job_not_due with DETAIL retry_at=<time>. Expired, or expiring before its slot: failed (expired), returned so. Marketing outside quiet hours: held to the opening (quiet_hours), or cancelled (quiet_hours_expired) when it expires first, returned so. Past the daily cap: held to the next local midnight (daily_cap), returned pending.';

