// Injected faults as a caller of the twilio SDK experiences them: 429s with Retry-After, 500s,
// timeouts, latency, a per-sender rate limit and scripted outcomes per recipient; and the
// control API that sets them at runtime.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import twilio from "twilio";
import type { RunningTwilioSimulator } from "../../dev/twilio-simulator/start-twilio-simulator.ts";
import { TwilioApiError } from "../../delivery/twilio/client.ts";
import { clientFor, rejectionOf, startSimulator, validSender } from "./support.ts";

let simulator: RunningTwilioSimulator;
beforeAll(async () => { simulator = await startSimulator(); });
afterAll(() => simulator.stop());
beforeEach(() => simulator.reset());

const send = (to = "+61412345678", from = validSender, client = clientFor(simulator)) =>
  client.messages.create({ to, from, body: "fault test" });

describe("injected errors", () => {
  it("answers 429 / 20429 with a Retry-After the caller can read", async () => {
    simulator.configure({ tooManyRequestsRate: 1, retryAfterSeconds: 7 });
    const error = await rejectionOf(send());
    expect(error).toBeInstanceOf(twilio.RestException);
    expect(error).toBeInstanceOf(TwilioApiError);
    expect(error).toMatchObject({ status: 429, code: 20429, retryAfterSeconds: 7 });
    expect((error as TwilioApiError).headers["retry-after"]).toBe("7");
    expect(simulator.messages()).toHaveLength(0);
  });

  it("answers 500 / 20500 at the configured rate", async () => {
    simulator.configure({ serverErrorRate: 1 });
    expect(await rejectionOf(send())).toMatchObject({ status: 500, code: 20500 });
    simulator.configure({ serverErrorRate: 0 });
    expect((await send()).status).toBe("queued");
  });

  it("fails about the configured share of requests", async () => {
    simulator.configure({ serverErrorRate: 0.5 });
    const results = await Promise.allSettled(Array.from({ length: 200 }, () => send()));
    const failed = results.filter((r) => r.status === "rejected").length;
    expect(failed).toBeGreaterThan(60);
    expect(failed).toBeLessThan(140);
    expect(simulator.messages()).toHaveLength(200 - failed);
  });

  it("adds the configured latency to every answer", async () => {
    simulator.configure({ latencyMs: { min: 80, max: 100 } });
    const started = Date.now();
    await send();
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
  });
});

describe("timeouts", () => {
  it("holds the request unanswered, so the SDK times out, and creates nothing", async () => {
    simulator.configure({ timeoutRate: 1, timeoutHoldMs: 2_000 });
    const started = Date.now();
    const error = await rejectionOf(send("+61412345678", validSender, clientFor(simulator, { timeoutMs: 200 })));
    expect(error).not.toBeInstanceOf(twilio.RestException);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(simulator.messages()).toHaveLength(0);
    expect(simulator.requests()).toMatchObject([{ responseStatus: null, messageSid: null }]);
  });

  it("drops the connection after the hold time when the caller waits longer", async () => {
    simulator.configure({ timeoutRate: 1, timeoutHoldMs: 100 });
    const error = await rejectionOf(send("+61412345678", validSender, clientFor(simulator, { timeoutMs: 5_000 })));
    expect(error).not.toBeInstanceOf(twilio.RestException);
  });

  it("can accept the message and still never answer (the ambiguous timeout)", async () => {
    simulator.configure({ scriptedOutcomes: { "+61400000099": [{ outcome: "timeout", holdMs: 1_000, created: true }] } });
    const error = await rejectionOf(send("+61400000099", validSender, clientFor(simulator, { timeoutMs: 150 })));
    expect(error).not.toBeInstanceOf(twilio.RestException);
    const [message] = simulator.messages({ to: "+61400000099" });
    expect(message).toBeDefined();
    expect(simulator.requests()).toMatchObject([{ responseStatus: null, messageSid: message?.sid }]);
  });
});

describe("per-sender rate limit", () => {
  it("lets each sender create its allowance per second and answers 429 with Retry-After beyond", async () => {
    // 2 per second: the burst below arrives well within the half second one more token takes.
    simulator.configure({ senderRateLimitPerSecond: 2 });
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => send("+61412345678", validSender)));
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(2);
    expect(rejected).toHaveLength(3);
    for (const { reason } of rejected) {
      expect(reason).toMatchObject({ status: 429, code: 20429 });
      expect((reason as TwilioApiError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    }
    // Another sender has its own allowance.
    expect((await send("+61412345678", "+15005550010")).status).toBe("queued");
  });

  it("refills: after a pause the sender may send again", async () => {
    simulator.configure({ senderRateLimitPerSecond: 20 });
    await Promise.allSettled(Array.from({ length: 25 }, () => send()));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await send()).status).toBe("queued");
  });
});

describe("scripted outcomes per recipient", () => {
  it("fails exactly the first two requests with 500, then succeeds", async () => {
    simulator.configure({ scriptedOutcomes: { "+61411111111": [{ outcome: "error", status: 500, times: 2 }] } });
    expect(await rejectionOf(send("+61411111111"))).toMatchObject({ status: 500, code: 20500 });
    // Other recipients are unaffected by the script.
    expect((await send("+61422222222")).status).toBe("queued");
    expect(await rejectionOf(send("+61411111111"))).toMatchObject({ status: 500, code: 20500 });
    expect((await send("+61411111111")).status).toBe("queued");
    expect((await send("+61411111111")).status).toBe("queued");
    expect(simulator.requests().filter((r) => r.to === "+61411111111").map((r) => r.responseStatus))
      .toEqual([500, 500, 201, 201]);
  });

  it("plays steps in order: a 429 with its Retry-After, a Twilio code, then success", async () => {
    simulator.configure({
      scriptedOutcomes: {
        "+61433333333": [
          { outcome: "error", status: 429, retryAfterSeconds: 3 },
          { outcome: "error", status: 400, code: 21610 },
          { outcome: "success" },
        ],
      },
    });
    expect(await rejectionOf(send("+61433333333"))).toMatchObject({ status: 429, code: 20429, retryAfterSeconds: 3 });
    expect(await rejectionOf(send("+61433333333"))).toMatchObject({ status: 400, code: 21610 });
    expect((await send("+61433333333")).status).toBe("queued");
  });

  it("takes precedence over random faults while it lasts", async () => {
    simulator.configure({ serverErrorRate: 1, scriptedOutcomes: { "+61444444444": [{ outcome: "success" }] } });
    expect((await send("+61444444444")).status).toBe("queued");
    expect(await rejectionOf(send("+61444444444"))).toMatchObject({ status: 500 });
  });
});

describe("control API", () => {
  async function control(method: string, path: string, body?: unknown) {
    const response = await fetch(`${simulator.url}/__simulator/${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "Content-Type": "application/json" } }),
    });
    return { status: response.status, body: await response.json() as Record<string, unknown> };
  }

  it("changes the configuration over HTTP and shows what was received", async () => {
    const configured = await control("POST", "config", {
      scriptedOutcomes: { "+61455555555": [{ outcome: "error", status: 503, times: 1 }] },
    });
    expect(configured.status).toBe(200);
    expect(await rejectionOf(send("+61455555555"))).toMatchObject({ status: 503, code: 20503 });
    const created = await send("+61455555555");

    const { body } = await control("GET", "messages?to=%2B61455555555");
    expect(body.messages).toMatchObject([{ sid: created.sid, to: "+61455555555", params: { Body: "fault test" } }]);
    const requests = await control("GET", "requests");
    expect(requests.body.requests).toMatchObject([{ responseStatus: 503 }, { responseStatus: 201 }]);
  });

  it("refuses an invalid configuration with 400 and keeps the old one", async () => {
    const refused = await control("POST", "config", { serverErrorRate: 2 });
    expect(refused.status).toBe(400);
    const unknownSetting = await control("POST", "config", { serverErorRate: 0.5 });
    expect(unknownSetting.status).toBe(400);
    expect((await send()).status).toBe("queued");
  });

  it("resets: forgets messages and restores the start configuration", async () => {
    await send();
    await control("POST", "config", { serverErrorRate: 1 });
    await expect(send()).rejects.toBeInstanceOf(twilio.RestException);
    expect((await control("POST", "reset")).status).toBe(200);
    expect((await control("GET", "messages")).body.messages).toEqual([]);
    expect((await control("GET", "config")).body.config).toMatchObject({ serverErrorRate: 0 });
    expect((await send()).status).toBe("queued");
  });
});
