// Twilio's Message resource (API version 2010-04-01) as JSON, built from what the simulator keeps.
import { randomUUID } from "node:crypto";
import { twilioErrorMessage } from "./twilio-error-responses.ts";

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
  /** ValidityPeriod as sent (seconds), null when the request had none. */
  validityPeriod: number | null;
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

const gsm7Basic = new Set(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
);
const gsm7Extension = new Set("^{}\\[~]|€\f");

/** SMS segments for a body: GSM-7 (160 / 153 per part) or UCS-2 (70 / 67 per part). */
export function countSegments(body: string): number {
  let gsmLength = 0;
  let isGsm = true;
  for (const char of body) {
    if (gsm7Basic.has(char)) gsmLength += 1;
    else if (gsm7Extension.has(char)) gsmLength += 2;
    else { isGsm = false; break; }
  }
  if (isGsm) return gsmLength <= 160 ? 1 : Math.ceil(gsmLength / 153);
  const units = body.length; // UTF-16 code units, as UCS-2 counts them
  return units <= 70 ? 1 : Math.ceil(units / 67);
}

export function messageUri(accountSid: string, sid: string): string {
  return `/${apiVersion}/Accounts/${accountSid}/Messages/${sid}.json`;
}

/** What the simulator charges per segment, in USD (Twilio's US SMS rate). */
export const pricePerSegmentUsd = 0.0079;

/**
 * A message's price as Twilio reports it: negative (a charge), five decimals, once the message has
 * left Twilio (sent, delivered or undelivered); null before, and for a failed one (not charged).
 */
export function priceOf(message: StoredMessage): string | null {
  return message.dateSent === null ? null : (-pricePerSegmentUsd * message.numSegments).toFixed(5);
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
    price: priceOf(message),
    price_unit: "USD",
    sid: message.sid,
    status: message.status,
    subresource_uris: { media: `${base}/Media.json`, feedback: `${base}/Feedback.json` },
    to: message.to,
    uri: `${base}.json`,
    // Not in Twilio's resource: echoed so tests and the inspection API see what was asked.
    ...(message.validityPeriod === null ? {} : { validity_period: String(message.validityPeriod) }),
  };
}
