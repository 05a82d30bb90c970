// Who may call what: tokens (HS256 with the project secret and ES256 from the JWKS), roles and
// workspaces. Refusals change nothing in the database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUserToken } from "../../dev/access-token.ts";
import { localAuth } from "../../dev/local-env.ts";
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
const jobCount = async () => (await sql`select count(*)::int as n from public.scheduled_sms_jobs`)[0]?.n as number;
const owner = seededUsers.demoOwner;

describe("tokens", () => {
  const refused: [string, () => Promise<string | null>][] = [
    ["no token", () => Promise.resolve(null)],
    ["not a JWT", () => Promise.resolve("not-a-token")],
    ["a bad signature", () => signUserToken({ userId: owner.id, secret: "another-secret-that-is-at-least-32-characters" })],
    ["an expired token", () => signUserToken({ userId: owner.id, expiresInSeconds: -60 })],
    ["the wrong audience", () => signUserToken({ userId: owner.id, audience: "someone-else" })],
    ["the wrong issuer", () => signUserToken({ userId: owner.id, issuer: "https://evil.example.com/auth/v1" })],
    ["the anon role", async () => {
      const { SignJWT } = await import("jose");
      return await new SignJWT({ role: "anon" }).setProtectedHeader({ alg: "HS256" }).setIssuer("supabase")
        .setExpirationTime("1h").sign(new TextEncoder().encode(localAuth.jwtSecret));
    }],
    ["a JWKS-signed token from an unknown key", () => api.jwks.sign({ sub: owner.id, role: "authenticated", aud: "authenticated", iss: localAuth.issuer }, { kid: "unknown" })],
    ["an expired JWKS-signed token", () => api.jwks.sign({ sub: owner.id, role: "authenticated", aud: "authenticated", iss: localAuth.issuer }, { expiresInSeconds: -60 })],
  ];

  it.each(refused)("%s: 401 unauthorized, nothing written", async (_name, makeToken) => {
    const before = await jobCount();
    for (const base of [api.baseUrls.functions, api.baseUrls.spec]) {
      const answer = await call(base, "send-sms", { token: await makeToken(), json: message });
      expect(answer.status).toBe(401);
      expect(answer.body.error?.code).toBe("unauthorized");
      expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer/);
    }
    expect(await jobCount()).toBe(before);
  });

  it("accepts a token signed with the project's JWT secret (HS256)", async () => {
    const answer = await call(api.baseUrls.spec, "send-sms", { token: await tokens.owner(), json: message });
    expect(answer.status).toBe(200);
  });

  it("accepts a token signed by a key of the project's JWKS (ES256)", async () => {
    const token = await api.jwks.sign({ sub: owner.id, email: owner.email, role: "authenticated", aud: "authenticated", iss: localAuth.issuer });
    const answer = await call(api.baseUrls.functions, "send-sms", { token, json: message });
    expect(answer.status).toBe(200);
    const status = await call(api.baseUrls.functions, "job-status", { token, query: { jobId: String(answer.body.data?.jobId), workspaceId: "ws_demo" } });
    expect(status.status).toBe(200);
  });
});

describe("workspace roles", () => {
  it("a viewer may read but not send, schedule or cancel", async () => {
    const viewer = await tokens.viewer();
    const created = await call(api.baseUrls.spec, "schedule-delay", { token: await tokens.owner(), json: { ...message, delayMinutes: 30 } });
    const jobId = String(created.body.data?.jobId);
    const before = await jobCount();
    for (const [route, json] of [["send-sms", message], ["schedule-delay", { ...message, delayMinutes: 5 }],
      ["schedule-until", { ...message, scheduledTime: new Date(Date.now() + 3_600_000).toISOString() }],
      ["cancel-job", { jobId, workspaceId: "ws_demo" }]] as const) {
      const answer = await call(api.baseUrls.spec, route, { token: viewer, json });
      expect({ route, status: answer.status, code: answer.body.error?.code }).toEqual({ route, status: 403, code: "forbidden" });
    }
    expect(await jobCount()).toBe(before);
    const [job] = await sql`select status from public.scheduled_sms_jobs where id = ${jobId}`;
    expect(job?.status).toBe("scheduled");
    expect((await call(api.baseUrls.spec, "job-status", { token: viewer, query: { jobId, workspaceId: "ws_demo" } })).status).toBe(200);
    expect((await call(api.baseUrls.spec, "jobs", { token: viewer, query: { workspaceId: "ws_demo" } })).status).toBe(200);
  });

  it("a member may send", async () => {
    const answer = await call(api.baseUrls.spec, "send-sms", { token: await tokens.member(), json: message });
    expect(answer.status).toBe(200);
  });

  it("a non-member gets 403 for another workspace, whether it exists or not", async () => {
    const other = await tokens.otherOwner();
    const before = await jobCount();
    for (const workspaceId of ["ws_demo", "ws_nonexistent"]) {
      const send = await call(api.baseUrls.spec, "send-sms", { token: other, json: { ...message, workspaceId } });
      expect(send.status).toBe(403);
      const list = await call(api.baseUrls.spec, "jobs", { token: other, query: { workspaceId } });
      expect(list.status).toBe(403);
    }
    expect(await jobCount()).toBe(before);
  });

  it("another workspace's job answers 404, never revealing that it exists", async () => {
    const created = await call(api.baseUrls.spec, "schedule-delay", { token: await tokens.owner(), json: { ...message, delayMinutes: 30 } });
    const jobId = String(created.body.data?.jobId);
    const other = await tokens.otherOwner();
    const status = await call(api.baseUrls.spec, "job-status", { token: other, query: { jobId, workspaceId: "ws_other" } });
    expect(status.status).toBe(404);
    expect(status.body.error?.code).toBe("job_not_found");
    const cancel = await call(api.baseUrls.spec, "cancel-job", { token: other, json: { jobId, workspaceId: "ws_other" } });
    expect(cancel.status).toBe(404);
    const [job] = await sql`select status from public.scheduled_sms_jobs where id = ${jobId}`;
    expect(job?.status).toBe("scheduled");
  });

  it("the service role acts on any workspace; an unknown workspace is 404", async () => {
    const service = await tokens.service();
    const answer = await call(api.baseUrls.spec, "send-sms", { token: service, json: { ...message, workspaceId: "ws_other" } });
    expect(answer.status).toBe(200);
    const [job] = await sql`select from_number, created_by from public.scheduled_sms_jobs where id = ${String(answer.body.data?.jobId)}`;
    expect(job).toEqual({ from_number: "+15017122661", created_by: null });
    const missing = await call(api.baseUrls.spec, "send-sms", { token: service, json: { ...message, workspaceId: "ws_nonexistent" } });
    expect(missing.status).toBe(404);
    expect(missing.body.error?.code).toBe("workspace_not_found");
  });
});
