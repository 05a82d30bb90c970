// Shared by the bad-input suite: the documented error catalogue as an oracle, a checksum of every
// table a bad request could touch, fast-check settings (seed printed on failure), a per-endpoint
// counter of generated invalid requests, and arbitraries of deliberately invalid values.
import fc from "fast-check";
import { expect } from "vitest";
import { apiErrorCodes, databaseErrorCodes, type ErrorCode, httpStatusOf } from "../../supabase/functions/_shared/error-codes.ts";
import { apiLimits, databaseLimits } from "../../supabase/functions/_shared/limits.ts";
import type { Sql } from "../support/database.ts";
import type { ApiAnswer } from "../api/support/api-server.ts";

/** Every code an API error may carry (supabase/functions/_shared/error-codes.ts). */
export const documentedCodes: ReadonlySet<string> = new Set([...Object.keys(apiErrorCodes), ...Object.keys(databaseErrorCodes)]);

/**
 * What a direct insert may be refused with besides a catalogued code (in the HINT): README,
 * "Error codes": 42501 (a column or row the caller may not write), 23502 (null for a required
 * column) and Postgres's input errors for values a column's type cannot read (PostgREST answers
 * 400). The input errors count only when raised reading the values, never inside our functions.
 */
export const documentedPostgresCodes: ReadonlySet<string> = new Set(["42501", "23502"]);
export const documentedInputErrorCodes: ReadonlySet<string> = new Set(["22P02", "22007", "22008", "22009", "22003", "22021", "22P05"]);

/** The tables a refused request must leave as they were: row counts and a checksum of the rows. */
export async function databaseChecksum(sql: Sql): Promise<Record<string, string>> {
  const [row] = await sql<Record<string, string>[]>`
    select
      (select count(*) || ':' || coalesce(sum(hashtextextended(t::text, 0)), 0) from public.scheduled_sms_jobs t) as jobs,
      (select count(*) || ':' || coalesce(sum(hashtextextended(t::text, 0)), 0) from public.sms_job_events t) as events,
      (select count(*) || ':' || coalesce(sum(hashtextextended(t::text, 0)), 0) from public.recurring_sms_schedules t) as schedules,
      (select count(*) || ':' || coalesce(sum(hashtextextended(t::text, 0)), 0) from public.recurring_sms_schedule_events t) as schedule_events,
      (select count(*) || ':' || coalesce(sum(hashtextextended(t::text, 0)), 0) from public.sms_opt_outs t) as opt_outs`;
  if (row === undefined) throw new Error("checksum query returned no row");
  return row;
}

/** An API refusal as documented: 4xx, the envelope, a catalogued code whose status it is. */
export function expectDocumentedRefusal(answer: ApiAnswer, context: unknown): void {
  const summary = { context, status: answer.status, body: answer.body };
  expect(answer.status, JSON.stringify(summary)).toBeGreaterThanOrEqual(400);
  expect(answer.status, JSON.stringify(summary)).toBeLessThan(500);
  expect(answer.body.success, JSON.stringify(summary)).toBe(false);
  const error = answer.body.error;
  expect(typeof error?.code, JSON.stringify(summary)).toBe("string");
  expect(typeof error?.message, JSON.stringify(summary)).toBe("string");
  expect(documentedCodes.has(error?.code ?? ""), JSON.stringify(summary)).toBe(true);
  expect(httpStatusOf(error?.code as ErrorCode), JSON.stringify(summary)).toBe(answer.status);
}

/** Generated invalid requests, by endpoint (printed by each file's afterAll). */
export class RequestCounter {
  private readonly counts = new Map<string, number>();

  add(endpoint: string): void {
    this.counts.set(endpoint, (this.counts.get(endpoint) ?? 0) + 1);
  }

  report(title: string): Record<string, number> {
    const table = Object.fromEntries([...this.counts.entries()].sort());
    const total = [...this.counts.values()].reduce((sum, n) => sum + n, 0);
    console.log(`${title}: ${total} generated invalid requests ${JSON.stringify(table)}`);
    return table;
  }

  total(): number {
    return [...this.counts.values()].reduce((sum, n) => sum + n, 0);
  }
}

/**
 * fast-check settings: BAD_INPUT_SEED replays a failure (fast-check prints the seed and path of a
 * failing run; the seed of each file is also logged up front).
 */
const baseSeed = process.env.BAD_INPUT_SEED === undefined ? Date.now() % 2_147_483_647 : Number(process.env.BAD_INPUT_SEED);
export function checkParameters(numRuns: number): fc.Parameters<unknown> {
  return { numRuns, seed: baseSeed, endOnFailure: true };
}
export function logSeed(file: string): void {
  console.log(`${file}: fast-check seed ${baseSeed} (replay with BAD_INPUT_SEED=${baseSeed})`);
}

// ---------------------------------------------------------------------------------------------
// Values: the valid request of the spec's examples, and deliberately invalid replacements.

export const demoSender = "+15005550006";
/** ws_other's sender: owner@demo.test may not use it. */
export const otherSender = "+15017122661";
export const validMessage = { to: "+61412345678", body: "Hello from the bad-input suite", workspaceId: "ws_demo", fromNumber: demoSender };

export const inDays = (days: number): string => new Date(Date.now() + days * 86_400_000).toISOString();

/** A value of a JSON type other than string. */
export const notAString: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);

/** Characters no text field may hold. */
export const poisonCharacters = ["\u0000", "\ud800", "\udfff", "\udc00x\ud83d"] as const;

export const sqlLooking = [
  "'; drop table public.scheduled_sms_jobs; --",
  "' or '1'='1",
  "1; select pg_sleep(10)",
  "$$; delete from public.sms_job_events; $$",
  "\\x00'||(select current_user)||'",
  "ws_demo' --",
  "%27%20OR%201%3D1",
] as const;

/** Decorations that turn a valid number into an invalid one: emoji, NUL, zero-width, RTL, SQL. */
const phoneJunk = ["😀", "\u0000", "\u200b", "\u202e", "\u200f", "\ufeff", "\ud800", " ext. 5", "x1", ";drop table x",
  "'--", "\u0661", "\uff18", "#", "*", "/", "+"] as const;

/** Strings that are no valid recipient (international, allocated, digits and formatting only). */
export const invalidPhone: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("", "+", "+1234567890", "+1987654321", "0412345678", "61412345678", "+61", "+0000000000",
    "+61 4", "++61412345678", "+999999999999999999", "＋61412345678", "+٦١٤١٢٣٤٥٦٧٨", "+6141234567８",
    "\u202e+61412345678", "+61412345678\n+61412345679", "tel:+61412345678", ...sqlLooking),
  fc.tuple(fc.constantFrom(...phoneJunk), fc.integer({ min: 0, max: 12 }))
    .map(([junk, at]) => `+61412345678`.slice(0, at + 1) + junk + `+61412345678`.slice(at + 1)),
  fc.stringMatching(/^\+[0-9]{16,40}$/),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 }).filter((s) => !/^[+\s\d().-]*$/.test(s)).map((s) => `+61412${s}345678`),
);

const blank = fc.stringMatching(/^[ \t\r\n]{0,20}$/);

/** Message bodies refused everywhere: blank, over 1600 code points, or holding a NUL or lone surrogate. */
export const invalidBody: fc.Arbitrary<string> = fc.oneof(
  blank,
  fc.integer({ min: databaseLimits.body_max_chars + 1, max: databaseLimits.body_max_chars + 400 })
    .chain((length) => fc.constantFrom("x", "😀", "ש", "\u200b", "é").map((unit) => unit.repeat(length))),
  fc.tuple(fc.string({ maxLength: 20 }), fc.constantFrom(...poisonCharacters), fc.string({ maxLength: 20 }))
    .map(([a, poison, b]) => `Hi ${a}${poison}${b}`),
);

const httpsUrl = "https://example.com/picture.jpg";
export const invalidMediaUrl: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom("http://example.com/a.jpg", "ftp://example.com/a.jpg", "https://", "https:///a.jpg", "javascript:alert(1)",
    "https://exa mple.com/a.jpg", "//example.com/a.jpg", "example.com/a.jpg", "", "https://example.com/\u0000.jpg",
    "HTTPS://example.com/a.jpg", "data:image/png;base64,AAAA", ...sqlLooking),
  fc.integer({ min: databaseLimits.media_url_max_chars - 19, max: databaseLimits.media_url_max_chars + 100 })
    .map((length) => `https://example.com/${"a".repeat(length)}`),
  fc.integer({ min: databaseLimits.media_urls_max + 1, max: 40 }).map((n) => Array.from({ length: n }, (_, i) => `${httpsUrl}?${i}`)),
  fc.array(fc.oneof(fc.integer(), fc.constant(null), fc.constant(["https://example.com/nested.jpg"])), { minLength: 1, maxLength: 3 }),
  fc.constantFrom(42, true, { url: httpsUrl }),
);

/** Workspace ids owner@demo.test may not use: malformed, foreign, missing (uuids and slugs alike). */
export const invalidWorkspaceId: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom("ws_other", "ws_nonexistent", "ws_demo2", "demo", "WS_DEMO", "ws_", "ws_demo ", " ws_demo", "ws_demo\u0000",
    "ws_dem\u200bo", "ws_démo", "a".repeat(65), `ws_${"a".repeat(62)}`, "{9b2f6c1e-3a4d-4e5f-8a7b-1c2d3e4f5a6b}", ...sqlLooking),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/).filter((id) => id !== "ws_demo"),
  fc.uuid(),
  notAString,
);

/** Senders owner@demo.test may not use in ws_demo. */
export const invalidSender: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(otherSender),
  fc.constantFrom("MG00000000000000000000000000000000", "MGXYZ", "mg0123456789abcdef0123456789abcdef", "+61412345678"),
  fc.stringMatching(/^MG[0-9a-f]{32}$/),
  invalidPhone,
  notAString.filter((value) => value !== null),
);

export const invalidMetadata: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, [], [1, 2], "text", 42, true),
  // Over the size limit, by a little or a lot.
  fc.integer({ min: databaseLimits.metadata_max_bytes - 5, max: databaseLimits.metadata_max_bytes + 2000 })
    .map((length) => ({ note: "m".repeat(length) })),
  // Deep nesting over the size limit.
  fc.integer({ min: 400, max: 900 }).map((depth) => {
    let value: unknown = "leaf";
    for (let i = 0; i < depth; i += 1) value = { level_of_nesting_key: value };
    return value;
  }),
  // NUL and lone surrogates in keys or values (jsonb cannot hold them).
  fc.tuple(fc.constantFrom(...poisonCharacters), fc.boolean())
    .map(([poison, inKey]) => (inKey ? { [`k${poison}`]: "v" } : { key: `v${poison}` })),
  fc.constantFrom(...poisonCharacters).map((poison) => ({ nested: { list: ["ok", `bad${poison}`] } })),
);

export const invalidDelayMinutes: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ max: apiLimits.delay_minutes_min - 1 }),
  fc.integer({ min: apiLimits.delay_minutes_max + 1 }),
  fc.double({ min: 1.000001, max: 1000, noNaN: true }).filter((n) => !Number.isInteger(n)),
  fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 31, -0.5, 5e-324, "5", "1e3", "", null, true, [5], { minutes: 5 }),
);

/** Times schedule-until refuses: no offset, impossible, unparseable, past, too far, absurd years. */
export const invalidScheduledTime: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    "2027-05-11T16:00:00", "2027-05-11 16:00:00+10:00", "2027-05-11", "2027-05-11T16:00+1000", "2027-05-11T16:00:00+10",
    "2027-02-29T10:00:00Z", "2027-02-30T10:00:00Z", "2027-04-31T10:00:00+10:00", "2027-13-01T00:00:00Z", "2027-00-10T00:00:00Z",
    "2027-01-00T00:00:00Z", "2027-01-01T25:00:00Z", "2027-01-01T00:60:00Z", "2027-01-01T00:00:60Z", "2027-01-01T00:00:00+99:99",
    "2027-01-01T00:00:00+24:00", "2027-01-01T00:00:00z", "2027-W01-1T00:00:00Z", "+275760-09-13T00:00:00Z",
    "9999-12-31T23:59:59-14:00", "0000-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "2025-05-11T16:00:00+10:00",
    "tomorrow", "now", "", "١٩٧٠-01-01T00:00:00Z", "2027-01-01T00:00:00Z\u0000", "2027-01-01T00:00:00\u200bZ", ...sqlLooking),
  fc.integer({ min: 366, max: 365 * 1000 }).map((days) => inDays(days)),
  fc.integer({ min: 1, max: 365 * 100 }).map((days) => inDays(-days)),
  fc.integer({ min: 2, max: 1440 }).map((minutes) => new Date(Date.now() - minutes * 60_000).toISOString()),
  fc.constantFrom(Date.now() + 86_400_000, null, true, [inDays(1)], { at: inDays(1) }),
);

/**
 * Cron expressions schedule-recurring refuses: not 5 fields, out of range, foreign syntax, never
 * matching, too long. The database judges them (post-endpoints.test.ts checks it refuses each).
 */
export const invalidCron: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom("", " ", "* * * *", "* * * * * *", "0 9 * * MON *", "60 * * * *", "0 24 * * *", "0 0 0 * *", "0 0 32 * *",
    "0 0 * 13 *", "0 0 * 0 *", "0 0 * * 8", "5-1 * * * *", "*/0 * * * *", "0 9 * * MON-", "0 9 * * MONDAY",
    "@daily", "@reboot", "0 9 ? * MON", "0 9 L * *", "0 9 * * 1#2", "0 9 W * *", "H 9 * * *", "0 0 31 2 *", "0 0 30 2 *",
    "0 0 31 4,6,9,11 *", "0 9 * * MON\u0000", "0 9 * * ١", "0\u00a09 * * *", "0 9 * * MON; drop table x", "1,,2 * * * *",
    "* * * * * * * * * *", `${"1,".repeat(120)}1 * * * *`, ...sqlLooking),
  fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 60, max: 999 })).map(([field, value]) =>
    ["0", "9", "*", "*", "*"].map((part, i) => (i === field ? String(value) : part)).join(" ")),
  // A character no cron field may hold (fc.string's characters are printable ASCII).
  fc.tuple(fc.string({ maxLength: 15 }), fc.constantFrom(..."!\"#$%&'()+.:;<=>?@[\\]^_`{|}~"), fc.string({ maxLength: 15 }))
    .map(([before, odd, after]) => `${before}${odd}${after}`),
  notAString,
);

/** Timezones schedule-recurring refuses: unknown names, offsets, padding, poison characters. */
export const invalidTimezone: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom("", " ", "Mars/Olympus_Mons", "+05:30", "-0800", "Z", "Australia/Sydney ", " Europe/London", "Europe/Lon don",
    "America/New_York\u0000", "Asia/Kolkata\u200b", "../../etc/passwd", "Europe/London;drop", "a".repeat(65), ...sqlLooking),
  fc.stringMatching(/^Zz[a-z]{1,8}\/[A-Z][a-z]{1,10}$/),
  fc.string({ maxLength: 30 }).filter((text) => !/^[A-Za-z][A-Za-z0-9_+/-]{0,63}$/.test(text)),
  notAString,
);

/** endAt values refused with no startAt: not an instant with an offset, or not in the future. */
export const invalidEndAt: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom("2027-05-11T16:00:00", "2027-05-11", "2027-02-30T10:00:00Z", "2027-01-01T25:00:00Z", "2027-01-01T00:00:00+99:99",
    "0000-01-01T00:00:00Z", "+275760-09-13T00:00:00Z", "tomorrow", "never", "", "2025-05-11T16:00:00+10:00", ...sqlLooking),
  fc.integer({ min: 1, max: 365 * 100 }).map((days) => inDays(-days)),
  fc.constantFrom(Date.now() + 86_400_000, null, true, [inDays(30)], { at: inDays(30) }),
);

export const invalidMaxOccurrences: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ max: 0 }),
  fc.integer({ min: apiLimits.max_occurrences_max + 1 }),
  fc.double({ min: 1.000001, max: 1000, noNaN: true }).filter((n) => !Number.isInteger(n)),
  fc.constantFrom(2 ** 31, 1e308, -0.5, "3", "", null, true, [3], { times: 3 }),
);

export const invalidJobId: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom("", "job 1", "job_1;", "job_\u0000", "job_\u200b1", "ジョブ", "a".repeat(101), "../job_1", ...sqlLooking),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }).filter((s) => !/^[A-Za-z0-9_-]{1,100}$/.test(s)),
  notAString,
);

/** Well-formed job ids that no job of ws_demo has. */
export const unknownJobId: fc.Arbitrary<string> = fc.oneof(
  fc.stringMatching(/^job_[0-9a-f]{32}$/),
  fc.stringMatching(/^sched_[0-9a-f]{32}$/),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,100}$/),
);

/** A key no request schema knows. */
export const unknownFieldName: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("priority", "status", "attempts", "twilio_sid", "workspace_id", "to_phone", "__proto__", "constructor",
    "TO", "Body", "body ", "media_url", "scheduled_time", "delay", "id", "jobID", "", "😀", "\u0000", "' or 1=1 --"),
  fc.string({ minLength: 1, maxLength: 20 }).map((s) => `x_${s}`),
);

/** An object with one field replaced by `bad`, one unknown field added, or one required field dropped. */
export type Mutation = { kind: "replace"; field: string; value: unknown } | { kind: "add"; field: string; value: unknown } | { kind: "drop"; field: string };

export function applyMutation(base: Record<string, unknown>, mutation: Mutation): Record<string, unknown> {
  if (mutation.kind === "drop") return Object.fromEntries(Object.entries(base).filter(([key]) => key !== mutation.field));
  const copy: Record<string, unknown> = { ...base };
  // defineProperty, so "__proto__" becomes an own key as JSON.parse would make it.
  Object.defineProperty(copy, mutation.field, { value: mutation.value, enumerable: true, configurable: true, writable: true });
  return copy;
}

/** Mutations of a valid body: each field's invalid values, unknown fields, dropped required fields. */
export function mutationOf(badValues: Record<string, fc.Arbitrary<unknown>>, required: readonly string[]): fc.Arbitrary<Mutation> {
  const replace = Object.entries(badValues).map(([field, value]) => value.map((v): Mutation => ({ kind: "replace", field, value: v })));
  const add = fc.tuple(unknownFieldName, fc.jsonValue({ maxDepth: 2 })).map(([field, value]): Mutation => ({ kind: "add", field, value }));
  const drop = fc.constantFrom(...required).map((field): Mutation => ({ kind: "drop", field }));
  if (replace.length === 0) return fc.oneof({ weight: 2, arbitrary: add }, { weight: 1, arbitrary: drop });
  return fc.oneof({ weight: 6, arbitrary: fc.oneof(...replace) }, { weight: 2, arbitrary: add }, { weight: 1, arbitrary: drop });
}
