// Phone numbers: strict validation with libphonenumber-js's full ("max") metadata, so a number
// must be a real, allocated number (as Twilio would accept it), and normalisation to E.164.
import { parsePhoneNumberFromString } from "libphonenumber-js/max";

/**
 * Formatting a number may carry: a leading `+`, ASCII digits, spaces, dashes, dots, parentheses.
 * libphonenumber-js alone would find a number inside any text ("+61412345678😀", "+61412345678;…",
 * "… ext. 5") and drop the rest.
 */
const formattedNumberPattern = /^ *\+[0-9 ().-]+$/;

/** The E.164 form of an international number (leading `+`, spaces/dashes allowed), or null. */
export function toE164(value: string): string | null {
  if (!formattedNumberPattern.test(value)) return null;
  const parsed = parsePhoneNumberFromString(value);
  return parsed !== undefined && parsed.isValid() ? parsed.number : null;
}

/** Twilio Messaging Service SIDs may stand in for a sender number. */
export function isMessagingServiceSid(value: string): boolean {
  return /^MG[0-9a-f]{32}$/.test(value);
}
