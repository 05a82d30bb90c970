// The spec's three ways to send, through real HTTP on both URL forms, with the spec's example
// bodies (seeded workspace and sender, a real mobile number instead of the placeholder).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../support/database.ts";
import { type ApiServer, call, startApiServer, tokens } from "./support/api-server.ts";

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

const brisbaneTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?\+10:00$/;

describe.each(["functions", "spec"] as const)("sending through the %s URL", (form) => {
  const base = () => api.baseUrls[form];

  it("send-sms queues the message now and answers with its real status", async () => {
    const answer = await call(base(), "send-sms", {
      token: owner,
      json: { to: "+61412345678", body: "Hello, this is an immediate message", workspaceId: "ws_demo", fromNumber: "+15005550006" },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.success).toBe(true);
    const data = answer.body.data ?? {};
    expect(data).toMatchObject({ status: "queued", messageId: data.jobId });
    expect(data.jobId).toMatch(/^job_[0-9a-f]{32}$/);
    expect(data.scheduledTime).toMatch(brisbaneTime);
    const [row] = await sql`select to_phone, from_number, body, status, created_by::text from public.scheduled_sms_jobs where id = ${String(data.jobId)}`;
    expect(row).toEqual({ to_phone: "+61412345678", from_number: "+15005550006", body: "Hello, this is an immediate message", status: "queued", created_by: "00000000-0000-4000-8000-000000000001" });
  });

  it("schedule-delay schedules delayMinutes ahead, shown in the workspace's timezone", async () => {
    const before = Date.now();
    const answer = await call(base(), "schedule-delay", {
      token: owner,
      json: { to: "+61412345678", body: "Hello from delay scheduler", workspaceId: "ws_demo", delayMinutes: 5, fromNumber: "+15005550006" },
    });
    expect(answer.status).toBe(200);
    const data = answer.body.data ?? {};
    expect(data.status).toBe("scheduled");
    expect(data.scheduledTime).toMatch(brisbaneTime);
    const due = Date.parse(String(data.scheduledTime));
    expect(due - before).toBeGreaterThan(5 * 60_000 - 5_000);
    expect(due - before).toBeLessThan(5 * 60_000 + 15_000);
  });

  it("schedule-until schedules the given time and echoes it with the workspace's offset", async () => {
    const year = new Date().getUTCFullYear() + 1;
    const answer = await call(base(), "schedule-until", {
      token: owner,
      json: { to: "+61412345678", body: "Hello at specific time", workspaceId: "ws_demo", scheduledTime: `${year - 1}-12-31T23:00:00-05:00`, fromNumber: "+15005550006" },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({ status: "scheduled", scheduledTime: `${year}-01-01T14:00:00+10:00` });
  });
});

describe("message details", () => {
  it("stores a formatted number as E.164, uses the default sender, keeps media and metadata", async () => {
    const answer = await call(api.baseUrls.spec, "send-sms", {
      token: owner,
      json: { to: "+61 412 345 678", body: "Photo attached", workspaceId: "ws_demo", mediaUrl: "https://example.com/image.jpg", metadata: { crm: "c-1" } },
    });
    expect(answer.status).toBe(200);
    const [row] = await sql`select to_phone, from_number, media_urls, metadata from public.scheduled_sms_jobs where id = ${String(answer.body.data?.jobId)}`;
    expect(row).toEqual({ to_phone: "+61412345678", from_number: "+15005550006", media_urls: ["https://example.com/image.jpg"], metadata: { crm: "c-1" } });
  });

  it("accepts a list of media URLs", async () => {
    const mediaUrl = ["https://example.com/a.jpg", "https://example.com/b.png"];
    const answer = await call(api.baseUrls.spec, "schedule-delay", {
      token: owner,
      json: { to: "+61412345678", body: "Two photos", workspaceId: "ws_demo", delayMinutes: 60, mediaUrl },
    });
    expect(answer.status).toBe(200);
    const status = await call(api.baseUrls.spec, "job-status", { token: owner, query: { jobId: String(answer.body.data?.jobId), workspaceId: "ws_demo" } });
    expect(status.body.data?.mediaUrls).toEqual(mediaUrl);
  });

  it("records who created the job in its event log", async () => {
    const answer = await call(api.baseUrls.spec, "send-sms", {
      token: await tokens.member(),
      json: { to: "+61412345678", body: "From a member", workspaceId: "ws_demo" },
    });
    expect(answer.status).toBe(200);
    const events = await sql`select event_type, actor::text from public.sms_job_events where job_id = ${String(answer.body.data?.jobId)}`;
    expect(events).toEqual([{ event_type: "created", actor: "00000000-0000-4000-8000-000000000004" }]);
  });

  it("a recipient who opted out is refused with 409", async () => {
    await sql`insert into public.sms_opt_outs (workspace_id, phone) values ('ws_demo', '+61412000111') on conflict do nothing`;
    const answer = await call(api.baseUrls.spec, "send-sms", {
      token: owner,
      json: { to: "+61412000111", body: "Hello", workspaceId: "ws_demo" },
    });
    expect(answer.status).toBe(409);
    expect(answer.body.error?.code).toBe("recipient_opted_out");
  });
});

describe("health", () => {
  it("answers without a token on both URL forms", async () => {
    for (const base of [api.baseUrls.functions, api.baseUrls.spec]) {
      const answer = await call(base, "health");
      expect(answer.status).toBe(200);
      expect(answer.body.data).toMatchObject({ status: "ok", database: "reachable", version: "1.0.0" });
    }
  });
});
