// Inbound messages end to end: the Twilio simulator posts Twilio's signed incoming-message webhook
// to the real twilio-inbound function (Deno), which stores it and applies its keyword in the
// database; the API then shows and enforces the result. A recipient's "Stop" cancels their pending
// messages and a later send to them is refused with recipient_opted_out; START re-allows them;
// HELP and INFO are only logged; forged signatures, unknown numbers and duplicates change nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUserToken } from "../../dev/access-token.ts";
import { emptyTwiml } from "../../supabase/functions/twilio-inbound/handler.ts";
import { seededUsers } from "../support/database.ts";
import { startLocalStack, type LocalStack } from "../support/local-stack.ts";
import type { InboundMessageRequest } from "../../dev/twilio-simulator/inbound-messages.ts";

let stack: LocalStack;
let token: string;
let inboundUrl: string;
const demoAccount = `AC${"de".repeat(16)}`;
const demoNumber = "+15005550006";
let seq = 0;

/** A fresh recipient per test (+61 413 is an allocated Australian mobile range). */
function recipient(): string {
  seq += 1;
  return `+61413${String(Date.now() % 1000).padStart(3, "0")}${String(seq).padStart(3, "0")}`;
}

function reply(from: string, body: string, extra: Partial<InboundMessageRequest> = {}) {
  return stack.simulator.sendInbound({ url: inboundUrl, accountSid: demoAccount, from, to: demoNumber, body, ...extra });
}

async function schedule(to: string, body: string) {
  const answer = await stack.api(token, "POST", "schedule-delay", { to, body, workspaceId: "ws_demo", delayMinutes: 600 });
  expect(answer.status).toBe(200);
  return answer.json.data.jobId as string;
}

async function optedOut(phone: string): Promise<boolean> {
  const [row] = await stack.sql<{ n: number }[]>`
    select count(*)::int as n from public.sms_opt_outs where workspace_id = 'ws_demo' and phone = ${phone}`;
  return (row?.n ?? 0) > 0;
}

async function storedCount(messageSid: string): Promise<number> {
  const [row] = await stack.sql<{ n: number }[]>`select count(*)::int as n from public.inbound_messages where message_sid = ${messageSid}`;
  return row?.n ?? 0;
}

const used: string[] = [];

beforeAll(async () => {
  stack = await startLocalStack();
  token = await signUserToken({ userId: seededUsers.demoOwner.id, email: seededUsers.demoOwner.email });
  inboundUrl = `${stack.functions.functionsUrl}/twilio-inbound`;
}, 60_000);

afterAll(async () => {
  // Leave no opt-out behind for later suites (the history stays: it is append-only).
  for (const phone of used) {
    await stack.sql`select private.remove_opt_out('ws_demo', o.phone, 'manual', 'test cleanup')
      from public.sms_opt_outs o where o.workspace_id = 'ws_demo' and o.phone = ${phone}`;
  }
  await stack.sql`delete from public.scheduled_sms_jobs where to_phone = any (${used})`;
  await stack.stop();
});

describe("twilio-inbound through the simulator and the real function", () => {
  it("a signed \"Stop\" cancels the recipient's pending messages; a later send is refused; START re-allows", async () => {
    const to = recipient();
    used.push(to);
    const jobs = [await schedule(to, "Reminder one"), await schedule(to, "Reminder two")];
    const other = recipient();
    used.push(other);
    const untouched = await schedule(other, "Someone else's reminder");

    const stop = await reply(to, "Stop");
    expect(stop.status).toBe(200);
    expect(stop.contentType).toMatch(/^text\/xml/);
    expect(stop.responseBody).toBe(emptyTwiml);

    for (const jobId of jobs) {
      const status = await stack.api(token, "GET", `job-status?jobId=${jobId}&workspaceId=ws_demo`);
      expect(status.json.data).toMatchObject({ status: "cancelled", statusReason: "recipient_opted_out" });
      const timeline = await stack.api(token, "GET", `job-events?jobId=${jobId}&workspaceId=ws_demo`);
      expect(timeline.json.data.events.map((e: { type: string }) => e.type)).toContain("cancelled");
    }
    const stillScheduled = await stack.api(token, "GET", `job-status?jobId=${untouched}&workspaceId=ws_demo`);
    expect(stillScheduled.json.data.status).toBe("scheduled");

    const refused = await stack.api(token, "POST", "send-sms", { to, body: "Are you there?", workspaceId: "ws_demo" });
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe("recipient_opted_out");

    const inbound = await stack.api(token, "GET", `inbound-messages?workspaceId=ws_demo&phone=${encodeURIComponent(to)}`);
    expect(inbound.json.data.messages[0]).toMatchObject({
      messageSid: stop.messageSid, from: to, to: demoNumber, body: "Stop", action: "opt_out", keyword: "STOP",
      effect: "opted_out", cancelledJobs: 2,
    });

    const start = await reply(to, "START");
    expect(start.status).toBe(200);
    expect(await optedOut(to)).toBe(false);
    const allowed = await stack.api(token, "POST", "send-sms", { to, body: "Welcome back", workspaceId: "ws_demo" });
    expect(allowed.status).toBe(200);
    const history = await stack.api(token, "GET", `opt-outs?workspaceId=ws_demo&phone=${encodeURIComponent(to)}`);
    expect(history.json.data.history.map((e: { action: string; source: string }) => `${e.action} ${e.source}`))
      .toEqual(["removed start_keyword", "added stop_keyword"]);
  });

  it.each(["STOP", "stopall", "Unsubscribe", "CANCEL.", " end ", "Quit!", "revoke", "OPTOUT"])(
    "the opt-out keyword %j records an opt-out", async (word) => {
      const from = recipient();
      used.push(from);
      const answer = await reply(from, word);
      expect(answer.status).toBe(200);
      expect(await optedOut(from)).toBe(true);
    });

  it.each(["HELP", "info", "stop sending me stuff"])("%j is only logged", async (body) => {
    const from = recipient();
    used.push(from);
    const jobId = await schedule(from, "Still wanted");
    const answer = await reply(from, body);
    expect(answer.status).toBe(200);
    expect(answer.responseBody).toBe(emptyTwiml);
    expect(await optedOut(from)).toBe(false);
    expect((await stack.api(token, "GET", `job-status?jobId=${jobId}&workspaceId=ws_demo`)).json.data.status).toBe("scheduled");
    const [row] = await stack.sql<{ action: string; effect: string }[]>`
      select action, effect from public.inbound_messages where message_sid = ${answer.messageSid}`;
    expect(row).toEqual({ action: body.endsWith("stuff") ? "none" : "help", effect: "logged" });
  });

  it("refuses a forged or missing signature with 403 and stores nothing", async () => {
    const from = recipient();
    used.push(from);
    const jobId = await schedule(from, "Must survive a forgery");
    for (const forgeSignature of ["wrong-token", "missing"] as const) {
      const answer = await reply(from, "STOP", { forgeSignature });
      expect(answer.status).toBe(403);
      expect(await storedCount(answer.messageSid)).toBe(0);
    }
    expect(await optedOut(from)).toBe(false);
    expect((await stack.api(token, "GET", `job-status?jobId=${jobId}&workspaceId=ws_demo`)).json.data.status).toBe("scheduled");
  });

  it("refuses a message to a number no workspace has with 404 and stores nothing", async () => {
    const from = recipient();
    used.push(from);
    const answer = await reply(from, "STOP", { to: "+15005550999" });
    expect(answer.status).toBe(404);
    expect(await storedCount(answer.messageSid)).toBe(0);
    expect(await optedOut(from)).toBe(false);
  });

  it("answers a duplicate MessageSid 200 and changes nothing", async () => {
    const from = recipient();
    used.push(from);
    const first = await reply(from, "START");
    expect(first.status).toBe(200);
    // Twilio retrying the webhook sends the same SID; a forged body under it must not act either.
    const again = await reply(from, "STOP", { messageSid: first.messageSid });
    expect(again.status).toBe(200);
    expect(again.responseBody).toBe(emptyTwiml);
    expect(await storedCount(first.messageSid)).toBe(1);
    expect(await optedOut(from)).toBe(false);
  });

  it("sends Twilio's incoming-message parameters, signed as Twilio signs them", async () => {
    const from = recipient();
    used.push(from);
    const answer = await reply(from, "HELP");
    expect(answer.params).toMatchObject({
      MessageSid: answer.messageSid, SmsSid: answer.messageSid, SmsMessageSid: answer.messageSid, AccountSid: demoAccount,
      From: from, To: demoNumber, Body: "HELP", NumMedia: "0", NumSegments: "1", SmsStatus: "received",
      ApiVersion: "2010-04-01", FromCountry: "AU", ToCountry: "US",
    });
    expect(answer.messageSid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(answer.signature).toMatch(/^[A-Za-z0-9+/]{27}=$/);
  });
});
