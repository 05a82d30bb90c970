// The Idempotency-Key request header of POST routes (Stripe's header; the IETF draft "The
// Idempotency-Key HTTP Header Field"): its name, the answer header that marks a replay, and what a
// key may be. Shared by the API and its typed client.
import { databaseLimits } from "./limits.ts";

export const idempotencyKeyHeader = "Idempotency-Key";
/** Set to "true" on an answer that is the stored first answer of the key, not a new one. */
export const idempotentReplayedHeader = "Idempotent-Replayed";

/** 1–255 printable ASCII characters (a UUID is the usual choice). */
export const idempotencyKeyPattern = new RegExp(`^[\\x20-\\x7e]{1,${databaseLimits.idempotency_key_max_chars}}$`);

export function isValidIdempotencyKey(value: string): boolean {
  return idempotencyKeyPattern.test(value);
}
