// Our WebCrypto signature code must agree with the twilio SDK's own validator, both ways.
import { describe, expect, it } from "vitest";
import twilio from "twilio";
import fc from "fast-check";
import { isValidTwilioSignature, parseFormBody, twilioSignature } from "../../supabase/functions/_shared/twilio-signature.ts";

const token = "12345678901234567890123456789012";
const url = "https://abc.supabase.co/functions/v1/twilio-status?job=job_123";

describe("Twilio request signatures", () => {
  it("matches the SDK's expected signature for random parameters", async () => {
    await fc.assert(fc.asyncProperty(
      fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ maxLength: 40 }), { maxKeys: 8 }),
      fc.webUrl({ withQueryParameters: true }),
      async (params, someUrl) => {
        const ours = await twilioSignature(token, someUrl, params);
        expect(ours).toBe(twilio.getExpectedTwilioSignature(token, someUrl, params));
      }), { numRuns: 200 });
  });

  it("accepts what the SDK signs and the SDK accepts what we sign", async () => {
    const params = { MessageSid: "SM" + "a".repeat(32), MessageStatus: "delivered", To: "+61412345678" };
    const sdkSignature = twilio.getExpectedTwilioSignature(token, url, params);
    expect(await isValidTwilioSignature(token, sdkSignature, url, params)).toBe(true);
    expect(twilio.validateRequest(token, await twilioSignature(token, url, params), url, params)).toBe(true);
  });

  it("rejects a wrong token, a changed parameter, a missing header and another URL", async () => {
    const params = { MessageSid: "SM1", MessageStatus: "delivered" };
    const signature = await twilioSignature(token, url, params);
    expect(await isValidTwilioSignature("another-token-another-token-0000", signature, url, params)).toBe(false);
    expect(await isValidTwilioSignature(token, signature, url, { ...params, MessageStatus: "failed" })).toBe(false);
    expect(await isValidTwilioSignature(token, null, url, params)).toBe(false);
    expect(await isValidTwilioSignature(token, signature, url.replace("job_123", "job_124"), params)).toBe(false);
  });

  it("accepts a signature made over the URL without its explicit port", async () => {
    const withPort = "http://127.0.0.1:54321/functions/v1/twilio-status?job=j";
    const params = { MessageSid: "SM1", MessageStatus: "sent" };
    const signature = await twilioSignature(token, "http://127.0.0.1/functions/v1/twilio-status?job=j", params);
    expect(await isValidTwilioSignature(token, signature, withPort, params)).toBe(true);
  });

  it("parses repeated form fields as lists, like Twilio's MediaUrl", () => {
    expect(parseFormBody("A=1&MediaUrl=x&MediaUrl=y&B=%2B61")).toEqual({ A: "1", MediaUrl: ["x", "y"], B: "+61" });
  });
});
