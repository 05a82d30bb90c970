// The Twilio host a workspace's region and edge make, as the twilio SDK builds it and the Twilio
// simulator receives it: api.twilio.com by default, api.sydney.au1.twilio.com for au1 through sydney.
// The simulator records the host (X-Forwarded-Host from the rebasing client) and refuses a host
// Twilio does not answer on with 404 / 20404 (real Twilio would never be reached: DNS fails first).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TwilioApiError } from "../../delivery/twilio/client.ts";
import { createTwilioSender } from "../../delivery/twilio/sender.ts";
import { SendError } from "../../delivery/types.ts";
import type { RunningTwilioSimulator } from "../../dev/twilio-simulator/start-twilio-simulator.ts";
import { twilioApiHost, twilioEdges, twilioRegions } from "../../supabase/functions/_shared/regions.ts";
import { accountSid, authToken, clientFor, startSimulator, validSender } from "../twilio-simulator/support.ts";

let simulator: RunningTwilioSimulator;
beforeAll(async () => { simulator = await startSimulator(); });
afterAll(() => simulator.stop());
beforeEach(() => simulator.reset());

const message = (to: string) => ({ to, from: validSender, body: "Region test" });

describe("the Twilio client's region and edge", () => {
  it("a default client sends through api.twilio.com, au1 through sydney through api.sydney.au1.twilio.com", async () => {
    await clientFor(simulator).messages.create(message("+61412000001"));
    await clientFor(simulator, { region: "au1", edge: "sydney" }).messages.create(message("+61412000002"));
    await clientFor(simulator, { region: "ie1", edge: "dublin" }).messages.create(message("+61412000003"));
    expect(simulator.messages().map((m) => [m.to, m.apiHost])).toEqual([
      ["+61412000001", "api.twilio.com"],
      ["+61412000002", "api.sydney.au1.twilio.com"],
      ["+61412000003", "api.dublin.ie1.twilio.com"],
    ]);
  });

  it("the host the SDK builds is twilioApiHost's for every region and edge the settings allow", async () => {
    const combinations: [string | null, string | null][] = [[null, null], ["us1", null]];
    for (const region of [null, ...twilioRegions]) for (const edge of twilioEdges) combinations.push([region, edge]);
    for (const [i, [region, edge]] of combinations.entries()) {
      const to = `+614120001${String(i).padStart(2, "0")}`;
      await clientFor(simulator, { ...(region === null ? {} : { region }), ...(edge === null ? {} : { edge }) })
        .messages.create(message(to));
      expect({ region, edge, host: simulator.messages({ to })[0]?.apiHost }).toEqual({ region, edge, host: twilioApiHost(region, edge) });
    }
  });

  it("the sender keeps one client per account, region and edge: one account sends from two regions", async () => {
    const sender = createTwilioSender({ apiBaseUrl: simulator.url, timeoutMs: 5_000 });
    const outgoing = (to: string) => ({ to, from: validSender, body: "Region test", mediaUrls: [] });
    await sender.send({ accountSid, authToken }, outgoing("+61412000201"));
    await sender.send({ accountSid, authToken, region: "au1", edge: "sydney" }, outgoing("+61412000202"));
    await sender.send({ accountSid, authToken }, outgoing("+61412000203"));
    expect(simulator.messages().map((m) => m.apiHost))
      .toEqual(["api.twilio.com", "api.sydney.au1.twilio.com", "api.twilio.com"]);
  });
});

describe("hosts Twilio does not answer on", () => {
  it("a region without an edge (api.au1.twilio.com, retired on 2026-04-28) is refused with 404 / 20404 and nothing is sent", async () => {
    const refusal = await clientFor(simulator, { region: "au1" }).messages.create(message("+61412000301")).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(TwilioApiError);
    expect(refusal).toMatchObject({ status: 404, code: 20404 });
    expect((refusal as Error).message).toContain("api.au1.twilio.com is not a Twilio API host");
    expect(simulator.messages()).toEqual([]);
    expect(simulator.requests().map((r) => [r.apiHost, r.responseStatus, r.errorCode]))
      .toEqual([["api.au1.twilio.com", 404, 20404]]);
  });

  it("through the sender it is a permanent failure, not a send in doubt", async () => {
    const sender = createTwilioSender({ apiBaseUrl: simulator.url, timeoutMs: 5_000 });
    const error = await sender.send({ accountSid, authToken, region: "ie1" },
      { to: "+61412000302", from: validSender, body: "x", mediaUrls: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SendError);
    expect((error as SendError).failure).toMatchObject({ httpStatus: 404, twilioCode: 20404 });
  });

  it.each(["api.example.com", "api.sydney.eu1.twilio.com", "api.melbourne.au1.twilio.com", "sms.twilio.com.evil.test"])(
    "a request for %s is refused before its credentials are looked at", async (host) => {
      const answer = await fetch(`${simulator.url}/2010-04-01/Accounts/${accountSid}/Messages.json`, {
        method: "POST",
        headers: { "X-Forwarded-Host": host, "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ To: "+61412000303", From: validSender, Body: "x" }).toString(),
      });
      expect(answer.status).toBe(404);
      expect(await answer.json()).toMatchObject({ code: 20404, status: 404 });
      expect(simulator.requests().at(-1)).toMatchObject({ apiHost: host, responseStatus: 404, errorCode: 20404 });
    });

  it("a request made to the simulator's own address is for api.twilio.com, which it stands in for", async () => {
    const answer = await fetch(`${simulator.url}/2010-04-01/Accounts/${accountSid}/Messages.json`, {
      method: "POST",
      headers: {
        Authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ To: "+61412000304", From: validSender, Body: "x" }).toString(),
    });
    expect(answer.status).toBe(201);
    expect(simulator.messages()[0]?.apiHost).toBe("api.twilio.com");
  });
});
