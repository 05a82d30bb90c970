// The codes a job's last error can carry, with what each means and whether a retry can help: the
// one catalogue behind the delivery side's classification (delivery/twilio/error-classification.ts)
// and the meanings the API shows beside failures. Twilio's codes: https://www.twilio.com/docs/api/errors

export type SendErrorKind = "permanent" | "transient";

/**
 * The retry policy class a transient error is retried under (a job's retry policy has one rule per
 * class): rateLimited — Twilio said too many requests (429 / 20429); serverError — Twilio's 5xx,
 * timeouts and network errors (and attempts in doubt); carrier — carrier and queue errors
 * (21611, 30001, 30003, 30008), which usually need minutes rather than seconds.
 */
export type RetryClass = "rateLimited" | "serverError" | "carrier";
export const retryClasses = ["rateLimited", "serverError", "carrier"] as const satisfies readonly RetryClass[];

export interface SendErrorCode {
  meaning: string;
  /** permanent: no retry can fix it (fail at once); transient: try again later. */
  kind: SendErrorKind;
  /** A transient code's retry class; permanent codes have none. */
  retryClass?: RetryClass;
}

export const twilioErrorCodes: Readonly<Record<number, SendErrorCode>> = {
  20003: { kind: "permanent", meaning: "Twilio refused the account's credentials" },
  20429: { kind: "transient", retryClass: "rateLimited", meaning: "Too many requests to Twilio: rate limited" },
  20500: { kind: "transient", retryClass: "serverError", meaning: "Twilio internal error" },
  20503: { kind: "transient", retryClass: "serverError", meaning: "Twilio service unavailable" },
  21211: { kind: "permanent", meaning: "Invalid 'To' phone number" },
  21212: { kind: "permanent", meaning: "Invalid 'From' phone number" },
  21408: { kind: "permanent", meaning: "Sending to this region is not enabled for the account" },
  21602: { kind: "permanent", meaning: "Message body is required" },
  21603: { kind: "permanent", meaning: "A 'From' number or Messaging Service is required" },
  21604: { kind: "permanent", meaning: "A 'To' number is required" },
  21606: { kind: "permanent", meaning: "The 'From' number is not an SMS-capable number of this account" },
  21610: { kind: "permanent", meaning: "The recipient replied STOP: unsubscribed from this sender" },
  21611: { kind: "transient", retryClass: "carrier", meaning: "The 'From' number's outgoing queue is full" },
  21612: { kind: "permanent", meaning: "Twilio cannot route to this number" },
  21614: { kind: "permanent", meaning: "The 'To' number is not a mobile number" },
  21617: { kind: "permanent", meaning: "The message body is too long" },
  21620: { kind: "permanent", meaning: "Invalid media URL" },
  21623: { kind: "permanent", meaning: "Too many media URLs" },
  21703: { kind: "permanent", meaning: "The Messaging Service has no phone numbers" },
  21704: { kind: "permanent", meaning: "The Messaging Service's phone number pool is unavailable" },
  30001: { kind: "transient", retryClass: "carrier", meaning: "Queue overflow: sent faster than the number allows" },
  // The handset is off or out of coverage: often back within hours, so it is retried (carrier class).
  30003: { kind: "transient", retryClass: "carrier", meaning: "Unreachable destination handset" },
  30004: { kind: "permanent", meaning: "Message blocked" },
  30005: { kind: "permanent", meaning: "Unknown destination handset" },
  30006: { kind: "permanent", meaning: "Landline or unreachable carrier" },
  30007: { kind: "permanent", meaning: "Filtered by the carrier (spam or content rules)" },
  30008: { kind: "transient", retryClass: "carrier", meaning: "Unknown error at the carrier" },
  30500: { kind: "transient", retryClass: "serverError", meaning: "Twilio internal error" },
};

/** The service's own codes, for failures that carry no Twilio code. */
const ownErrorCodes: Readonly<Record<string, string>> = {
  lease_expired: "The worker stopped before recording the attempt; the message may or may not have been sent",
  twilio_not_configured: "The workspace has no Twilio credentials and no fallback account is set",
  network_error: "No answer from Twilio (network error or timeout); the message may have been sent",
  expired: "The message expired (validFor / expiresAt) before it could be handed to Twilio; it was not sent",
};

/** What a recorded error code means, in words; null for a code nobody has described. */
export function sendErrorMeaning(code: string): string | null {
  if (/^\d+$/.test(code)) {
    const twilio = twilioErrorCodes[Number(code)];
    return twilio === undefined ? `Twilio error ${code} (https://www.twilio.com/docs/api/errors/${code})` : twilio.meaning;
  }
  const http = /^http_(\d{3})$/.exec(code);
  if (http !== null) return `Twilio answered HTTP ${http[1]} without an error code`;
  return ownErrorCodes[code] ?? null;
}
