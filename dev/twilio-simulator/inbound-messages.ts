// Inbound messages: what Twilio posts to a number's incoming-message webhook ("A message comes in")
// when someone texts it, in Twilio's exact form (the parameters of its Messaging webhook request),
// signed with X-Twilio-Signature by the account's auth token. Tests and benchmarks use it to reply
// STOP, START or HELP to the real twilio-inbound function.
import { randomUUID } from "node:crypto";
import http from "node:http";
import https from "node:https";
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { z } from "zod";
import { twilioSignature } from "./callback-signature.ts";

export const inboundMessageRequestSchema = z.strictObject({
  /** The webhook URL configured on the number (the twilio-inbound function). */
  url: z.url(),
  accountSid: z.string().regex(/^AC[0-9a-f]{32}$/),
  /** The recipient replying (E.164). */
  from: z.string().min(1).max(100),
  /** The number (or short code) they texted: one of the workspace's senders. */
  to: z.string().min(1).max(100),
  body: z.string().max(1600).default(""),
  /** The Messaging Service the number belongs to, if any. */
  messagingServiceSid: z.string().regex(/^MG[0-9a-f]{32}$/).optional(),
  /** Media attached (MediaUrl0…, MediaContentType0…). */
  mediaUrls: z.array(z.url()).max(10).default([]),
  /** A given SID (to send the same message twice, as a retried webhook does); default a new one. */
  messageSid: z.string().regex(/^(SM|MM)[0-9a-f]{32}$/).optional(),
  /** Advanced Opt-Out's classification of the body (STOP, START, HELP), as Twilio adds it. */
  optOutType: z.enum(["STOP", "START", "HELP"]).optional(),
  /** Sign with this token instead of the account's (a forged request), or send no signature. */
  forgeSignature: z.enum(["wrong-token", "missing"]).optional(),
});
export type InboundMessageRequest = z.input<typeof inboundMessageRequestSchema>;

export interface InboundDelivery {
  messageSid: string;
  url: string;
  params: Record<string, string>;
  signature: string | null;
  /** The webhook's answer. */
  status: number;
  contentType: string | null;
  responseBody: string;
}

function geography(number: string): { country: string; state: string; city: string; zip: string } {
  const country = parsePhoneNumberFromString(number)?.country ?? "";
  return { country, state: "", city: "", zip: "" };
}

/** Twilio's parameters for an incoming message, in the order Twilio lists them. */
export function inboundParams(request: z.output<typeof inboundMessageRequestSchema>, messageSid: string): Record<string, string> {
  const to = geography(request.to);
  const from = geography(request.from);
  const params: Record<string, string> = {
    ToCountry: to.country, ToState: to.state, SmsMessageSid: messageSid, NumMedia: String(request.mediaUrls.length),
    ToCity: to.city, FromZip: from.zip, SmsSid: messageSid, FromState: from.state, SmsStatus: "received",
    FromCity: from.city, Body: request.body, FromCountry: from.country, To: request.to, ToZip: to.zip,
    NumSegments: String(Math.max(1, Math.ceil([...request.body].length / 153))), ReferralNumMedia: "0",
    MessageSid: messageSid, AccountSid: request.accountSid, From: request.from, ApiVersion: "2010-04-01",
  };
  if (request.messagingServiceSid !== undefined) params.MessagingServiceSid = request.messagingServiceSid;
  if (request.optOutType !== undefined) params.OptOutType = request.optOutType;
  request.mediaUrls.forEach((mediaUrl, i) => {
    params[`MediaUrl${i}`] = mediaUrl;
    params[`MediaContentType${i}`] = "image/jpeg";
  });
  return params;
}

/** Posts one signed incoming-message webhook and returns what the receiver answered. */
export function sendInboundMessage(input: InboundMessageRequest, authTokenOf: (accountSid: string) => string | undefined):
  Promise<InboundDelivery> {
  const request = inboundMessageRequestSchema.parse(input);
  const authToken = authTokenOf(request.accountSid);
  if (authToken === undefined) throw new Error(`unknown account ${request.accountSid}`);
  const messageSid = request.messageSid ?? (request.mediaUrls.length > 0 ? "MM" : "SM") + randomUUID().replaceAll("-", "");
  const params = inboundParams(request, messageSid);
  const signature = request.forgeSignature === "missing" ? null
    : twilioSignature(request.forgeSignature === "wrong-token" ? `${authToken}-forged` : authToken, request.url, params);
  const body = new URLSearchParams(params).toString();
  const isHttps = request.url.startsWith("https:");
  return new Promise((resolve, reject) => {
    const outgoing = (isHttps ? https : http).request(request.url, {
      method: "POST",
      timeout: 10_000,
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Content-Length": Buffer.byteLength(body),
        ...(signature === null ? {} : { "X-Twilio-Signature": signature }),
        "I-Twilio-Idempotency-Token": randomUUID(),
        "User-Agent": "TwilioProxy/1.1",
        Accept: "*/*",
      },
    }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({
        messageSid, url: request.url, params, signature,
        status: response.statusCode ?? 0,
        contentType: response.headers["content-type"] ?? null,
        responseBody: Buffer.concat(chunks).toString("utf8"),
      }));
      response.on("error", reject);
    });
    outgoing.on("timeout", () => outgoing.destroy(new Error("incoming-message webhook timed out after 10 s")));
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}
