// Generated invalid requests to the POST endpoints (send-sms, schedule-delay, schedule-until,
// schedule-recurring, schedule-bulk, cancel-job, pause-job, resume-job): a valid spec-example body with one field replaced by a bad value, an unknown field
// added or a required field dropped; foreign workspaces, jobs, schedules and senders; malformed JSON, wrong
// content types, oversized bodies, wrong methods and bad tokens. Each answers a documented 4xx in
// the error envelope and leaves the database exactly as it was.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isStorableText } from "../../supabase/functions/_shared/api-schemas.ts";
import { apiLimits } from "../../supabase/functions/_shared/limits.ts";
import { type ApiServer, call, type CallOptions, startApiServer, tokens } from "../api/support/api-server.ts";
import { connect } from "../support/database.ts";
import {
  applyMutation, checkParameters, databaseChecksum, expectDocumentedRefusal, inDays, invalidBody, invalidCron, invalidDelayMinutes,
  invalidEndAt, invalidJobId, invalidMaxOccurrences, invalidMediaUrl, invalidMetadata, invalidPhone, invalidScheduledTime,
  invalidSender, invalidTimezone, invalidWorkspaceId, logSeed, type Mutation, mutationOf, RequestCounter, sqlLooking, unknownJobId,
  validMessage,
} from "./support.ts";

const sql = connect();
const counter = new RequestCounter();
let api: ApiServer;
let owner: string;
let otherJobId: string;
let otherScheduleId: string;
let demoJobId: string;

beforeAll(async () => {
  logSeed("post-endpoints");
  api = await startApiServer();
  owner = await tokens.owner();
  // A pending job of ws_other, far in the future: owner@demo.test may neither see nor cancel it.
  const [job] = await sql<{ id: string }[]>`
    insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, scheduled_time)
    values ('ws_other', '+61412345678', 'ws_other''s message', now() + interval '200 days') returning id`;
  if (job === undefined) throw new Error("no ws_other job");
  otherJobId = job.id;
  // ws_other's schedule, starting far ahead (no sweep touches it), and a pending one-off job of
  // ws_demo (which pause-job and resume-job refuse).
  const [schedule] = await sql<{ id: string }[]>`
    select id from private.create_recurring_schedule('ws_other', '+61412345678', 'ws_other''s reminder', '0 9 * * MON',
      p_start_at => now() + interval '200 days')`;
  const [demoJob] = await sql<{ id: string }[]>`
    insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, scheduled_time)
    values ('ws_demo', '+61412345678', 'ws_demo''s message', now() + interval '200 days') returning id`;
  if (schedule === undefined || demoJob === undefined) throw new Error("no ws_other schedule or ws_demo job");
  otherScheduleId = schedule.id;
  demoJobId = demoJob.id;
});

afterAll(async () => {
  const counts = counter.report("POST endpoints");
  await sql`delete from public.scheduled_sms_jobs where id = any (${[otherJobId, demoJobId]})`;
  await sql`delete from public.recurring_sms_schedules where id = ${otherScheduleId}`;
  await api.stop();
  await sql.end();
  expect(Object.keys(counts).sort()).toEqual(["cancel-job", "pause-job", "resume-job", "schedule-bulk", "schedule-delay",
    "schedule-recurring", "schedule-until", "send-sms"]);
});

/** Sends one invalid request, checks the documented refusal and that nothing changed. */
async function refuse(route: string, options: CallOptions, context: unknown = options.json): Promise<void> {
  counter.add(route);
  const before = await databaseChecksum(sql);
  const answer = await call(api.baseUrls.spec, route, { token: owner, ...options });
  expectDocumentedRefusal(answer, { route, context });
  expect(await databaseChecksum(sql), JSON.stringify({ route, context })).toEqual(before);
}

/** Categories the API does not know (it takes transactional or marketing only). */
const invalidCategory: fc.Arbitrary<unknown> = fc.constantFrom<unknown>("promo", "", "Marketing", "MARKETING", 1, null, true,
  ["marketing"], { category: "marketing" }, " transactional");

const messageBadValues = {
  to: invalidPhone,
  body: invalidBody,
  mediaUrl: invalidMediaUrl,
  workspaceId: invalidWorkspaceId,
  fromNumber: invalidSender,
  metadata: invalidMetadata,
  category: invalidCategory,
};
const messageRequired = ["to", "body", "workspaceId"] as const;

/** A valid schedule-bulk request: the message fields shared, two recipients. */
const validBulk = {
  workspaceId: "ws_demo", body: validMessage.body, fromNumber: validMessage.fromNumber,
  recipients: [{ to: "+61412345678" }, { to: "+61412345679", metadata: { row: 2 } }],
};

/**
 * Recipient lists schedule-bulk refuses as a whole (a recipient with a bad number is refused on its
 * own, in a 200 answer: that is not bad input).
 */
const invalidRecipients: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>([], "+61412345678", null, 42, {}, [null], ["+61412345678"], [{}], [{ to: 61412345678 }],
    [{ to: "+61412345678", extra: 1 }], [{ to: "+61412345678", metadata: [] }], [{ to: "+61412345678", variables: { a: "b" } }],
    [{ to: "x".repeat(apiLimits.bulk_recipient_to_max_chars + 1) }], [{ to: "+61412345678" }, 7]),
  invalidMetadata.map((metadata) => [{ to: "+61412345678", metadata }]),
  fc.constant(Array.from({ length: apiLimits.bulk_recipients_max + 1 }, (_, i) => ({ to: `+6141${String(i).padStart(7, "0")}` }))),
);

const endpoints: { route: string; valid: () => Record<string, unknown>; mutation: fc.Arbitrary<Mutation>; runs: number }[] = [
  { route: "send-sms", valid: () => ({ ...validMessage }), mutation: mutationOf(messageBadValues, messageRequired), runs: 90 },
  {
    route: "schedule-delay",
    valid: () => ({ ...validMessage, delayMinutes: 30 }),
    mutation: fc.oneof(
      mutationOf(messageBadValues, [...messageRequired, "delayMinutes"]),
      mutationOf({ delayMinutes: invalidDelayMinutes }, ["delayMinutes"]),
    ),
    runs: 70,
  },
  {
    route: "schedule-until",
    valid: () => ({ ...validMessage, scheduledTime: inDays(2) }),
    mutation: fc.oneof(
      mutationOf(messageBadValues, [...messageRequired, "scheduledTime"]),
      { weight: 2, arbitrary: mutationOf({ scheduledTime: invalidScheduledTime }, ["scheduledTime"]) },
    ),
    runs: 90,
  },
  {
    route: "schedule-recurring",
    valid: () => ({ ...validMessage, cron: "0 9 * * MON" }),
    mutation: fc.oneof(
      mutationOf(messageBadValues, [...messageRequired, "cron"]),
      {
        weight: 3,
        arbitrary: mutationOf({
          cron: invalidCron,
          timezone: invalidTimezone,
          startAt: invalidScheduledTime,
          endAt: invalidEndAt,
          maxOccurrences: invalidMaxOccurrences,
        }, ["cron"]),
      },
    ),
    runs: 150,
  },
  {
    route: "schedule-bulk",
    valid: () => ({ ...validBulk, delayMinutes: 30 }),
    mutation: fc.oneof(
      mutationOf({ body: invalidBody, mediaUrl: invalidMediaUrl, workspaceId: invalidWorkspaceId, fromNumber: invalidSender, category: invalidCategory,
        metadata: invalidMetadata, delayMinutes: invalidDelayMinutes, scheduledTime: invalidScheduledTime,
        atomic: fc.constantFrom<unknown>("true", 1, null, [], {}) }, ["body", "workspaceId", "recipients"]),
      { weight: 2, arbitrary: mutationOf({ recipients: invalidRecipients }, ["recipients"]) },
    ),
    runs: 90,
  },
];

describe("message endpoints: one bad field, an unknown field or a missing one", () => {
  it.each(endpoints)("$route", async ({ route, valid, mutation, runs }) => {
    await fc.assert(fc.asyncProperty(mutation, async (m) => {
      await refuse(route, { json: applyMutation(valid(), m) }, m);
    }), checkParameters(runs));
  });

  it("a field that is valid alone but wrong for ws_demo: ws_other's sender, ws_other as workspace", async () => {
    const foreign = fc.constantFrom<[string, Record<string, unknown>]>(
      ["send-sms", { ...validMessage, fromNumber: "+15017122661" }],
      ["send-sms", { ...validMessage, workspaceId: "ws_other" }],
      ["send-sms", { ...validMessage, workspaceId: "ws_other", fromNumber: "+15017122661" }],
      ["schedule-delay", { ...validMessage, workspaceId: "ws_other", fromNumber: "+15017122661", delayMinutes: 5 }],
      ["schedule-until", { ...validMessage, fromNumber: "+15017122661", scheduledTime: inDays(3) }],
      ["schedule-recurring", { ...validMessage, workspaceId: "ws_other", cron: "0 9 * * MON" }],
      ["schedule-recurring", { ...validMessage, fromNumber: "+15017122661", cron: "0 9 * * MON", timezone: "America/New_York" }],
      ["schedule-bulk", { ...validBulk, fromNumber: "+15017122661" }],
      ["schedule-bulk", { ...validBulk, workspaceId: "ws_other" }],
    );
    await fc.assert(fc.asyncProperty(foreign, async ([route, json]) => {
      await refuse(route, { json });
    }), checkParameters(10));
  });
});

describe("the generators of bad crons and timezones", () => {
  // The API leaves cron and timezone to the database; these keep the generators honest with it.
  const sample = (arbitrary: fc.Arbitrary<unknown>) => [...new Set(fc.sample(arbitrary, { numRuns: 400, seed: 1 }))]
    .filter((value): value is string => typeof value === "string" && isStorableText(value));

  it("every generated cron is one the database refuses (invalid, or matching no date)", async () => {
    const expressions = sample(invalidCron);
    const accepted = await sql<{ e: string }[]>`
      select e from unnest(${expressions}::text[]) e
      where case when private.is_valid_cron(e) then private.cron_next(e, 'UTC', now()) is not null else false end`;
    expect(accepted).toEqual([]);
    expect(expressions.length).toBeGreaterThan(100);
  });

  it("every generated timezone is unknown to the database", async () => {
    const names = sample(invalidTimezone);
    const known = await sql<{ tz: string }[]>`select tz from unnest(${names}::text[]) tz where private.is_valid_timezone(tz)`;
    expect(known).toEqual([]);
  });
});

describe("schedule-recurring: fields valid alone, wrong together", () => {
  it("endAt not after startAt; a window without any occurrence", async () => {
    const combination = fc.oneof(
      fc.tuple(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 86_400 * 30 })).map(([startDays, back]) => {
        const startAt = new Date(Date.now() + startDays * 86_400_000);
        return { startAt: startAt.toISOString(), endAt: new Date(startAt.getTime() - back * 1000).toISOString() };
      }),
      // The first of a month half a year away, but an end within days: no occurrence before endAt.
      fc.integer({ min: 1, max: 20 }).map((days) => ({
        cron: `0 0 1 ${((new Date().getUTCMonth() + 6) % 12) + 1} *`, endAt: inDays(days),
      })),
    );
    await fc.assert(fc.asyncProperty(combination, async (fields) => {
      await refuse("schedule-recurring", { json: { ...validMessage, cron: "0 9 * * MON", ...fields } });
    }), checkParameters(20));
  });
});

describe("cancel-job", () => {
  it("bad ids, unknown jobs, unknown fields, missing fields", async () => {
    const body = fc.oneof(
      invalidJobId.map((jobId) => ({ jobId, workspaceId: "ws_demo" })),
      unknownJobId.map((jobId) => ({ jobId, workspaceId: "ws_demo" })),
      fc.constantFrom("ws_demo", "ws_other").map((workspaceId) => ({ jobId: "batch_00000000000000000000000000000000", workspaceId })),
      invalidWorkspaceId.map((workspaceId) => ({ jobId: "job_00000000000000000000000000000000", workspaceId })),
      mutationOf({}, ["jobId", "workspaceId"]).map((m) => applyMutation({ jobId: "job_00000000000000000000000000000000", workspaceId: "ws_demo" }, m)),
      fc.constantFrom<unknown>([], [{ jobId: "job_1", workspaceId: "ws_demo" }], "job_1", 42, null, {}),
    );
    await fc.assert(fc.asyncProperty(body, async (json) => {
      await refuse("cancel-job", { json });
    }), checkParameters(60));
  });

  it("ws_other's job, named with either workspace", async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom("ws_demo", "ws_other"), fc.constantFrom("", " ", "\t"), async (workspaceId, pad) => {
      await refuse("cancel-job", { json: { jobId: otherJobId, workspaceId } });
      if (pad !== "") await refuse("cancel-job", { json: { jobId: `${otherJobId}${pad}`, workspaceId } });
    }), checkParameters(6));
    const [job] = await sql<{ status: string }[]>`select status::text from public.scheduled_sms_jobs where id = ${otherJobId}`;
    expect(job?.status).toBe("scheduled");
  });
});

describe("cancel-job, pause-job and resume-job of schedules", () => {
  const routes = ["cancel-job", "pause-job", "resume-job"] as const;

  it("bad ids, unknown jobs and schedules, unknown fields, missing fields", async () => {
    const body = fc.oneof(
      invalidJobId.map((jobId) => ({ jobId, workspaceId: "ws_demo" })),
      unknownJobId.map((jobId) => ({ jobId, workspaceId: "ws_demo" })),
      invalidWorkspaceId.map((workspaceId) => ({ jobId: "sched_00000000000000000000000000000000", workspaceId })),
      mutationOf({}, ["jobId", "workspaceId"]).map((m) => applyMutation({ jobId: "sched_00000000000000000000000000000000", workspaceId: "ws_demo" }, m)),
      fc.constantFrom<unknown>([], [{ jobId: "sched_1", workspaceId: "ws_demo" }], "sched_1", 42, null, {}),
    );
    await fc.assert(fc.asyncProperty(fc.constantFrom("pause-job", "resume-job"), body, async (route, json) => {
      await refuse(route, { json });
    }), checkParameters(80));
  });

  it("ws_other's schedule, named with either workspace, and a one-off job of ws_demo", async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(...routes), fc.constantFrom("ws_demo", "ws_other"), fc.constantFrom("", " ", "\t"),
      async (route, workspaceId, pad) => {
        await refuse(route, { json: { jobId: `${otherScheduleId}${pad}`, workspaceId } });
      }), checkParameters(12));
    await fc.assert(fc.asyncProperty(fc.constantFrom("pause-job", "resume-job"), async (route) => {
      await refuse(route, { json: { jobId: demoJobId, workspaceId: "ws_demo" } });
    }), checkParameters(2));
    const [schedule] = await sql<{ status: string }[]>`select status::text from public.recurring_sms_schedules where id = ${otherScheduleId}`;
    expect(schedule?.status).toBe("active");
  });
});

describe("transport: malformed JSON, content types, sizes, methods, tokens", () => {
  const postRoutes = ["send-sms", "schedule-delay", "schedule-until", "schedule-recurring", "cancel-job", "pause-job", "resume-job"] as const;
  /** With schedule-bulk, whose body limit is larger (tested on its own below). */
  const anyPostRoute = [...postRoutes, "schedule-bulk"] as const;

  it("bodies that are not JSON (or not UTF-8)", async () => {
    const notJson = fc.oneof(
      fc.string({ maxLength: 60 }).filter((text) => {
        try {
          JSON.parse(text);
          return false;
        } catch {
          return true;
        }
      }),
      fc.integer({ min: 1, max: JSON.stringify(validMessage).length - 1 }).map((cut) => JSON.stringify(validMessage).slice(0, cut)),
      fc.constantFrom("{'to': '+61412345678'}", '{"to": "+61412345678",}', "NaN", "{\"a\":1}{\"b\":2}", "\ufeff{}", "{\"a\": 01}",
        "[".repeat(70_000)),
    ).map((text): string | Uint8Array => text);
    const invalidUtf8 = fc.uint8Array({ minLength: 1, maxLength: 20 })
      .map((bytes) => Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, ...bytes, 0xff, 0xfe, 0x22, 0x7d]));
    await fc.assert(fc.asyncProperty(fc.constantFrom(...anyPostRoute), fc.oneof(notJson, invalidUtf8), async (route, rawBody) => {
      await refuse(route, { rawBody, headers: { "Content-Type": "application/json" } }, typeof rawBody === "string" ? rawBody.slice(0, 100) : [...rawBody]);
    }), checkParameters(40));
  });

  it("content types other than JSON", async () => {
    const contentType = fc.constantFrom("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
      "application/jsonp", "application/json-patch+json", "application/xml", "text/json", "application", "", "*/*", "application/ json");
    await fc.assert(fc.asyncProperty(fc.constantFrom(...anyPostRoute), contentType, async (route, type) => {
      await refuse(route, { rawBody: JSON.stringify(validMessage), headers: type === "" ? {} : { "Content-Type": type } }, type);
    }), checkParameters(20));
  });

  it("bodies over 64 KB, by a little or a lot", async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(...postRoutes), fc.integer({ min: 1, max: 300_000 }), async (route, extra) => {
      const json = { ...validMessage, body: "x".repeat(apiLimits.request_body_max_bytes + extra) };
      await refuse(route, { json }, { bytes: apiLimits.request_body_max_bytes + extra });
    }), checkParameters(8));
  });

  it("schedule-bulk bodies over its own limit, by a little or a lot", async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 2_000_000 }), async (extra) => {
      const json = { ...validBulk, metadata: { pad: "x".repeat(apiLimits.bulk_request_body_max_bytes + extra) } };
      await refuse("schedule-bulk", { json }, { bytes: apiLimits.bulk_request_body_max_bytes + extra });
    }), checkParameters(4));
  });

  it("wrong methods and missing, malformed or foreign tokens", async () => {
    const variant = fc.oneof(
      fc.constant("GET").map((method): CallOptions => ({ method })),
      fc.constantFrom("PUT", "PATCH", "DELETE").map((method): CallOptions => ({ method, json: validMessage })),
      fc.constantFrom<string | null>(null, "", "not-a-jwt", "a.b.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", ...sqlLooking)
        .map((token): CallOptions => ({ token, json: validMessage })),
      fc.constantFrom("Basic dXNlcjpwYXNz", "Bearer", "bearer  ", "Token abc").map((authorization): CallOptions => ({ token: null, headers: { Authorization: authorization }, json: validMessage })),
    );
    await fc.assert(fc.asyncProperty(fc.constantFrom(...anyPostRoute), variant, async (route, options) => {
      await refuse(route, options, { method: options.method, token: options.token, headers: options.headers });
    }), checkParameters(24));
  });

  it("a viewer may not send or cancel", async () => {
    const viewer = await tokens.viewer();
    await fc.assert(fc.asyncProperty(fc.constantFrom<[string, Record<string, unknown>]>(
      ["send-sms", validMessage],
      ["schedule-delay", { ...validMessage, delayMinutes: 10 }],
      ["schedule-until", { ...validMessage, scheduledTime: inDays(1) }],
      ["schedule-recurring", { ...validMessage, cron: "0 9 * * MON" }],
      ["schedule-bulk", validBulk],
      ["cancel-job", { jobId: "job_00000000000000000000000000000000", workspaceId: "ws_demo" }],
      ["cancel-job", { jobId: "batch_00000000000000000000000000000000", workspaceId: "ws_demo" }],
      ["cancel-job", { jobId: "sched_00000000000000000000000000000000", workspaceId: "ws_demo" }],
      ["pause-job", { jobId: "sched_00000000000000000000000000000000", workspaceId: "ws_demo" }],
      ["resume-job", { jobId: "sched_00000000000000000000000000000000", workspaceId: "ws_demo" }],
    ), async ([route, json]) => {
      await refuse(route, { token: viewer, json });
    }), checkParameters(10));
  });
});
