-- The one cron evaluator: standard 5-field expressions (minute hour day-of-month month day-of-week)
-- read as wall-clock time in an IANA timezone. The sweep, the insert validation and the API all use
-- these functions; tests compare them with croner.
--
-- DST policy (docs/architecture.md, "Recurring messages"): a cron expression names WALL-CLOCK times
-- in its timezone, and every matching wall time runs exactly once. A wall time that does not exist
-- (the spring-forward gap) runs at the first valid instant after the gap, i.e. the transition
-- instant (02:30 America/New_York on the spring-forward day runs at 03:00 EDT; several gap times
-- collapse into that one run, together with a match at the gap's end). A wall time that occurs
-- twice (fall-back) runs once, at its first occurrence (01:30 EDT, not 01:30 EST).

-- A parsed 5-field cron expression. Bit n of a mask is set when value n matches.
create type private.cron_spec as (
  minutes bigint,   -- bits 0..59
  hours integer,    -- bits 0..23
  days bigint,      -- bits 1..31 (day of month)
  months integer,   -- bits 1..12
  weekdays integer, -- bits 0..6 (0 = Sunday; 7 in the expression is Sunday too)
  day_star boolean, -- day-of-month field is exactly '*'
  weekday_star boolean -- day-of-week field is exactly '*'
);
comment on type private.cron_spec is
  'A parsed cron expression: one bit mask per field. When both day fields are restricted (neither is exactly *), a day matches if EITHER matches (Vixie cron, croner''s default).';

-- The one parser of standard 5-field cron expressions (minute hour day-of-month month
-- day-of-week): per field '*', 'n', 'a-b', each optionally '/step' ('n/step' means n up to the
-- field's maximum, as in Vixie cron), comma-separated lists; JAN-DEC and SUN-SAT names in any
-- case. Null for anything else.
create function private.parse_cron(p_expr text)
returns private.cron_spec
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
  v_fields text[];
  v_lo_bound integer[] := array[0, 0, 1, 1, 0];
  v_hi_bound integer[] := array[59, 23, 31, 12, 7];
  v_months text[] := array['JAN','FEB','MAR','APR','MAY','JUN','JUL','AUG','SEP','OCT','NOV','DEC'];
  v_days text[] := array['SUN','MON','TUE','WED','THU','FRI','SAT'];
  v_masks bigint[] := array[0, 0, 0, 0, 0]::bigint[];
  v_field text;
  v_part text;
  v_match text[];
  v_lo integer;
  v_hi integer;
  v_step integer;
  v_spec private.cron_spec;
  i integer;
  k integer;
begin
  if p_expr is null or pg_catalog.char_length(p_expr) > private.limit_value('cron_expression_max_chars') then
    return null;
  end if;
  v_fields := pg_catalog.regexp_split_to_array(pg_catalog.btrim(p_expr), '\s+');
  if pg_catalog.array_length(v_fields, 1) <> 5 then
    return null;
  end if;
  for i in 1..5 loop
    v_field := pg_catalog.upper(v_fields[i]);
    if i = 4 then
      for k in 1..12 loop
        v_field := pg_catalog.replace(v_field, v_months[k], k::text);
      end loop;
    elsif i = 5 then
      for k in 1..7 loop
        v_field := pg_catalog.replace(v_field, v_days[k], (k - 1)::text);
      end loop;
    end if;
    foreach v_part in array pg_catalog.string_to_array(v_field, ',') loop
      v_match := pg_catalog.regexp_match(v_part, '^(\*|([0-9]{1,2})(-([0-9]{1,2}))?)(/([0-9]{1,2}))?$');
      if v_match is null then
        return null;
      end if;
      v_step := coalesce(v_match[6]::integer, 1);
      if v_step < 1 then
        return null;
      end if;
      if v_match[1] = '*' then
        v_lo := v_lo_bound[i];
        v_hi := v_hi_bound[i];
      else
        v_lo := v_match[2]::integer;
        v_hi := coalesce(v_match[4]::integer, v_lo);
        if v_lo < v_lo_bound[i] or v_hi > v_hi_bound[i] or v_lo > v_hi then
          return null;
        end if;
        if v_match[4] is null and v_match[6] is not null then
          v_hi := v_hi_bound[i];
        end if;
      end if;
      k := v_lo;
      while k <= v_hi loop
        v_masks[i] := v_masks[i] | (1::bigint << k);
        k := k + v_step;
      end loop;
    end loop;
  end loop;
  -- Day of week 7 is Sunday.
  if v_masks[5] & (1::bigint << 7) <> 0 then
    v_masks[5] := (v_masks[5] & 127) | 1;
  end if;
  v_spec.minutes := v_masks[1];
  v_spec.hours := v_masks[2]::integer;
  v_spec.days := v_masks[3];
  v_spec.months := v_masks[4]::integer;
  v_spec.weekdays := v_masks[5]::integer;
  v_spec.day_star := v_fields[3] = '*';
  v_spec.weekday_star := v_fields[5] = '*';
  return v_spec;
end;
$$;
comment on function private.parse_cron is 'Parses a 5-field cron expression into bit masks; null when it is not one.';

create function private.is_valid_cron(p_expr text)
returns boolean
language sql
immutable
parallel safe
set search_path = ''
as $$
  select private.parse_cron(p_expr) is not null
$$;
comment on function private.is_valid_cron is 'Whether private.parse_cron accepts the expression.';

-- The instant a wall-clock time names in a timezone, under the DST policy: the only instant if
-- there is one; the first of two (fall-back); the first valid instant after the gap (spring-forward).
create function private.wall_time_instant(p_wall timestamp, p_timezone text)
returns timestamptz
language plpgsql
stable
parallel safe
set search_path = ''
as $$
declare
  v_as_utc timestamptz := p_wall at time zone 'UTC';
  v_before interval;
  v_after interval;
  v_first timestamptz;
  v_second timestamptz;
  v_k integer;
begin
  -- The zone's UTC offsets a day either side (no zone changes offset twice within two days).
  v_before := ((v_as_utc - interval '1 day') at time zone p_timezone) - ((v_as_utc - interval '1 day') at time zone 'UTC');
  v_after := ((v_as_utc + interval '1 day') at time zone p_timezone) - ((v_as_utc + interval '1 day') at time zone 'UTC');
  v_first := v_as_utc - v_before;
  v_second := v_as_utc - v_after;
  if v_second < v_first then
    v_first := v_second;
    v_second := v_as_utc - v_before;
  end if;
  if (v_first at time zone p_timezone) = p_wall then
    return v_first;
  end if;
  if (v_second at time zone p_timezone) = p_wall then
    return v_second;
  end if;
  -- In a gap: the first later wall minute that exists (the gap's end) names the transition instant.
  for v_k in 1..1440 loop
    v_second := (p_wall + pg_catalog.make_interval(mins => v_k)) at time zone 'UTC' - v_after;
    if (v_second at time zone p_timezone) = p_wall + pg_catalog.make_interval(mins => v_k) then
      return v_second;
    end if;
  end loop;
  return null;
end;
$$;
comment on function private.wall_time_instant is
  'DST policy: the instant of a wall time in a timezone (repeated: the first; skipped: the first valid instant after the gap).';

-- The first occurrence strictly after p_after, or null if none within search_years.
-- Walks wall-clock fields, skipping whole months, days and hours that cannot match.
create function private.cron_next_from_spec(p_spec private.cron_spec, p_timezone text, p_after timestamptz)
returns timestamptz
language plpgsql
stable
parallel safe
set search_path = ''
as $$
declare
  v_wall timestamp := pg_catalog.date_trunc('minute', p_after at time zone p_timezone);
  v_y integer := extract(year from v_wall)::integer;
  v_mo integer := extract(month from v_wall)::integer;
  v_d integer := extract(day from v_wall)::integer;
  v_h integer := extract(hour from v_wall)::integer;
  v_mi integer := extract(minute from v_wall)::integer;
  v_last_year integer := v_y + private.limit_value('cron_search_years')::integer;
  v_dim integer;
  v_dow integer;
  v_day_ok boolean;
  v_weekday_ok boolean;
  v_instant timestamptz;
begin
  if p_spec is null or p_after is null then
    return null;
  end if;
  loop
    if v_y > v_last_year then
      return null;
    end if;
    -- Month.
    while v_mo <= 12 and (p_spec.months >> v_mo) & 1 = 0 loop
      v_mo := v_mo + 1;
      v_d := 1; v_h := 0; v_mi := 0;
    end loop;
    if v_mo > 12 then
      v_y := v_y + 1; v_mo := 1; v_d := 1; v_h := 0; v_mi := 0;
      continue;
    end if;
    -- Day.
    v_dim := extract(day from (pg_catalog.make_date(v_y, v_mo, 1) + interval '1 month - 1 day'))::integer;
    if v_d > v_dim then
      v_mo := v_mo + 1; v_d := 1; v_h := 0; v_mi := 0;
      if v_mo > 12 then v_y := v_y + 1; v_mo := 1; end if;
      continue;
    end if;
    v_dow := extract(dow from pg_catalog.make_date(v_y, v_mo, v_d))::integer;
    v_day_ok := (p_spec.days >> v_d) & 1 = 1;
    v_weekday_ok := (p_spec.weekdays >> v_dow) & 1 = 1;
    if not (case when p_spec.day_star or p_spec.weekday_star then v_day_ok and v_weekday_ok
                 else v_day_ok or v_weekday_ok end) then
      v_d := v_d + 1; v_h := 0; v_mi := 0;
      continue;
    end if;
    -- Hour.
    while v_h <= 23 and (p_spec.hours >> v_h) & 1 = 0 loop
      v_h := v_h + 1;
      v_mi := 0;
    end loop;
    if v_h > 23 then
      v_d := v_d + 1; v_h := 0; v_mi := 0;
      continue;
    end if;
    -- Minute.
    while v_mi <= 59 and (p_spec.minutes >> v_mi) & 1 = 0 loop
      v_mi := v_mi + 1;
    end loop;
    if v_mi > 59 then
      v_h := v_h + 1; v_mi := 0;
      if v_h > 23 then v_d := v_d + 1; v_h := 0; end if;
      continue;
    end if;
    v_instant := private.wall_time_instant(pg_catalog.make_timestamp(v_y, v_mo, v_d, v_h, v_mi, 0), p_timezone);
    if v_instant > p_after then
      return v_instant;
    end if;
    -- This wall time's instant is not after p_after (a repeated hour's second pass, or a gap's end
    -- already used): try the next minute.
    v_mi := v_mi + 1;
    if v_mi > 59 then
      v_h := v_h + 1; v_mi := 0;
      if v_h > 23 then v_d := v_d + 1; v_h := 0; end if;
    end if;
  end loop;
end;
$$;

-- The next occurrence of an expression in a timezone strictly after p_after.
-- Refuses an invalid expression (invalid_cron); an unknown timezone raises 22023.
create function private.cron_next(p_expr text, p_timezone text, p_after timestamptz)
returns timestamptz
language plpgsql
stable
parallel safe
set search_path = ''
as $$
declare
  v_spec private.cron_spec := private.parse_cron(p_expr);
begin
  if v_spec is null then
    perform private.raise_error('invalid_cron', pg_catalog.format(
      'cron expression %L is not a valid 5-field expression (minute hour day month weekday)',
      pg_catalog.left(p_expr, 100)));
  end if;
  -- The timezone is not checked here: schedules are validated with private.is_valid_timezone on
  -- insert, and scanning pg_timezone_names (or a subtransaction) per evaluation is far too slow
  -- for the sweep and batch evaluation. An unknown zone fails with Postgres' own 22023.
  return private.cron_next_from_spec(v_spec, p_timezone, p_after);
end;
$$;
comment on function private.cron_next is
  'Next occurrence of a 5-field cron expression, as wall-clock time in an IANA timezone, strictly after p_after (DST policy: see the migration header); null if none within search_years.';

-- Up to p_count occurrences strictly after p_after and before p_end_at (if given).
create function private.cron_next_runs(
  p_expr text,
  p_timezone text,
  p_after timestamptz,
  p_count integer,
  p_end_at timestamptz default null
) returns timestamptz[]
language plpgsql
stable
parallel safe
set search_path = ''
as $$
declare
  v_runs timestamptz[] := '{}';
  v_next timestamptz := p_after;
begin
  if p_count is null or p_count < 0 or p_count > 1000 then
    perform private.raise_error('invalid_argument', 'count must be 0 to 1000');
  end if;
  for i in 1..p_count loop
    v_next := private.cron_next(p_expr, p_timezone, v_next);
    exit when v_next is null or (p_end_at is not null and v_next >= p_end_at);
    v_runs := v_runs || v_next;
  end loop;
  return v_runs;
end;
$$;
comment on function private.cron_next_runs is 'Up to p_count occurrences after p_after and before p_end_at (exclusive).';

-- A schedule's expression and timezone, checked the same way on insert and on change.
create function private.validate_cron_and_timezone(p_cron_expression text, p_timezone text)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if not private.is_valid_cron(p_cron_expression) then
    perform private.raise_error('invalid_cron', pg_catalog.format(
      'cron expression %L is not a valid 5-field expression (minute hour day month weekday)',
      pg_catalog.left(p_cron_expression, 100)));
  end if;
  if p_timezone is null or not private.is_valid_timezone(p_timezone) then
    perform private.raise_error('invalid_timezone', pg_catalog.format(
      'timezone %L is not an IANA timezone name', p_timezone));
  end if;
end;
$$;


grant execute on function private.parse_cron(text), private.is_valid_cron(text) to authenticated, service_role;
