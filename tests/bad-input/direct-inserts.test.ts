// Generated invalid direct inserts into scheduled_sms_jobs and recurring_sms_schedules, made as
// PostgREST makes them (role authenticated, request.jwt.claims, the JSON body through
// json_populate_record): a valid row with one column replaced by a bad value (wrong JSON types,
// huge values, NUL and lone surrogates, SQL-looking text, bad crons, timezones and times), ws_other's
// workspace and sender, columns the service manages. Each is refused with a documented code (the
// catalogue's name in the HINT, or a documented SQLSTATE) and the database is unchanged.
import fc from "fast-check";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseErrorCodes } from "../../supabase/functions/_shared/error-codes.ts";
import { asUser, connect, seededUsers } from "../support/database.ts";
import {
  applyMutation, checkParameters, databaseChecksum, documentedInputErrorCodes, documentedPostgresCodes, inDays, invalidBody, invalidMediaUrl,
  invalidMetadata, invalidPhone, logSeed, type Mutation, mutationOf, otherSender, RequestCounter, sqlLooking,
} from "./support.ts";

const sql = connect();
const counter = new RequestCounter();

beforeAll(() => logSeed("direct-inserts"));
afterAll(async () => {
  const counts = counter.report("Direct inserts under RLS");
  await sql.end();
  expect(Object.keys(counts).sort()).toEqual(["recurring_sms_schedules", "scheduled_sms_jobs"]);
});

type Table = "scheduled_sms_jobs" | "recurring_sms_schedules";

/**
 * Inserts `row` as `userId` the way PostgREST does (the body's keys name the columns), expecting a
 * refusal with a documented code; the database must be unchanged either way.
 */
async function refuseInsert(table: Table, row: Record<string, unknown>, context: unknown, userId: string = seededUsers.demoOwner.id): Promise<void> {
  counter.add(table);
  const before = await databaseChecksum(sql);
  const columns = Object.keys(row);
  let refusal: unknown = null;
  const accepted = new Error("the insert was accepted (rolled back)");
  try {
    await asUser(sql, userId, async (tx) => {
      // The column names come from this file's fixed lists; the values travel as one JSON parameter.
      const list = columns.map((column) => `"${column.replaceAll('"', '""')}"`).join(", ");
      await tx.unsafe(`insert into public.${table} (${list})
        select ${list} from json_populate_record(null::public.${table}, $1::json)`, [tx.json(row as postgres.JSONValue)]);
      // Accepted: the assertion below fails; roll back so later suites never see the row.
      throw accepted;
    });
  } catch (error) {
    refusal = error;
  }
  const summary = JSON.stringify({ table, context, refusal: refusal instanceof postgres.PostgresError ? { code: refusal.code, hint: refusal.hint, message: refusal.message, where: refusal.where } : String(refusal) });
  expect(refusal, summary).toBeInstanceOf(postgres.PostgresError);
  if (refusal instanceof postgres.PostgresError) {
    const catalogued = refusal.hint !== undefined && Object.hasOwn(databaseErrorCodes, refusal.hint);
    if (catalogued) {
      expect(refusal.code, summary).toBe(databaseErrorCodes[refusal.hint as keyof typeof databaseErrorCodes].sqlstate);
    } else if (documentedInputErrorCodes.has(refusal.code)) {
      // Reading the request's values, not a failure inside a trigger or function of ours.
      expect(refusal.where ?? "", summary).not.toMatch(/PL\/pgSQL|SQL function/);
    } else {
      expect(documentedPostgresCodes.has(refusal.code), summary).toBe(true);
    }
  }
  expect(await databaseChecksum(sql), summary).toEqual(before);
}

/** Values for a column of type T given as JSON of another type, or text T cannot read. */
const wrongJsonType = fc.constantFrom<unknown>(true, { a: 1 }, [1, 2], "not a value");

const validJob = () => ({
  workspace_id: "ws_demo", to_phone: "+61412345678", from_number: "+15005550006", body: "Hello from a client app",
  media_urls: ["https://example.com/a.jpg"], metadata: { source: "bad-input" }, scheduled_time: inDays(2),
});

const foreignWorkspace = fc.constantFrom("ws_other", "ws_nonexistent", "", "WS_DEMO", "ws_demo\u0000", ...sqlLooking);

const badTimestamp = fc.oneof(
  fc.constantFrom("2027-02-30T10:00:00Z", "2027-13-01T00:00:00Z", "2027-01-01T25:00:00Z", "", "2027-01-01T00:00:00+99:99",
    "294277-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "2027-01-01T00:00:00Z\u0000", "2027-02-29", "next week", ...sqlLooking),
  wrongJsonType,
);

const jobBadValues: Record<string, fc.Arbitrary<unknown>> = {
  workspace_id: fc.oneof(foreignWorkspace, fc.constant(null)),
  to_phone: fc.oneof(invalidPhone.filter((p) => !/^\+[0-9]{7,15}$/.test(p)), fc.constantFrom(null, 61412345678)),
  from_number: fc.oneof(fc.constant(otherSender), invalidPhone.filter((p) => !/^\+[0-9]{7,15}$/.test(p)), fc.constantFrom("MGnot-a-sid", 15005550006)),
  body: fc.oneof(invalidBody, fc.constant(null)),
  media_urls: fc.oneof(invalidMediaUrl, fc.constantFrom(null, [["https://example.com/a.jpg"]], [["https://example.com/a.jpg"], "https://example.com/b.jpg"])),
  metadata: fc.oneof(invalidMetadata, fc.constantFrom("text", 42, true, [1])),
  category: fc.constantFrom<unknown>("promo", "", "Marketing", " marketing", "transactional\u0000", null, 1, true, ...sqlLooking),
  scheduled_time: fc.oneof(
    badTimestamp,
    fc.constantFrom("infinity", "-infinity", "1970-01-01T00:00:00Z", inDays(-1), inDays(366), inDays(365 * 300), "epoch"),
  ),
};

describe("scheduled_sms_jobs", () => {
  it("one bad column, an internal column, a missing required one", async () => {
    const internal = fc.constantFrom<[string, unknown]>(["status", "completed"], ["attempts", 5], ["twilio_sid", "SM123"],
      ["lease_owner", "me"], ["id", "job_mine"], ["created_by", seededUsers.otherOwner.id], ["max_attempts", 99],
      ["recurring_schedule_id", "sched_x"], ["message_status", "delivered"], ["completed_at", inDays(0)],
      ["sender_selection", "geo_match"], ["requested_time", inDays(0)], ["to_country", "GB"])
      .map(([field, value]): Mutation => ({ kind: "add", field, value }));
    const mutation = fc.oneof(
      { weight: 8, arbitrary: mutationOf(jobBadValues, ["workspace_id", "to_phone", "body"]).filter((m) => m.kind !== "add") },
      { weight: 2, arbitrary: internal },
    );
    await fc.assert(fc.asyncProperty(mutation, async (m) => {
      await refuseInsert("scheduled_sms_jobs", applyMutation(validJob(), m), m);
    }), checkParameters(110));
  });

  it("lone surrogates in text and JSON columns", async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom("to_phone", "body", "metadata", "from_number"), fc.constantFrom("\ud800", "\udfff", "x\udc00y"), async (field, poison) => {
      const value = field === "metadata" ? { note: poison } : `+6141234${poison}5678`;
      await refuseInsert("scheduled_sms_jobs", { ...validJob(), [field]: value }, { field, poison: [...poison].map((c) => c.charCodeAt(0)) });
    }), checkParameters(10));
  });

  it("a viewer's valid row, and a valid row for ws_other", async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom<[string, string]>(
      [seededUsers.demoViewer.id, "ws_demo"], [seededUsers.demoOwner.id, "ws_other"], [seededUsers.otherOwner.id, "ws_demo"],
    ), async ([userId, workspaceId]) => {
      const row = { ...validJob(), workspace_id: workspaceId, from_number: workspaceId === "ws_other" ? otherSender : "+15005550006" };
      await refuseInsert("scheduled_sms_jobs", row, { userId, workspaceId }, userId);
    }), checkParameters(6));
  });
});

const validSchedule = () => ({
  workspace_id: "ws_demo", to_phone: "+61412345678", from_number: "+15005550006", body: "Weekly reminder",
  media_urls: [], metadata: {}, cron_expression: "0 9 * * 1", timezone: "Australia/Brisbane",
  start_at: inDays(1), end_at: inDays(60), max_occurrences: 10,
});

const badCron = fc.oneof(
  fc.constantFrom("", "* * * *", "* * * * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * 32 * *", "* * * 13 *", "* * * * 8",
    "*/0 * * * *", "5-1 * * * *", "@daily", "@reboot", "0 9 31 2 *", "0 9 30 2 *", "L * * * *", "? * * * *", "0 9 * * MON-",
    "0 9 * * 1\u0000", "0\u200b 9 * * 1", "0 9 * * 1; drop table x", "١ * * * *", "99999999999 * * * *", "0 9 * * 1 ".repeat(50), ...sqlLooking),
  fc.array(fc.string({ maxLength: 4 }), { minLength: 0, maxLength: 9 }).map((fields) => fields.join(" "))
    .filter((expr) => /[^0-9*,/\-\sA-Za-z]/.test(expr) || expr.trim().split(/\s+/).length !== 5),
  fc.constantFrom<unknown>(null, 5, true, ["0", "9", "*", "*", "1"]),
);

const badTimezone = fc.oneof(
  fc.constantFrom("Mars/Olympus_Mons", "UTC+5", "+10:00", "Australia/Brisbane ", "australia/brisbane", "Australia\\Brisbane", "",
    "Europe/London\u0000", "Asia/Kolkata\u200b", "America/New York", "../etc/passwd", "GMT+25", ...sqlLooking),
  fc.string({ maxLength: 20 }).map((s) => `Nowhere/${s}`),
  fc.constantFrom<unknown>(5, true, { zone: "UTC" }),
);

const scheduleBadValues: Record<string, fc.Arbitrary<unknown>> = {
  workspace_id: foreignWorkspace,
  to_phone: jobBadValues.to_phone ?? fc.constant(null),
  from_number: jobBadValues.from_number ?? fc.constant(null),
  body: jobBadValues.body ?? fc.constant(null),
  metadata: jobBadValues.metadata ?? fc.constant(null),
  category: jobBadValues.category ?? fc.constant(null),
  cron_expression: badCron,
  timezone: badTimezone,
  start_at: fc.oneof(badTimestamp, fc.constantFrom("infinity", inDays(100_000), "275000-01-01T00:00:00Z", inDays(61))),
  end_at: fc.oneof(badTimestamp, fc.constantFrom("-infinity", inDays(-1), inDays(0.5), "1970-01-01T00:00:00Z")),
  max_occurrences: fc.oneof(fc.integer({ max: 0 }), fc.constantFrom(2 ** 31, 1e12, 1.5, "ten", true, -2147483648)),
};

describe("recurring_sms_schedules", () => {
  it("one bad column, an internal column, a missing required one", async () => {
    const internal = fc.constantFrom<[string, unknown]>(["status", "paused"], ["occurrences_count", 3], ["next_run_at", inDays(1)],
      ["last_run_at", inDays(-1)], ["missed_count", 1], ["ended_reason", "end_at"], ["id", "sched_mine"], ["sender_selection", "sticky"])
      .map(([field, value]): Mutation => ({ kind: "add", field, value }));
    const mutation = fc.oneof(
      { weight: 8, arbitrary: mutationOf(scheduleBadValues, ["workspace_id", "to_phone", "body", "cron_expression"]).filter((m) => m.kind !== "add") },
      { weight: 2, arbitrary: internal },
    );
    await fc.assert(fc.asyncProperty(mutation, async (m) => {
      await refuseInsert("recurring_sms_schedules", applyMutation(validSchedule(), m), m);
    }), checkParameters(110));
  });

  it("a start that never comes (infinite, or beyond the scheduling horizon) with no end", async () => {
    const start = fc.oneof(fc.constantFrom("infinity", "294276-12-31T00:00:00Z", "9999-12-31T23:59:59Z"),
      fc.integer({ min: 366, max: 365 * 5000 }).map((days) => inDays(days)));
    await fc.assert(fc.asyncProperty(start, fc.constantFrom("0 9 * * 1", "* * * * *", "0 0 29 2 *"), async (startAt, cron) => {
      const row = applyMutation({ ...validSchedule(), start_at: startAt, cron_expression: cron }, { kind: "drop", field: "end_at" });
      await refuseInsert("recurring_sms_schedules", row, { startAt, cron });
    }), checkParameters(12));
  });
});
