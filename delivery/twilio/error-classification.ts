// What to do about a failed send: the one place that classifies Twilio errors.
// Codes: https://www.twilio.com/docs/api/errors

export type SendFailureKind = "permanent" | "transient";

export interface SendFailure {
  /** HTTP status of Twilio's answer; undefined when no answer came (network error, timeout). */
  httpStatus?: number;
  /** Twilio's error code (e.g. 21211), when its answer had one. */
  twilioCode?: number;
  message: string;
  /** Seconds from a Retry-After header, when present. */
  retryAfterSeconds?: number;
}

export interface SendFailureVerdict {
  kind: SendFailureKind;
  /** Stable code recorded on the job: the Twilio code, or a name for failures without one. */
  errorCode: string;
  /** The recipient asked not to be messaged (STOP): record an opt-out for the workspace. */
  recordOptOut: boolean;
  /** Wait at least this long before the next attempt (Retry-After). */
  minRetryDelaySeconds: number;
}

/** Twilio codes that no retry can fix: bad numbers, unreachable or opted-out recipients, bad content. */
const permanentCodes = new Set([
  21211, // invalid To number
  21212, // invalid From number
  21408, // region not enabled for the account
  21602, // body required
  21604, // To required
  21606, // From is not an SMS-capable number of this account
  21610, // recipient replied STOP (unsubscribed)
  21612, // cannot route to this number
  21614, // To is not a mobile number
  21617, // body too long
  21620, // invalid media URL
  21623, // too many media URLs
  21703, 21704, // messaging service issues
  30003, // unreachable handset
  30004, // message blocked
  30005, // unknown destination
  30006, // landline or unreachable carrier
  30007, // carrier filtered
]);

/** Codes that mean "try again later" even though their HTTP status may be 4xx. */
const transientCodes = new Set([
  20429, // too many requests
  21611, // the From number's queue is full
  30001, // queue overflow
  30008, // unknown error at the carrier
  30500, // internal error
  20500, // Twilio internal error
  20503, // service unavailable
]);

export const optOutCode = 21610;

export function classifySendFailure(failure: SendFailure): SendFailureVerdict {
  const code = failure.twilioCode;
  const errorCode = code !== undefined ? String(code)
    : failure.httpStatus !== undefined ? `http_${failure.httpStatus}` : "network_error";
  const minRetryDelaySeconds = Math.max(0, failure.retryAfterSeconds ?? 0);
  const verdict = (kind: SendFailureKind): SendFailureVerdict => ({
    kind,
    errorCode,
    recordOptOut: code === optOutCode,
    minRetryDelaySeconds: kind === "transient" ? minRetryDelaySeconds : 0,
  });

  if (code !== undefined && permanentCodes.has(code)) return verdict("permanent");
  if (code !== undefined && transientCodes.has(code)) return verdict("transient");
  const status = failure.httpStatus;
  if (status === undefined) return verdict("transient"); // no answer: the network or a timeout
  if (status === 429 || status === 408 || status >= 500) return verdict("transient");
  // Authentication and other client errors: retrying the same request cannot succeed.
  return verdict("permanent");
}

/** Parses a Retry-After header (seconds or an HTTP date) into seconds from `now`. */
export function parseRetryAfter(value: string | null | undefined, now: Date = new Date()): number | undefined {
  if (value === null || value === undefined || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, (at - now.getTime()) / 1000);
}
