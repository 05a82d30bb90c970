// Twilio's Message resource (API version 2010-04-01) as JSON, built from what the simulator keeps.
import { randomUUID } from "node:crypto";
import { twilioErrorMessage } from "./twilio-error-responses.ts";
import { SegmentedMessage } from "sms-segments-calculator";

export const apiVersion = "2010-04-01";

export type MessageStatus =
  | "accepted" | "queued" | "sending" | "sent" | "delivered" | "undelivered" | "failed";

/** What the simulator knows of one message it accepted. */
export interface StoredMessage {
  sid: string;
  accountSid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  mediaUrls: string[];
  statusCallback: string | null;
  status: MessageStatus;
  errorCode: number | null;
  numSegments: number;
  dateCreated: Date;
  dateUpdated: Date;
  dateSent: Date | null;
}

/** 'SM' + 32 lowercase hex digits, like Twilio's message SIDs. */
export function newMessageSid(): string {
  return "SM" + randomUUID().replaceAll("-", "");
}

let cachedSecond = -1;
let cachedRfc2822 = "";
/** Twilio's date format, e.g. "Thu, 30 Jul 2015 20:12:31 +0000" (cached per second: hot path). */
export function rfc2822(date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  if (second === cachedSecond) return cachedRfc2822;
  const text = date.toUTCString().replace("GMT", "+0000");
  cachedSecond = second;
  cachedRfc2822 = text;
  return text;
}


/**
 * SMS segments for a body as Twilio counts them, by Twilio's own calculator (GSM-7 160 / 153 per
 * part with escape pairs kept whole, UCS-2 70 / 67 in UTF-16 units).
 */
export function countSegments(body: string): number {
  return new SegmentedMessage(body, "auto").segmentsCount;
}

export function messageUri(accountSid: string, sid: string): string {
  return `/${apiVersion}/Accounts/${accountSid}/Messages/${sid}.json`;
}

/**
 * The JSON Twilio answers for a message. `numSegmentsOverride` exists because Twilio reports
 * num_segments "0" in the create answer of a Messaging Service send (the sender is not chosen yet).
 */
export function toMessageResource(message: StoredMessage, numSegmentsOverride?: number): Record<string, unknown> {
  const base = `/${apiVersion}/Accounts/${message.accountSid}/Messages/${message.sid}`;
  return {
    account_sid: message.accountSid,
    api_version: apiVersion,
    body: message.body,
    date_created: rfc2822(message.dateCreated),
    date_sent: message.dateSent === null ? null : rfc2822(message.dateSent),
    date_updated: rfc2822(message.dateUpdated),
    direction: "outbound-api",
    error_code: message.errorCode,
    error_message: message.errorCode === null ? null : twilioErrorMessage(message.errorCode),
    from: message.from,
    messaging_service_sid: message.messagingServiceSid,
    num_media: String(message.mediaUrls.length),
    num_segments: String(numSegmentsOverride ?? message.numSegments),
    price: null,
    price_unit: "USD",
    sid: message.sid,
    status: message.status,
    subresource_uris: { media: `${base}/Media.json`, feedback: `${base}/Feedback.json` },
    to: message.to,
    uri: `${base}.json`,
  };
}
