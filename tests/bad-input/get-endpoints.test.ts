// Generated invalid requests to the GET endpoints (job-status, jobs incl. kind): a valid query with one
// parameter replaced by a bad value, an unknown parameter added, a required one dropped or one
// repeated; forged cursors; ws_other's jobs and workspace; bad tokens. Each answers a documented
// 4xx in the error envelope and leaves the database exactly as it was.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, call, startApiServer, tokens } from "../api/support/api-server.ts";
import { connect } from "../support/database.ts";
import {
  checkParameters, databaseChecksum, expectDocumentedRefusal, logSeed, poisonCharacters,
  RequestCounter, sqlLooking, unknownFieldName, unknownJobId,
} from "./support.ts";

const sql = connect();
const counter = new RequestCounter();
let api: ApiServer;
let owner: string;
let otherJobId: string;

beforeAll(async () => {
  logSeed("get-endpoints");
  api = await startApiServer();
  owner = await tokens.owner();
  const [job] = await sql<{ id: string }[]>`
    insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, scheduled_time)
    values ('ws_other', '+61412345678', 'ws_other''s message', now() + interval '200 days') returning id`;
  if (job === undefined) throw new Error("no ws_other job");
  otherJobId = job.id;
});

afterAll(async () => {
  const counts = counter.report("GET endpoints");
  await sql`delete from public.scheduled_sms_jobs where id = ${otherJobId}`;
  await api.stop();
  await sql.end();
  expect(Object.keys(counts).sort()).toEqual(["job-status", "jobs"]);
});

/** A raw query string, so parameters can repeat and hold any text. */
type Query = [string, string][];

async function refuse(route: string, query: Query, token: string | null = owner): Promise<void> {
  counter.add(route);
  const before = await databaseChecksum(sql);
  const answer = await call(api.baseUrls.spec, route, { token, query });
  expectDocumentedRefusal(answer, { route, query });
  expect(await databaseChecksum(sql), JSON.stringify({ route, query })).toEqual(before);
}

const badWorkspaceId = fc.oneof(
  fc.constantFrom("ws_other", "ws_nonexistent", "", "demo", "ws_demo ", "ws_demo\u0000", "ws_dem\u200bo", `ws_${"a".repeat(65)}`,
    "ws_demo,ws_other", ...sqlLooking),
  fc.stringMatching(/^ws_[A-Za-z0-9_-]{1,64}$/).filter((id) => id !== "ws_demo"),
);
const badJobId = fc.oneof(
  unknownJobId,
  fc.constantFrom("", "job 1", "job_1;", "a".repeat(101), "ジョブ", ...poisonCharacters.map((c) => `job_${c}`), ...sqlLooking),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 }).filter((s) => !/^[A-Za-z0-9_-]{1,100}$/.test(s)),
);

/** One change to a valid query: a bad value, an unknown or repeated parameter, a dropped required one. */
function queryMutation(valid: Query, badValues: Record<string, fc.Arbitrary<string>>, required: readonly string[]): fc.Arbitrary<Query> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.oneof(...Object.entries(badValues).map(([name, value]) => value.map((v): Query =>
      valid.some(([key]) => key === name) ? valid.map(([key, old]) => [key, key === name ? v : old]) : [...valid, [name, v]]))) },
    { weight: 2, arbitrary: fc.tuple(unknownFieldName, fc.string({ maxLength: 10 })).map(([name, v]): Query => [...valid, [name, v]]) },
    { weight: 1, arbitrary: fc.constantFrom(...required).map((name): Query => valid.filter(([key]) => key !== name)) },
    { weight: 1, arbitrary: fc.constantFrom(...valid.map(([key]) => key)).map((name): Query => [...valid, [name, valid.find(([key]) => key === name)?.[1] ?? ""]]) },
  );
}

describe("job-status", () => {
  it("bad, unknown, foreign, missing and repeated parameters", async () => {
    const valid: Query = [["jobId", "job_00000000000000000000000000000000"], ["workspaceId", "ws_demo"]];
    await fc.assert(fc.asyncProperty(queryMutation(valid, { jobId: badJobId, workspaceId: badWorkspaceId }, ["jobId", "workspaceId"]), async (query) => {
      await refuse("job-status", query);
    }), checkParameters(70));
  });

  it("ws_other's job is not found in ws_demo and forbidden in ws_other", async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom("ws_demo", "ws_other"), fc.constantFrom("", "%20", " "), async (workspaceId, pad) => {
      await refuse("job-status", [["jobId", `${otherJobId}${pad}`], ["workspaceId", workspaceId]]);
    }), checkParameters(6));
  });
});

/** Not an instant: no offset, impossible, unparseable, outside years 1-9999. */
const badQueryTime = fc.oneof(
  fc.constantFrom("yesterday", "now", "", "null", "2027-02-30T00:00:00Z", "2027-02-29T00:00:00+10:00", "2026-04-31T00:00:00Z",
    "2027-01-01T00:00:00", "2027-01-01", "2027-01-01 00:00:00+00:00", "2027-01-01T25:00:00Z", "2027-01-01T00:00:00+99:99",
    "0000-01-01T00:00:00Z", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "+275760-09-13T00:00:00Z",
    "2027-01-01T00:00:00Z\u0000", "2027-01-01T00:00:00\u200bZ", "١٩٧٠-01-01T00:00:00Z", "1700000000", ...sqlLooking),
  fc.string({ maxLength: 30 }).filter((t) => !/^\d{4}-\d{2}-\d{2}T/.test(t)),
  fc.date({ noInvalidDate: true, min: new Date(Date.UTC(1, 0, 1)), max: new Date(Date.UTC(9999, 0, 1)) })
    .map((date) => date.toISOString().replace(/\.\d{3}Z$/, "")),
);

/** Cursors that this endpoint never returned: random text, base64 of JSON of the wrong shape or values. */
const base64url = (text: string): string => Buffer.from(text, "utf8").toString("base64url");
const forgedCursor = fc.oneof(
  fc.string({ minLength: 1, maxLength: 60 }),
  fc.jsonValue({ maxDepth: 3 }).map((value) => base64url(JSON.stringify(value))),
  fc.tuple(
    fc.constantFrom("1", "2026", "Tue", "2026-02-30 00:00:00+00", "0000-01-01 00:00:00+00", "275760-09-13 00:00:00+00",
      "2026-11-28T10:00:00Z", "2026-11-28 25:00:00+00", "2026-11-28 10:00:00+99", "infinity", "-infinity", "2026-11-28 10:00:00\u0000+00",
      "March 7, 2026", "2026-11-28 10:00:00+00'; drop table x; --"),
    fc.constantFrom("job_1", "", "job\u0000", "\ud800", "' or 1=1 --", "a".repeat(101)),
  ).map(([time, id]) => base64url(JSON.stringify([time, id]))),
  fc.constantFrom(base64url("[]"), base64url('["2026-11-28 10:00:00+00"]'), base64url('["2026-11-28 10:00:00+00","job_1",3]'),
    base64url('{"scheduledTime":"2026-11-28 10:00:00+00","id":"job_1"}'), "=", "====", "%%%", "a".repeat(501)),
);

describe("jobs: statuses of another kind", () => {
  it("schedule statuses for jobs, job statuses for schedules", async () => {
    const mismatch = fc.oneof(
      fc.subarray(["active", "paused", "ended"], { minLength: 1 }).map((statuses): Query => [["workspaceId", "ws_demo"], ["status", statuses.join(",")]]),
      fc.subarray(["active", "paused", "ended"], { minLength: 1 }).map((statuses): Query => [["workspaceId", "ws_demo"], ["kind", "job"], ["status", statuses.join(",")]]),
      fc.subarray(["scheduled", "queued", "processing", "retrying", "completed", "failed"], { minLength: 1 })
        .map((statuses): Query => [["workspaceId", "ws_demo"], ["kind", "recurring"], ["status", statuses.join(",")]]),
    );
    await fc.assert(fc.asyncProperty(mismatch, async (query) => {
      await refuse("jobs", query);
    }), checkParameters(15));
  });
});

describe("jobs", () => {
  it("bad, unknown, foreign, missing and repeated parameters", async () => {
    const valid: Query = [["workspaceId", "ws_demo"], ["status", "queued,scheduled"], ["limit", "10"]];
    const badValues = {
      workspaceId: badWorkspaceId,
      status: fc.oneof(fc.constantFrom("", ",", "queued,", "sent", "QUEUED", "queued;scheduled", "queued, scheduled", "delivered", "queued\u0000", ...sqlLooking),
        fc.string({ maxLength: 20 }).filter((s) => !s.split(",").every((p) => ["scheduled", "queued", "processing", "retrying", "completed", "failed", "cancelled"].includes(p)))),
      limit: fc.oneof(fc.constantFrom("0", "201", "-1", "1.5", "1e2", "", " 10", "0x10", "99999", "10000000000000000000000", "ten", "١٠"),
        fc.integer({ min: 201 }).map(String), fc.integer({ max: 0 }).map(String)),
      from: badQueryTime,
      to: badQueryTime,
      cursor: forgedCursor,
      kind: fc.oneof(fc.constantFrom("", "jobs", "Job", "ALL", "schedule", "recurring,job", "all ", "job\u0000", ...sqlLooking),
        fc.string({ maxLength: 12 }).filter((k) => !["job", "recurring", "all"].includes(k))),
    };
    await fc.assert(fc.asyncProperty(queryMutation(valid, badValues, ["workspaceId"]), async (query) => {
      await refuse("jobs", query);
    }), checkParameters(90));
  });

  it("from not before to", async () => {
    const instant = fc.integer({ min: 0, max: 365 * 86_400 }).map((s) => new Date(Date.UTC(2026, 0, 1) + s * 1000));
    await fc.assert(fc.asyncProperty(instant, fc.integer({ min: 0, max: 86_400 * 30 }), async (to, back) => {
      const from = new Date(to.getTime() + back * 1000);
      await refuse("jobs", [["workspaceId", "ws_demo"], ["from", from.toISOString()], ["to", to.toISOString()]]);
    }), checkParameters(10));
  });

  it("bad tokens and a viewer of another workspace", async () => {
    const otherOwner = await tokens.otherOwner();
    await fc.assert(fc.asyncProperty(fc.constantFrom("jobs", "job-status"), fc.constantFrom<string | null>(null, "", "x.y.z", "Bearer", otherOwner), async (route, token) => {
      await refuse(route, [["jobId", "job_00000000000000000000000000000000"], ["workspaceId", "ws_demo"]].slice(route === "jobs" ? 1 : 0) as Query, token);
    }), checkParameters(10));
  });
});
