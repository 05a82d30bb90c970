// Status callbacks as a receiving endpoint sees them: signed so the twilio SDK's own validator
// accepts them, the status sequence per outcome, duplicates, reordering, and never blocking sends.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import twilio from "twilio";
import type { RunningTwilioSimulator } from "../../dev/twilio-simulator/start-twilio-simulator.ts";
import {
  accountSid, apiKeySecret, apiKeySid, authToken, clientFor, startCallbackReceiver, startSimulator, validSender,
  type CallbackReceiver,
} from "./support.ts";

let simulator: RunningTwilioSimulator;
let receiver: CallbackReceiver;
beforeAll(async () => { simulator = await startSimulator(); });
afterAll(() => simulator.stop());
beforeEach(async () => {
  simulator.reset();
  receiver = await startCallbackReceiver();
});
afterEach(() => receiver.close());

function send(to: string, statusCallback = `${receiver.url}/twilio-status?job=job_123&attempt=1`, extra = {}) {
  return clientFor(simulator).messages.create({ to, from: validSender, body: "callback test", statusCallback, ...extra });
}

describe("signatures", () => {
  it("signs every callback so twilio.validateRequest accepts it with the account's auth token", async () => {
    const message = await send("+61412345678");
    const callbacks = await receiver.waitFor(3);
    for (const callback of callbacks) {
      expect(callback.contentType).toMatch(/^application\/x-www-form-urlencoded/);
      expect(callback.url).toBe(`${receiver.url}/twilio-status?job=job_123&attempt=1`);
      expect(twilio.validateRequest(authToken, callback.signature ?? "", callback.url, callback.params)).toBe(true);
      expect(callback.params).toMatchObject({
        MessageSid: message.sid, SmsSid: message.sid, AccountSid: accountSid,
        From: validSender, To: "+61412345678", ApiVersion: "2010-04-01",
      });
    }
  });

  it("is rejected by validateRequest with another token, another URL or altered parameters", async () => {
    await send("+61412345678");
    const [callback] = await receiver.waitFor(1);
    if (callback === undefined) throw new Error("no callback");
    const signature = callback.signature ?? "";
    expect(twilio.validateRequest("some-other-token", signature, callback.url, callback.params)).toBe(false);
    expect(twilio.validateRequest(authToken, signature, callback.url.replace("job_123", "job_999"), callback.params)).toBe(false);
    expect(twilio.validateRequest(authToken, signature, callback.url, { ...callback.params, MessageStatus: "delivered" })).toBe(false);
  });

  it("signs with the account's auth token also when the message was sent with an API key", async () => {
    await clientFor(simulator, { apiKey: { sid: apiKeySid, secret: apiKeySecret } }).messages.create({
      to: "+61412345678", from: validSender, body: "k", statusCallback: `${receiver.url}/cb`,
    });
    const [callback] = await receiver.waitFor(1);
    expect(twilio.validateRequest(authToken, callback?.signature ?? "", callback?.url ?? "", callback?.params ?? {})).toBe(true);
    expect(twilio.validateRequest(apiKeySecret, callback?.signature ?? "", callback?.url ?? "", callback?.params ?? {})).toBe(false);
  });
});

describe("status sequence", () => {
  it("reports queued, sent, delivered in order by default", async () => {
    await send("+61412345678");
    const callbacks = await receiver.waitFor(3);
    expect(callbacks.map((c) => c.params.MessageStatus)).toEqual(["queued", "sent", "delivered"]);
    expect(callbacks.every((c) => c.params.ErrorCode === undefined)).toBe(true);
  });

  it("reports undelivered with ErrorCode 30003 for a recipient configured so", async () => {
    simulator.configure({ deliveryOutcomes: { "+61400000003": { status: "undelivered" } } });
    const message = await send("+61400000003");
    const callbacks = await receiver.waitFor(3);
    expect(callbacks.map((c) => [c.params.MessageStatus, c.params.ErrorCode])).toEqual([
      ["queued", undefined], ["sent", undefined], ["undelivered", "30003"],
    ]);
    await simulator.idle();
    const fetched = await clientFor(simulator).messages(message.sid).fetch();
    expect(fetched.status).toBe("undelivered");
    expect(fetched.errorCode).toBe(30003);
  });

  it("reports failed with the configured code", async () => {
    simulator.configure({ deliveryOutcomes: { "+61400000004": { status: "failed", errorCode: 30007 } } });
    await send("+61400000004");
    const callbacks = await receiver.waitFor(2);
    await simulator.idle();
    expect(callbacks.map((c) => [c.params.MessageStatus, c.params.ErrorCode])).toEqual([["queued", undefined], ["failed", "30007"]]);
  });

  it("reports Price and PriceUnit on the final callback of a charged message, as the message resource shows them", async () => {
    simulator.configure({ deliveryOutcomes: { "+61400000005": { status: "failed", errorCode: 30007 } } });
    const delivered = await send("+61412345678");
    await send("+61400000005");
    const callbacks = await receiver.waitFor(5);
    await simulator.idle();
    const final = callbacks.find((c) => c.params.MessageSid === delivered.sid && c.params.MessageStatus === "delivered");
    expect([final?.params.Price, final?.params.PriceUnit]).toEqual(["-0.00790", "USD"]);
    expect(callbacks.filter((c) => c.params.MessageStatus !== "delivered").every((c) => c.params.Price === undefined)).toBe(true);
    const fetched = await clientFor(simulator).messages(delivered.sid).fetch();
    expect([fetched.price, fetched.priceUnit]).toEqual(["-0.00790", "USD"]);
  });

  it("spaces statuses by the configured delay", async () => {
    simulator.configure({ callbacks: { statusDelayMs: 60 } });
    await send("+61412345678");
    const [queued, sent, delivered] = await receiver.waitFor(3);
    expect((sent?.receivedAt ?? 0) - (queued?.receivedAt ?? 0)).toBeGreaterThanOrEqual(50);
    expect((delivered?.receivedAt ?? 0) - (sent?.receivedAt ?? 0)).toBeGreaterThanOrEqual(50);
  });

  it("names the Messaging Service in callbacks of messages sent through one", async () => {
    await clientFor(simulator).messages.create({
      to: "+61412345678", messagingServiceSid: "MG0123456789abcdef0123456789abcdef", body: "svc", statusCallback: `${receiver.url}/cb`,
    });
    const [callback] = await receiver.waitFor(1);
    expect(callback?.params.MessagingServiceSid).toBe("MG0123456789abcdef0123456789abcdef");
    // The service has picked a sender by the time the message is queued.
    expect(callback?.params.From).toMatch(/^\+\d+$/);
  });

  it("sends no callbacks without a StatusCallback, yet the message still reaches delivered", async () => {
    const message = await clientFor(simulator).messages.create({ to: "+61412345678", from: validSender, body: "quiet" });
    await simulator.idle();
    expect(simulator.callbacks()).toHaveLength(0);
    expect((await clientFor(simulator).messages(message.sid).fetch()).status).toBe("delivered");
  });
});

describe("duplicates and reordering", () => {
  it("sends each callback twice when duplicateRate is 1", async () => {
    simulator.configure({ callbacks: { duplicateRate: 1 } });
    await send("+61412345678");
    const callbacks = await receiver.waitFor(6);
    await simulator.idle();
    expect(callbacks.map((c) => c.params.MessageStatus)).toEqual(["queued", "queued", "sent", "sent", "delivered", "delivered"]);
    expect(simulator.callbacks().filter((c) => c.duplicate)).toHaveLength(3);
    expect(callbacks.every((c) => twilio.validateRequest(authToken, c.signature ?? "", c.url, c.params))).toBe(true);
  });

  it("delivers a message's callbacks in reverse order when asked", async () => {
    simulator.configure({ callbacks: { order: "reversed" } });
    await send("+61412345678");
    const callbacks = await receiver.waitFor(3);
    expect(callbacks.map((c) => c.params.MessageStatus)).toEqual(["delivered", "sent", "queued"]);
  });

  it("shuffles but still delivers every status once", async () => {
    simulator.configure({ callbacks: { order: "shuffled" } });
    await send("+61412345678");
    const callbacks = await receiver.waitFor(3);
    expect(callbacks.map((c) => c.params.MessageStatus).sort()).toEqual(["delivered", "queued", "sent"]);
  });
});

describe("delivery of callbacks", () => {
  it("records each callback with the receiver's HTTP answer, also per message", async () => {
    await receiver.close();
    receiver = await startCallbackReceiver((_req, res) => { res.writeHead(500).end("nope"); });
    const message = await send("+61412345678");
    await receiver.waitFor(3);
    await simulator.idle();
    expect(simulator.callbacks().map((c) => [c.status, c.responseStatus])).toEqual([["queued", 500], ["sent", 500], ["delivered", 500]]);
    const [kept] = simulator.messages();
    expect(kept?.callbacks.map((c) => c.messageSid)).toEqual([message.sid, message.sid, message.sid]);
    expect(kept?.callbacks.every((c) => c.sentAt !== null && c.completedAt !== null)).toBe(true);
  });

  it("records a network error when the callback URL does not answer", async () => {
    await send("+61412345678", "http://127.0.0.1:1/unreachable");
    await simulator.idle();
    expect(simulator.callbacks()).toHaveLength(3);
    expect(simulator.callbacks().every((c) => c.responseStatus === null && c.error !== null)).toBe(true);
  });

  it("never makes message creation wait for a slow receiver, and bounds callbacks in flight", async () => {
    await receiver.close();
    let inFlight = 0;
    let maxInFlight = 0;
    receiver = await startCallbackReceiver((_req, res) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => { inFlight -= 1; res.writeHead(204).end(); }, 100);
    });
    simulator.configure({ callbacks: { concurrency: 3, statusDelayMs: 0 } });

    const started = Date.now();
    await Promise.all(Array.from({ length: 10 }, (_, i) => send(`+6141000000${i}`)));
    expect(Date.now() - started).toBeLessThan(1_000);

    await receiver.waitFor(30, 10_000);
    expect(maxInFlight).toBeLessThanOrEqual(3);
    expect(maxInFlight).toBeGreaterThan(1);
  });
});
