// The simulator's Messages API as the real twilio SDK sees it (through delivery/twilio/client.ts),
// plus the wire format checked directly.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import twilio from "twilio";
import type { RunningTwilioSimulator } from "../../dev/twilio-simulator/start-twilio-simulator.ts";
import { TwilioApiError } from "../../delivery/twilio/client.ts";
import {
  accountSid, apiKeySecret, apiKeySid, authToken, clientFor, otherAccountSid, otherAuthToken, rejectionOf,
  startSimulator, validSender,
} from "./support.ts";

let simulator: RunningTwilioSimulator;
beforeAll(async () => { simulator = await startSimulator(); });
afterAll(() => simulator.stop());
beforeEach(() => simulator.reset());

function basicAuth(user: string, password: string): string {
  return "Basic " + Buffer.from(`${user}:${password}`).toString("base64");
}

async function postForm(path: string, form: URLSearchParams, auth = basicAuth(accountSid, authToken)) {
  const response = await fetch(simulator.url + path, {
    method: "POST",
    headers: { Authorization: auth, "Content-Type": "application/x-www-form-urlencoded" },
    body: form,
  });
  return { status: response.status, headers: response.headers, body: await response.json() as Record<string, unknown> };
}

const messagesPath = `/2010-04-01/Accounts/${accountSid}/Messages.json`;

describe("creating messages through the twilio SDK", () => {
  it("answers with Twilio's Message resource, status queued", async () => {
    const client = clientFor(simulator);
    const before = Date.now();
    const message = await client.messages.create({ to: "+61412345678", from: validSender, body: "Hello there" });

    expect(message.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(message.accountSid).toBe(accountSid);
    expect(message.status).toBe("queued");
    expect(message.to).toBe("+61412345678");
    expect(message.from).toBe(validSender);
    expect(message.body).toBe("Hello there");
    expect(message.direction).toBe("outbound-api");
    expect(message.apiVersion).toBe("2010-04-01");
    expect(message.numSegments).toBe("1");
    expect(message.numMedia).toBe("0");
    expect(message.errorCode).toBeNull();
    expect(message.uri).toBe(`/2010-04-01/Accounts/${accountSid}/Messages/${message.sid}.json`);
    // RFC 2822 dates parse back to the second of creation.
    expect(message.dateCreated.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(message.dateCreated.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it("accepts a ValidityPeriod of 1-36000 seconds and echoes it; refuses one out of range with 21630", async () => {
    const client = clientFor(simulator);
    await client.messages.create({ to: "+61412345678", from: validSender, body: "Soon", validityPeriod: 600 });
    expect(simulator.messages()[0]?.validityPeriod).toBe(600);
    const form = new URLSearchParams({ To: "+61412345678", From: validSender, Body: "Echo", ValidityPeriod: "36000" });
    const echoed = await postForm(messagesPath, form);
    expect(echoed.status).toBe(201);
    expect(echoed.body.validity_period).toBe("36000");
    for (const bad of ["0", "36001", "12.5"]) {
      const refused = await postForm(messagesPath, new URLSearchParams({ To: "+61412345678", From: validSender, Body: "x", ValidityPeriod: bad }));
      expect({ bad, status: refused.status, code: refused.body.code }).toEqual({ bad, status: 400, code: 21630 });
    }
    expect(simulator.messages()).toHaveLength(2);
  });

  it("keeps every MediaUrl and the receive time of each message", async () => {
    const client = clientFor(simulator);
    const before = Date.now();
    const message = await client.messages.create({
      to: "+61412345678", from: validSender, body: "See these",
      mediaUrl: ["https://example.com/a.png", "https://example.com/b.jpg"],
      statusCallback: "http://127.0.0.1:9/status?job=42",
    });
    expect(message.numMedia).toBe("2");

    const [kept] = simulator.messages();
    expect(kept?.sid).toBe(message.sid);
    expect(kept?.mediaUrls).toEqual(["https://example.com/a.png", "https://example.com/b.jpg"]);
    expect(kept?.params.MediaUrl).toEqual(["https://example.com/a.png", "https://example.com/b.jpg"]);
    expect(kept?.statusCallback).toBe("http://127.0.0.1:9/status?job=42");
    expect(kept?.receivedAt).toBeGreaterThanOrEqual(before);
    expect(kept?.receivedAt).toBeLessThanOrEqual(Date.now());
  });

  it("sends with a Messaging Service: accepted, no sender yet", async () => {
    const message = await clientFor(simulator).messages.create({
      to: "+61412345678", messagingServiceSid: "MG0123456789abcdef0123456789abcdef", body: "Via service",
    });
    expect(message.status).toBe("accepted");
    expect(message.messagingServiceSid).toBe("MG0123456789abcdef0123456789abcdef");
    expect(message.from).toBeNull();
  });

  it("counts segments like Twilio: GSM-7 160/153, UCS-2 70/67", async () => {
    const client = clientFor(simulator);
    const send = (body: string) => client.messages.create({ to: "+61412345678", from: validSender, body });
    expect((await send("a".repeat(160))).numSegments).toBe("1");
    expect((await send("a".repeat(161))).numSegments).toBe("2");
    expect((await send("é".repeat(10) + "ł".repeat(60))).numSegments).toBe("1");
    expect((await send("ł".repeat(71))).numSegments).toBe("2");
  });

  it("authenticates with an API key of the account", async () => {
    const client = clientFor(simulator, { apiKey: { sid: apiKeySid, secret: apiKeySecret } });
    const message = await client.messages.create({ to: "+61412345678", from: validSender, body: "key" });
    expect(message.accountSid).toBe(accountSid);
  });
});

describe("fetching and listing", () => {
  it("fetches a message, and its status moves on to delivered", async () => {
    const client = clientFor(simulator);
    const created = await client.messages.create({ to: "+61412345678", from: validSender, body: "x" });
    await simulator.idle();
    const fetched = await client.messages(created.sid).fetch();
    expect(fetched.sid).toBe(created.sid);
    expect(fetched.status).toBe("delivered");
    expect(fetched.dateSent).toBeInstanceOf(Date);
  });

  it("answers 404 (20404) for an unknown message", async () => {
    const error = await rejectionOf(clientFor(simulator).messages("SM00000000000000000000000000000000").fetch());
    expect(error).toBeInstanceOf(twilio.RestException);
    expect(error).toMatchObject({ status: 404, code: 20404 });
  });

  it("does not show one account's messages to another", async () => {
    const created = await clientFor(simulator).messages.create({ to: "+61412345678", from: validSender, body: "mine" });
    const other = clientFor(simulator, { accountSid: otherAccountSid, authToken: otherAuthToken });
    expect(await rejectionOf(other.messages(created.sid).fetch())).toMatchObject({ status: 404, code: 20404 });
    expect(await other.messages.list()).toEqual([]);
  });

  it("lists newest first, filters by To and From, and pages", async () => {
    const client = clientFor(simulator);
    const sids: string[] = [];
    for (let i = 0; i < 5; i++) {
      sids.push((await client.messages.create({ to: "+61400000001", from: validSender, body: `m${i}` })).sid);
    }
    await client.messages.create({ to: "+61400000002", from: "+15005550010", body: "other" });

    const toFirst = await client.messages.list({ to: "+61400000001", pageSize: 2 });
    expect(toFirst.map((m) => m.sid)).toEqual([...sids].reverse());
    expect((await client.messages.list({ from: "+15005550010" })).map((m) => m.body)).toEqual(["other"]);

    const page = await client.messages.page({ to: "+61400000001", pageSize: 2 });
    expect(page.instances).toHaveLength(2);
    expect(page.nextPageUrl).toBeDefined();
    const second = await page.nextPage();
    expect(second?.instances.map((m) => m.body)).toEqual(["m2", "m1"]);
  });
});

describe("authentication", () => {
  it("answers 401 with Twilio's 20003 error for a wrong token", async () => {
    const client = clientFor(simulator, { authToken: "wrong" });
    const error = await rejectionOf(client.messages.create({ to: "+61412345678", from: validSender, body: "x" }));
    expect(error).toBeInstanceOf(twilio.RestException);
    expect(error).toMatchObject({ status: 401, code: 20003, moreInfo: "https://www.twilio.com/docs/errors/20003" });
    expect(simulator.messages()).toHaveLength(0);
  });

  it("refuses an unknown account, a missing header and another account's path", async () => {
    const form = new URLSearchParams({ To: "+61412345678", From: validSender, Body: "x" });
    const unknown = await postForm("/2010-04-01/Accounts/AC99999999999999999999999999999999/Messages.json", form,
      basicAuth("AC99999999999999999999999999999999", "x"));
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual({ code: 20003, message: "Authenticate", more_info: "https://www.twilio.com/docs/errors/20003", status: 401 });
    expect(unknown.headers.get("www-authenticate")).toMatch(/^Basic/);

    const missing = await fetch(simulator.url + messagesPath, { method: "POST", body: form });
    expect(missing.status).toBe(401);

    const crossAccount = await postForm(`/2010-04-01/Accounts/${otherAccountSid}/Messages.json`, form);
    expect(crossAccount.status).toBe(401);
  });
});

describe("request validation with Twilio's codes", () => {
  const cases: [string, Record<string, string>, number][] = [
    ["missing To", { From: validSender, Body: "x" }, 21604],
    ["missing Body and MediaUrl", { To: "+61412345678", From: validSender }, 21602],
    ["missing From and MessagingServiceSid", { To: "+61412345678", Body: "x" }, 21603],
    ["a malformed To", { To: "0412 345 678", From: validSender, Body: "x" }, 21211],
    ["a malformed From", { To: "+61412345678", From: "+1-not-a-number!", Body: "x" }, 21212],
    ["a body over 1600 characters", { To: "+61412345678", From: validSender, Body: "x".repeat(1601) }, 21617],
    ["a StatusCallback that is not an http URL", { To: "+61412345678", From: validSender, Body: "x", StatusCallback: "ftp://x" }, 21609],
  ];
  it.each(cases)("refuses %s", async (_name, fields, code) => {
    const { status, body } = await postForm(messagesPath, new URLSearchParams(fields));
    expect(status).toBe(400);
    expect(body).toMatchObject({ code, status: 400, more_info: `https://www.twilio.com/docs/errors/${code}` });
    expect(typeof body.message).toBe("string");
  });

  it("answers JSON with exactly Twilio's error fields", async () => {
    const { body } = await postForm(messagesPath, new URLSearchParams({ From: validSender, Body: "x" }));
    expect(Object.keys(body).sort()).toEqual(["code", "message", "more_info", "status"]);
  });
});

describe("Twilio's magic test numbers", () => {
  const cases: [string, { to: string; from: string }, number][] = [
    ["To +15005550001 (invalid)", { to: "+15005550001", from: validSender }, 21211],
    ["To +15005550002 (cannot route)", { to: "+15005550002", from: validSender }, 21612],
    ["To +15005550003 (no international permission)", { to: "+15005550003", from: validSender }, 21408],
    ["To +15005550004 (opted out)", { to: "+15005550004", from: validSender }, 21610],
    ["To +15005550009 (not SMS-capable)", { to: "+15005550009", from: validSender }, 21614],
    ["From +15005550001 (invalid)", { to: "+61412345678", from: "+15005550001" }, 21212],
    ["From +15005550007 (not owned)", { to: "+61412345678", from: "+15005550007" }, 21606],
    ["From +15005550008 (queue full)", { to: "+61412345678", from: "+15005550008" }, 21611],
  ];
  it.each(cases)("%s surfaces as RestException %s", async (_name, { to, from }, code) => {
    const error = await rejectionOf(clientFor(simulator).messages.create({ to, from, body: "magic" }));
    expect(error).toBeInstanceOf(twilio.RestException);
    expect(error).toBeInstanceOf(TwilioApiError);
    expect(error).toMatchObject({ status: 400, code, moreInfo: `https://www.twilio.com/docs/errors/${code}` });
    expect(simulator.messages()).toHaveLength(0);
    expect(simulator.requests()).toMatchObject([{ to, from, responseStatus: 400, errorCode: code, messageSid: null }]);
  });

  it("accepts any other valid number", async () => {
    const message = await clientFor(simulator).messages.create({ to: "+15005550006", from: validSender, body: "ok" });
    expect(message.status).toBe("queued");
  });
});
