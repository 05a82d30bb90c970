// What to do about a failed send: the one place that decides, from the catalogue of Twilio codes
// (supabase/functions/_shared/send-error-codes.ts: each code's meaning and whether a retry helps).
import {
  type RetryClass, type SendErrorKind, twilioErrorCodes,
} from "../../supabase/functions/_shared/send-error-codes.ts";

export type SendFailureKind = SendErrorKind;

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
  /** Which rule of the job's retry policy a transient failure is retried under. */
  retryClass: RetryClass;
}

export const optOutCode = 21610;

export function classifySendFailure(failure: SendFailure): SendFailureVerdict {
  const code = failure.twilioCode;
  const errorCode = code !== undefined ? String(code)
    : failure.httpStatus !== undefined ? `http_${failure.httpStatus}` : "network_error";
  const minRetryDelaySeconds = Math.max(0, failure.retryAfterSeconds ?? 0);
  const verdict = (kind: SendFailureKind, retryClass: RetryClass = "serverError"): SendFailureVerdict => ({
    kind,
    errorCode,
    recordOptOut: code === optOutCode,
    minRetryDelaySeconds: kind === "transient" ? minRetryDelaySeconds : 0,
    retryClass,
  });

  const status = failure.httpStatus;
  const known = code === undefined ? undefined : twilioErrorCodes[code];
  if (known !== undefined) return verdict(known.kind, known.retryClass ?? (status === 429 ? "rateLimited" : "serverError"));
  if (status === undefined) return verdict("transient"); // no answer: the network or a timeout
  if (status === 429) return verdict("transient", "rateLimited");
  if (status === 408 || status >= 500) return verdict("transient");
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
