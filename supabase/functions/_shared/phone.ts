// Phone numbers: strict validation with libphonenumber-js's full ("max") metadata, so a number
// must be a real, allocated number (as Twilio would accept it), and normalisation to E.164.
import { parsePhoneNumberFromString } from "libphonenumber-js/max";

/** The E.164 form of an international number (leading `+`, spaces/dashes allowed), or null. */
export function toE164(value: string): string | null {
  if (!value.trimStart().startsWith("+")) return null;
  const parsed = parsePhoneNumberFromString(value);
  return parsed !== undefined && parsed.isValid() ? parsed.number : null;
}

/** Twilio Messaging Service SIDs may stand in for a sender number. */
export function isMessagingServiceSid(value: string): boolean {
  return /^MG[0-9a-f]{32}$/.test(value);
}
