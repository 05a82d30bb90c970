// Workspace ids are the adopting app's own: a uuid, or 1-64 characters of [A-Za-z0-9_-]. Any such id
// passes validation; membership then decides (403 for a non-member, 404 for the service role when
// the workspace does not exist), and a workspace whose id is a uuid works end to end.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, seededUsers } from "../support/database.ts";
import { type ApiServer, call, startApiServer, tokens } from "./support/api-server.ts";

const sql = connect();
let api: ApiServer;
beforeAll(async () => {
  api = await startApiServer();
});
afterAll(async () => {
  await api.stop();
  await sql.end();
});

const message = { to: "+61412345678", body: "Hello", workspaceId: "ws_demo" };
const jobCount = async () => (await sql<{ n: number }[]>`select count(*)::int as n from public.scheduled_sms_jobs`)[0]?.n;

describe("workspace ids", () => {
  it("a uuid workspace the caller is not a member of: 403 forbidden, not a validation error", async () => {
    const before = await jobCount();
    const answer = await call(api.baseUrls.spec, "send-sms", { token: await tokens.owner(), json: { ...message, workspaceId: randomUUID() } });
    expect(answer.status).toBe(403);
    expect(answer.body.error?.code).toBe("forbidden");
    expect(await jobCount()).toBe(before);
  });

  it("an unknown uuid workspace with the service role: 404 workspace_not_found", async () => {
    const before = await jobCount();
    const answer = await call(api.baseUrls.spec, "send-sms", { token: await tokens.service(), json: { ...message, workspaceId: randomUUID() } });
    expect(answer.status).toBe(404);
    expect(answer.body.error?.code).toBe("workspace_not_found");
    expect(await jobCount()).toBe(before);
  });

  it("slugs of the app's own shape pass validation too; other shapes do not", async () => {
    for (const workspaceId of ["workspace-uuid", "ws_123", "A", "x".repeat(64)]) {
      const answer = await call(api.baseUrls.spec, "send-sms", { token: await tokens.owner(), json: { ...message, workspaceId } });
      expect({ workspaceId, status: answer.status, code: answer.body.error?.code }).toEqual({ workspaceId, status: 403, code: "forbidden" });
    }
    for (const workspaceId of ["", "x".repeat(65), "ws demo", "ws.demo", "{5f0c…}"]) {
      const answer = await call(api.baseUrls.spec, "send-sms", { token: await tokens.owner(), json: { ...message, workspaceId } });
      expect({ workspaceId, status: answer.status, code: answer.body.error?.code }).toEqual({ workspaceId, status: 400, code: "validation_failed" });
      expect(answer.body.error?.details?.fields?.map((f) => f.field)).toEqual(["workspaceId"]);
    }
  });

  describe("a workspace whose id is a uuid", () => {
    const workspaceId = randomUUID();
    const sender = "+61299990001";
    beforeAll(async () => {
      // As the table owner, as an app provisioning its tenants would through the service role.
      await sql.begin(async (tx) => {
        await tx`insert into public.workspaces (id, name) values (${workspaceId}, 'Uuid Workspace')`;
        await tx`insert into public.workspace_members (workspace_id, user_id, role) values (${workspaceId}, ${seededUsers.demoOwner.id}, 'member')`;
        await tx`insert into public.workspace_senders (sender, workspace_id, label) values (${sender}, ${workspaceId}, 'Uuid line')`;
        await tx`update public.workspace_settings set timezone = 'Europe/London', default_sender = ${sender} where workspace_id = ${workspaceId}`;
      });
    });
    afterAll(async () => {
      await sql`delete from public.scheduled_sms_jobs where workspace_id = ${workspaceId}`;
      await sql`delete from public.workspaces where id = ${workspaceId}`;
    });

    it("sends through the API and reports the job with job-status", async () => {
      const token = await tokens.owner();
      const sent = await call(api.baseUrls.spec, "send-sms", { token, json: { ...message, workspaceId } });
      expect(sent.status, JSON.stringify(sent.body)).toBe(200);
      expect(sent.body.data).toMatchObject({ status: "queued" });
      const jobId = String(sent.body.data?.jobId);
      const status = await call(api.baseUrls.spec, "job-status", { token, query: { jobId, workspaceId } });
      expect(status.status).toBe(200);
      expect(status.body.data).toMatchObject({ jobId, kind: "job", workspaceId, fromNumber: sender, to: message.to });
      // ws_demo does not see it.
      const elsewhere = await call(api.baseUrls.spec, "job-status", { token, query: { jobId, workspaceId: "ws_demo" } });
      expect(elsewhere.status).toBe(404);
      expect(elsewhere.body.error?.code).toBe("job_not_found");
    });
  });
});
