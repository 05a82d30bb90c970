// Bad requests: each validation rule, malformed bodies, limits, methods and content types. Each
// answers a documented 4xx and leaves the database exactly as it was.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiLimits } from "../../supabase/functions/_shared/limits.ts";
import { connect } from "../support/database.ts";
import { type ApiServer, call, type CallOptions, startApiServer, tokens } from "./support/api-server.ts";

const sql = connect();
let api: ApiServer;
let owner: string;
beforeAll(async () => {
  api = await startApiServer();
  owner = await tokens.owner();
});
afterAll(async () => {
  await api.stop();
  await sql.end();
});

async function databaseSnapshot() {
  const [row] = await sql`select (select count(*) from public.scheduled_sms_jobs)::int as jobs,
    (select count(*) from public.sms_job_events)::int as events,
    (select max(updated_at) from public.scheduled_sms_jobs)::text as last_update`;
  return row;
}

const valid = { to: "+61412345678", body: "Hello", workspaceId: "ws_demo", fromNumber: "+15005550006" };
const inAYear = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

// route, body override, expected status, expected code, field named in details
const badBodies: [string, string, Record<string, unknown>, number, string, string | null][] = [
  ["placeholder recipient +1234567890", "send-sms", { ...valid, to: "+1234567890" }, 400, "validation_failed", "to"],
  ["recipient without +", "send-sms", { ...valid, to: "0412345678" }, 400, "validation_failed", "to"],
  ["recipient not a string", "send-sms", { ...valid, to: 61412345678 }, 400, "validation_failed", "to"],
  ["missing recipient", "send-sms", { body: "Hi", workspaceId: "ws_demo" }, 400, "validation_failed", "to"],
  ["empty body", "send-sms", { ...valid, body: "" }, 400, "validation_failed", "body"],
  ["blank body", "send-sms", { ...valid, body: " \n " }, 400, "validation_failed", "body"],
  ["body of 1601 characters", "send-sms", { ...valid, body: "x".repeat(1601) }, 400, "validation_failed", "body"],
  ["http media URL", "send-sms", { ...valid, mediaUrl: "http://example.com/a.jpg" }, 400, "validation_failed", "mediaUrl"],
  ["11 media URLs", "send-sms", { ...valid, mediaUrl: Array.from({ length: 11 }, (_, i) => `https://example.com/${i}.jpg`) }, 400, "validation_failed", "mediaUrl"],
  ["bad workspace id", "send-sms", { ...valid, workspaceId: "ws demo" }, 400, "validation_failed", "workspaceId"],
  ["invalid sender number", "send-sms", { ...valid, fromNumber: "+1987654321" }, 400, "validation_failed", "fromNumber"],
  ["another workspace's sender", "send-sms", { ...valid, fromNumber: "+15017122661" }, 400, "sender_not_allowed", "fromNumber"],
  ["unknown field", "send-sms", { ...valid, priority: "high" }, 400, "validation_failed", "priority"],
  ["metadata not an object", "send-sms", { ...valid, metadata: [1] }, 400, "validation_failed", "metadata"],
  ["delay of 0", "schedule-delay", { ...valid, delayMinutes: 0 }, 400, "validation_failed", "delayMinutes"],
  ["delay of 1.5", "schedule-delay", { ...valid, delayMinutes: 1.5 }, 400, "validation_failed", "delayMinutes"],
  ["delay over a year", "schedule-delay", { ...valid, delayMinutes: 525601 }, 400, "validation_failed", "delayMinutes"],
  ["delay as text", "schedule-delay", { ...valid, delayMinutes: "5" }, 400, "validation_failed", "delayMinutes"],
  ["missing delay", "schedule-delay", valid, 400, "validation_failed", "delayMinutes"],
  ["time without offset", "schedule-until", { ...valid, scheduledTime: "2030-05-11T16:00:00" }, 400, "validation_failed", "scheduledTime"],
  ["time in the past", "schedule-until", { ...valid, scheduledTime: "2025-05-11T16:00:00+10:00" }, 400, "validation_failed", "scheduledTime"],
  ["time over a year ahead", "schedule-until", { ...valid, scheduledTime: inAYear(366) }, 400, "validation_failed", "scheduledTime"],
  ["time not a date", "schedule-until", { ...valid, scheduledTime: "tomorrow" }, 400, "validation_failed", "scheduledTime"],
  ["cancel without job id", "cancel-job", { workspaceId: "ws_demo" }, 400, "validation_failed", "jobId"],
  ["cancel with unknown field", "cancel-job", { jobId: "job_x", workspaceId: "ws_demo", force: true }, 400, "validation_failed", "force"],
  ["cancel of an unknown job", "cancel-job", { jobId: "job_00000000000000000000000000000000", workspaceId: "ws_demo" }, 404, "job_not_found", null],
  ["JSON array body", "send-sms", [valid] as unknown as Record<string, unknown>, 400, "validation_failed", null],
];

describe("validation rules", () => {
  it.each(badBodies)("%s: refused and nothing written", async (_name, route, json, status, code, field) => {
    const before = await databaseSnapshot();
    const answer = await call(api.baseUrls.spec, route, { token: owner, json });
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ success: false, error: { code } });
    if (field !== null) expect(answer.body.error?.details?.fields?.map((f) => f.field)).toContain(field);
    expect(await databaseSnapshot()).toEqual(before);
  });

  it("names every bad field at once", async () => {
    const answer = await call(api.baseUrls.spec, "schedule-delay", {
      token: owner,
      json: { to: "+1234567890", body: "", workspaceId: "ws_demo", delayMinutes: -1, extra: 1 },
    });
    expect(answer.body.error?.details?.fields?.map((f) => f.field).sort()).toEqual(["body", "delayMinutes", "extra", "to"]);
  });

  it("query parameters of job-status and jobs are validated too", async () => {
    const cases: [string, Record<string, string>, string][] = [
      ["job-status", { workspaceId: "ws_demo" }, "jobId"],
      ["job-status", { jobId: "job_1", workspaceId: "ws_demo", verbose: "1" }, "verbose"],
      ["jobs", { workspaceId: "ws_demo", status: "sent" }, "status"],
      ["jobs", { workspaceId: "ws_demo", limit: "201" }, "limit"],
      ["jobs", { workspaceId: "ws_demo", limit: "0" }, "limit"],
      ["jobs", { workspaceId: "ws_demo", from: "yesterday" }, "from"],
      ["jobs", { workspaceId: "ws_demo", from: "2030-01-02T00:00:00Z", to: "2030-01-01T00:00:00Z" }, "to"],
      ["jobs", { workspaceId: "ws_demo", cursor: "not-a-cursor" }, "cursor"],
    ];
    for (const [route, query, field] of cases) {
      const answer = await call(api.baseUrls.spec, route, { token: owner, query });
      expect({ route, query, status: answer.status, code: answer.body.error?.code }).toEqual({ route, query, status: 400, code: "validation_failed" });
      expect(answer.body.error?.details?.fields?.map((f) => f.field)).toContain(field);
    }
  });
});

describe("malformed requests", () => {
  const cases: [string, CallOptions, number, string][] = [
    ["malformed JSON", { rawBody: '{"to": "+61412345678",', headers: { "Content-Type": "application/json" } }, 400, "malformed_json"],
    ["empty body", { rawBody: "", headers: { "Content-Type": "application/json" } }, 400, "malformed_json"],
    ["invalid UTF-8", { rawBody: new Uint8Array([0x7b, 0xff, 0x7d]), headers: { "Content-Type": "application/json" } }, 400, "malformed_json"],
    ["form-encoded body", { rawBody: "to=%2B61412345678", headers: { "Content-Type": "application/x-www-form-urlencoded" } }, 415, "unsupported_media_type"],
    ["no content type", { rawBody: JSON.stringify(valid) }, 415, "unsupported_media_type"],
    ["body over 64 KB", { json: { ...valid, body: "x".repeat(apiLimits.request_body_max_bytes) } }, 413, "payload_too_large"],
    ["wrong method", { method: "PUT", json: valid }, 405, "method_not_allowed"],
  ];
  it.each(cases)("%s: refused and nothing written", async (_name, options, status, code) => {
    for (const base of [api.baseUrls.functions, api.baseUrls.spec]) {
      const before = await databaseSnapshot();
      const answer = await call(base, "send-sms", { token: owner, ...options });
      expect(answer.status).toBe(status);
      expect(answer.body).toMatchObject({ success: false, error: { code } });
      expect(await databaseSnapshot()).toEqual(before);
    }
  });

  it("a body just under 64 KB is read (and judged on its content)", async () => {
    const answer = await call(api.baseUrls.spec, "send-sms", {
      token: owner,
      json: { ...valid, body: "x".repeat(apiLimits.request_body_max_bytes - 200) },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error?.details?.fields?.map((f) => f.field)).toEqual(["body"]);
  });

  it("GET endpoints refuse POST with 405 and say what is allowed", async () => {
    const answer = await call(api.baseUrls.spec, "job-status", { token: owner, json: {} });
    expect(answer.status).toBe(405);
    expect(answer.headers.get("allow")).toBe("GET, OPTIONS");
  });

  it("an unknown endpoint answers 404 in the envelope", async () => {
    const answer = await call(api.baseUrls.functions, "send-email", { token: owner, json: valid });
    expect(answer.status).toBe(404);
    expect(answer.body.error?.code).toBe("not_found");
  });

  it("answers CORS preflight requests", async () => {
    const response = await fetch(`${api.baseUrls.spec}/send-sms`, {
      method: "OPTIONS",
      headers: { Origin: "https://app.example.com", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type" },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("access-control-allow-headers")).toContain("authorization");
    expect(response.headers.get("access-control-allow-methods")).toContain("POST");
  });
});
