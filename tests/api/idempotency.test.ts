// Idempotency-Key on POST routes, as a client retrying after a timeout sees it: the first answer is
// replayed byte for byte and nothing is created twice; another body with the same key is refused;
// a request still running is reported; failures are not remembered; keys expire; and a replay is
// only ever given to a writer of the workspace.
import { randomUUID } from "node:crypto";
import { createClient, type WebSocketLikeConstructor } from "@supabase/supabase-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createSmsSchedulerClient } from "../../client/sms-scheduler-client.ts";
import { apiRoutes, idempotencyKeyErrors, type RouteContract } from "../../supabase/functions/_shared/api-routes.ts";
import { apiLimits, databaseLimits } from "../../supabase/functions/_shared/limits.ts";
import { connect } from "../support/database.ts";
import { type ApiServer, call, startApiServer, tokens } from "./support/api-server.ts";
import { assertDocumented, openApi } from "./support/openapi.ts";

const sql = connect();
let api: ApiServer;
let owner: string;
beforeAll(async () => {
  // Concurrent sends and retries by one owner, many a second: more than the default write limit.
  api = await startApiServer({}, { generousRateLimits: true });
  owner = await tokens.owner();
});
afterAll(async () => {
  await api.stop();
  await sql.end();
});

interface RawAnswer {
  status: number;
  headers: Headers;
  /** The body exactly as received. */
  text: string;
  body: { success: boolean; data?: Record<string, unknown>; error?: { code: string; message: string } };
}

/** A POST with an Idempotency-Key, the answer kept as its exact text (and checked against the OpenAPI document). */
async function post(route: string, json: unknown, key: string | null, token: string = owner): Promise<RawAnswer> {
  const headers: Record<string, string> = { "Content-Type": "application/json", Authorization: `Bearer ${token}` };
  if (key !== null) headers["Idempotency-Key"] = key;
  const response = await fetch(`${api.baseUrls.spec}/${route}`, { method: "POST", headers, body: JSON.stringify(json) });
  const text = await response.text();
  const body = JSON.parse(text) as RawAnswer["body"];
  assertDocumented(route, "POST", response.status, body);
  return { status: response.status, headers: response.headers, text, body };
}

/** A body no other test uses, so rows can be counted by it. */
const uniqueBody = (label: string) => `${label} ${randomUUID()}`;
const jobsWithBody = async (body: string) =>
  (await sql<{ n: number }[]>`select count(*)::int as n from public.scheduled_sms_jobs where body = ${body}`)[0]?.n;
const eventsOfJobsWithBody = async (body: string) =>
  (await sql<{ n: number }[]>`
    select count(*)::int as n from public.sms_job_events e join public.scheduled_sms_jobs j on j.id = e.job_id
    where j.body = ${body}`)[0]?.n;

const message = (body: string, extra: Record<string, unknown> = {}) =>
  ({ to: "+61412345678", body, workspaceId: "ws_demo", ...extra });

describe("a retry with the same key and body", () => {
  it("replays the first answer byte for byte, marked Idempotent-Replayed, and creates nothing", async () => {
    const body = uniqueBody("Replay");
    const key = randomUUID();
    const first = await post("send-sms", message(body), key);
    expect(first.status).toBe(200);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const eventsAfterFirst = await eventsOfJobsWithBody(body);

    const again = await post("send-sms", message(body), key);
    expect(again.status).toBe(200);
    expect(again.text).toBe(first.text);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.headers.get("x-request-id")).not.toBe(first.headers.get("x-request-id"));
    expect(await jobsWithBody(body)).toBe(1);
    expect(await eventsOfJobsWithBody(body)).toBe(eventsAfterFirst);
  });

  it("replays on every keyed route (the route table says which POST routes are keyed)", async () => {
    const schedule = await post("schedule-recurring", message(uniqueBody("Weekly"), { cron: "0 9 * * MON" }), null);
    const scheduleId = String(schedule.body.data?.jobId);
    const job = await post("schedule-delay", message(uniqueBody("Later"), { delayMinutes: 30 }), null);
    const jobId = String(job.body.data?.jobId);
    const template = await post("create-template", { workspaceId: "ws_demo", name: uniqueBody("Base"), body: "Hi" }, null);
    const templateId = String(template.body.data?.templateId);
    const failed = await post("send-sms", message(uniqueBody("Failed")), null);
    const failedId = String(failed.body.data?.jobId);
    await sql`select private.claim_job(${failedId}, 'idempotency-test-worker')`;
    await sql`select private.fail_job(${failedId}, 'idempotency-test-worker', '20503', 'Service Unavailable', 'retries_exhausted')`;
    const in30Minutes = new Date(Date.now() + 30 * 60_000).toISOString();
    const requests: Record<string, unknown> = {
      "send-sms": message(uniqueBody("Each")),
      "schedule-delay": message(uniqueBody("Each"), { delayMinutes: 5 }),
      "schedule-until": message(uniqueBody("Each"), { scheduledTime: in30Minutes }),
      "schedule-recurring": message(uniqueBody("Each"), { cron: "0 10 * * TUE" }),
      "schedule-bulk": { workspaceId: "ws_demo", body: uniqueBody("Each"), delayMinutes: 30,
        recipients: [{ to: "+61412345678" }, { to: "+61412345679" }, { to: "+61412345678" }] },
      "pause-job": { jobId: scheduleId, workspaceId: "ws_demo" },
      "resume-job": { jobId: scheduleId, workspaceId: "ws_demo" },
      "cancel-job": { jobId, workspaceId: "ws_demo" },
      "retry-job": { jobId: failedId, workspaceId: "ws_demo" },
      "update-retry-policy": { workspaceId: "ws_demo", retryPolicy: {} },
      "update-rate-limits": { workspaceId: "ws_demo", limits: {} },
      // The demo line keeps its seeded rate (sender_rate_max) and the daily cap stays off.
      "update-sender": { workspaceId: "ws_demo", sender: "+15005550006", messagesPerSecond: databaseLimits.sender_rate_max },
      "update-sending-limits": { workspaceId: "ws_demo", dailyMessageCap: null },
      // The regions stay the defaults.
      "update-regions": { workspaceId: "ws_demo", twilioRegion: null, twilioEdge: null, triggerRegion: null },
      // Quiet hours stay off.
      "update-quiet-hours": { workspaceId: "ws_demo", enabled: false },
      // A number opted out, then back in (in this order).
      "add-opt-out": { workspaceId: "ws_demo", phone: "+61400000777", reason: "Asked at the desk" },
      "remove-opt-out": { workspaceId: "ws_demo", phone: "+61400000777", reason: "Asked to hear from us again" },
      "create-template": { workspaceId: "ws_demo", name: uniqueBody("Each"), body: "Hello" },
      "update-template": { workspaceId: "ws_demo", templateId, body: "Hi again" },
      "archive-template": { workspaceId: "ws_demo", templateId },
    };
    const keyed = Object.entries(apiRoutes as Record<string, RouteContract>)
      .filter(([, contract]) => contract.method === "POST" && contract.idempotency === "keyed").map(([name]) => name);
    expect(keyed.sort()).toEqual(Object.keys(requests).sort());
    for (const route of Object.keys(requests)) {
      const key = randomUUID();
      const first = await post(route, requests[route], key);
      expect({ route, status: first.status }).toEqual({ route, status: 200 });
      const again = await post(route, requests[route], key);
      expect({ route, status: again.status, replayed: again.headers.get("idempotent-replayed"), text: again.text })
        .toEqual({ route, status: 200, replayed: "true", text: first.text });
    }
    // create-template, schedule-recurring and schedule-bulk would have made second rows without the key.
    const [batches] = await sql<{ n: number }[]>`
      select count(*)::int as n from public.scheduled_sms_jobs where body = ${String((requests["schedule-bulk"] as { body: string }).body)}`;
    expect(batches?.n).toBe(2);
    const [templates] = await sql<{ n: number }[]>`
      select count(*)::int as n from public.message_templates where name = ${String((requests["create-template"] as { name: string }).name)}`;
    expect(templates?.n).toBe(1);
  });

  it("is given to another writer of the workspace (keys belong to the workspace), through the typed client too", async () => {
    const body = uniqueBody("Shared");
    const key = randomUUID();
    const first = await post("send-sms", message(body), key);
    const byMember = await post("send-sms", message(body), key, await tokens.member());
    expect(byMember.text).toBe(first.text);
    expect(byMember.headers.get("idempotent-replayed")).toBe("true");

    const projectUrl = api.server.functionsUrl.replace(/\/functions\/v1$/, "");
    const sms = createSmsSchedulerClient(createClient(projectUrl, "local-anon-key", {
      accessToken: () => Promise.resolve(owner),
      realtime: { transport: WebSocket as unknown as WebSocketLikeConstructor },
    }));
    const clientBody = uniqueBody("Client");
    const clientKey = randomUUID();
    const sent = await sms.sendSms(message(clientBody), { idempotencyKey: clientKey });
    expect(await sms.sendSms(message(clientBody), { idempotencyKey: clientKey })).toEqual(sent);
    expect(await jobsWithBody(clientBody)).toBe(1);
  });
});

describe("keys are scoped", () => {
  it("the same key with another body answers 422 idempotency_key_reused and creates nothing", async () => {
    const key = randomUUID();
    const body = uniqueBody("First");
    expect((await post("send-sms", message(body), key)).status).toBe(200);
    const other = uniqueBody("Second");
    const reused = await post("send-sms", message(other), key);
    expect(reused.status).toBe(422);
    expect(reused.body.error?.code).toBe("idempotency_key_reused");
    expect(await jobsWithBody(other)).toBe(0);
    // The same JSON with another byte layout is another body too: retries must resend the same bytes.
    const respaced = await fetch(`${api.baseUrls.spec}/send-sms`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${owner}`, "Idempotency-Key": key },
      body: JSON.stringify(message(body), null, 2),
    });
    expect(respaced.status).toBe(422);
  });

  it("the same key on another route, or in another workspace, is independent", async () => {
    const key = randomUUID();
    const body = uniqueBody("Scoped");
    expect((await post("send-sms", message(body), key)).status).toBe(200);
    const delayed = await post("schedule-delay", message(body, { delayMinutes: 10 }), key);
    expect(delayed.status).toBe(200);
    expect(delayed.headers.get("idempotent-replayed")).toBeNull();
    const elsewhere = await post("send-sms", { to: "+61412345678", body, workspaceId: "ws_other" }, key, await tokens.otherOwner());
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.headers.get("idempotent-replayed")).toBeNull();
    expect(await jobsWithBody(body)).toBe(3);
  });

  it("a viewer of the workspace or another workspace's owner gets no replay, only 403", async () => {
    const key = randomUUID();
    const body = uniqueBody("Private");
    const first = await post("send-sms", message(body), key);
    expect(first.status).toBe(200);
    for (const token of [await tokens.viewer(), await tokens.otherOwner()]) {
      const answer = await post("send-sms", message(body), key, token);
      expect(answer.status).toBe(403);
      expect(answer.body.error?.code).toBe("forbidden");
      expect(answer.text).not.toContain(String(first.body.data?.jobId));
      expect(answer.headers.get("idempotent-replayed")).toBeNull();
    }
    expect(await jobsWithBody(body)).toBe(1);
  });
});

describe("a request still running", () => {
  it("answers 409 idempotency_request_in_progress with Retry-After, then the replay once the first is done", async () => {
    const key = randomUUID();
    const body = uniqueBody("Running");
    // The first request, held open: its transaction holds the key's lock, as a slow request's does.
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => { release = resolve; });
    let locked = (): void => undefined;
    const isLocked = new Promise<void>((resolve) => { locked = resolve; });
    const holder = sql.begin(async (tx) => {
      await tx`select private.begin_idempotent_request('ws_demo', 'send-sms', ${key}, ${"0".repeat(64)})`;
      locked();
      await released;
    });
    await isLocked;
    try {
      const busy = await post("send-sms", message(body), key);
      expect(busy.status).toBe(409);
      expect(busy.body.error?.code).toBe("idempotency_request_in_progress");
      expect(busy.headers.get("retry-after")).toBe(String(apiLimits.idempotency_retry_after_seconds));
      expect(await jobsWithBody(body)).toBe(0);
    } finally {
      release();
      await holder;
    }
    const after = await post("send-sms", message(body), key);
    expect(after.status).toBe(200);
    expect(await jobsWithBody(body)).toBe(1);
  });

  it("of many simultaneous requests with one key, exactly one creates the job; the others get 409 or its replay", async () => {
    const key = randomUUID();
    const body = uniqueBody("Race");
    const answers = await Promise.all(Array.from({ length: 10 }, () => post("send-sms", message(body), key)));
    const created = answers.filter((a) => a.status === 200 && a.headers.get("idempotent-replayed") === null);
    expect(created).toHaveLength(1);
    for (const answer of answers) {
      if (answer.status === 200) expect(answer.text).toBe(created[0]?.text);
      else {
        expect(answer.status).toBe(409);
        expect(answer.body.error?.code).toBe("idempotency_request_in_progress");
        expect(answer.headers.get("retry-after")).not.toBeNull();
      }
    }
    expect(await jobsWithBody(body)).toBe(1);
  });
});

describe("what is not remembered", () => {
  it("a 5xx: the retry runs afresh and creates the job", async () => {
    const key = randomUUID();
    const body = uniqueBody("Crash");
    // A fault inside the route's transaction, after its insert: the job, and the key, roll back.
    await sql.unsafe(`
      create or replace function public.idempotency_test_fault() returns trigger language plpgsql as $$
      begin if new.body like 'Crash %' then raise exception 'injected fault'; end if; return new; end $$;
      create trigger idempotency_test_fault after insert on public.scheduled_sms_jobs
        for each row execute function public.idempotency_test_fault();`);
    try {
      const failed = await post("send-sms", message(body), key);
      expect(failed.status).toBe(500);
      expect(failed.body.error?.code).toBe("internal_error");
      expect(await jobsWithBody(body)).toBe(0);
    } finally {
      await sql.unsafe(`
        drop trigger idempotency_test_fault on public.scheduled_sms_jobs;
        drop function public.idempotency_test_fault();`);
    }
    const retried = await post("send-sms", message(body), key);
    expect(retried.status).toBe(200);
    expect(retried.headers.get("idempotent-replayed")).toBeNull();
    expect(await jobsWithBody(body)).toBe(1);
  });

  it("a 401: the retry with a valid token runs afresh", async () => {
    const key = randomUUID();
    const body = uniqueBody("Unsigned");
    const refused = await post("send-sms", message(body), key, "not-a-token");
    expect(refused.status).toBe(401);
    const retried = await post("send-sms", message(body), key);
    expect(retried.status).toBe(200);
    expect(retried.headers.get("idempotent-replayed")).toBeNull();
    expect(await jobsWithBody(body)).toBe(1);
  });

  it("a refusal (4xx): nothing was created, so the retry runs afresh once the cause is gone", async () => {
    const key = randomUUID();
    const body = uniqueBody("Opted");
    const to = "+61412999001";
    await sql`insert into public.sms_opt_outs (workspace_id, phone) values ('ws_demo', ${to}) on conflict do nothing`;
    try {
      const refused = await post("send-sms", { ...message(body), to }, key);
      expect(refused.status).toBe(409);
      expect(refused.body.error?.code).toBe("recipient_opted_out");
    } finally {
      await sql`delete from public.sms_opt_outs where workspace_id = 'ws_demo' and phone = ${to}`;
    }
    const retried = await post("send-sms", { ...message(body), to }, key);
    expect(retried.status).toBe(200);
    expect(await jobsWithBody(body)).toBe(1);
  });
});

describe("keys expire", () => {
  it(`after ${databaseLimits.idempotency_key_retention_hours} h the cleanup removes a key, and the same request then runs afresh`, async () => {
    const key = randomUUID();
    const body = uniqueBody("Expiring");
    expect((await post("send-sms", message(body), key)).status).toBe(200);
    const young = randomUUID();
    expect((await post("send-sms", message(uniqueBody("Young")), young)).status).toBe(200);
    await sql`update private.idempotency_keys
      set created_at = now() - make_interval(hours => ${databaseLimits.idempotency_key_retention_hours}) - interval '1 minute'
      where key = ${key}`;
    const [removed] = await sql<{ n: number }[]>`select private.delete_expired_idempotency_keys() as n`;
    expect(removed?.n).toBeGreaterThanOrEqual(1);
    const left = await sql`select key from private.idempotency_keys where key in (${key}, ${young})`;
    expect(left.map((row) => row.key)).toEqual([young]);
    const again = await post("send-sms", message(body), key);
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBeNull();
    expect(await jobsWithBody(body)).toBe(2);
  });
});

describe("the header itself", () => {
  it.each([
    ["empty", ""],
    ["longer than 255 characters", "k".repeat(databaseLimits.idempotency_key_max_chars + 1)],
    ["not ASCII", "clé-1"],
  ])("a key that is %s answers 400 invalid_idempotency_key and creates nothing", async (_, key) => {
    const body = uniqueBody("BadKey");
    const answer = await post("send-sms", message(body), key);
    expect(answer.status).toBe(400);
    expect(answer.body.error?.code).toBe("invalid_idempotency_key");
    expect(await jobsWithBody(body)).toBe(0);
  });

  it("a key of 255 printable characters, spaces and punctuation included, is fine", async () => {
    const key = `a b~!${"x".repeat(databaseLimits.idempotency_key_max_chars - 5)}`;
    expect(key).toHaveLength(255);
    const body = uniqueBody("LongKey");
    expect((await post("send-sms", message(body), key)).status).toBe(200);
    expect((await post("send-sms", message(body), key)).headers.get("idempotent-replayed")).toBe("true");
  });

  it("without the header, every request creates its job (today's behaviour)", async () => {
    const body = uniqueBody("NoKey");
    await post("send-sms", message(body), null);
    await post("send-sms", message(body), null);
    expect(await jobsWithBody(body)).toBe(2);
  });

  it("preview-message (creates nothing) is exempt: the header is not read", async () => {
    const answer = await call(api.baseUrls.spec, "preview-message", {
      token: owner, json: { workspaceId: "ws_demo", body: "Hello" }, headers: { "Idempotency-Key": "" },
    });
    expect(answer.status).toBe(200);
  });

  it("every POST route says whether it is keyed; keyed ones document the header and its refusals", () => {
    for (const [name, contract] of Object.entries(apiRoutes as Record<string, RouteContract>)) {
      if (contract.method !== "POST") continue;
      expect({ name, idempotency: contract.idempotency }).toEqual({ name, idempotency: name === "preview-message" ? "exempt" : "keyed" });
      const operation = (openApi.paths[`/${name}`]?.post ?? {}) as { parameters?: { name: string; in: string }[] };
      const headers = (operation.parameters ?? []).filter((p) => p.in === "header").map((p) => p.name);
      if (contract.idempotency === "keyed") {
        expect({ name, headers }).toEqual({ name, headers: ["Idempotency-Key"] });
        for (const code of idempotencyKeyErrors) expect(contract.errors, name).toContain(code);
      } else {
        expect({ name, headers }).toEqual({ name, headers: [] });
      }
    }
  });

  it("browsers may send it and read Idempotent-Replayed and Retry-After (CORS)", async () => {
    const preflight = await fetch(`${api.baseUrls.spec}/send-sms`, { method: "OPTIONS" });
    expect(preflight.headers.get("access-control-allow-headers")?.split(/,\s*/)).toContain("idempotency-key");
    expect(preflight.headers.get("access-control-expose-headers")?.split(/,\s*/))
      .toEqual(expect.arrayContaining(["idempotent-replayed", "retry-after"]));
  });
});
