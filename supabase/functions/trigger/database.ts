// The database as the API uses it: postgres.js (tagged templates only, never string-built SQL),
// transactions that carry the caller's identity for the event log, and the mapping of the
// database's catalogued refusals (code name in the HINT) to API errors.
import postgres from "postgres";
import type { Principal } from "../_shared/access-tokens.ts";
import { isDatabaseErrorCode, type DatabaseErrorCode } from "../_shared/error-codes.ts";
import { ApiError } from "./http.ts";

export type Sql = postgres.Sql;
export type Transaction = postgres.TransactionSql;

/**
 * The transaction a request already runs in, handed to its route instead of the pool: a request
 * with an Idempotency-Key records its key and answer in the same transaction as the rows the route
 * creates (./idempotency.ts). Not a query function, so a route can only use it through inTransaction.
 */
export class RequestTransaction {
  constructor(readonly tx: Transaction) {}
}

/** What a writing route gets: the pool, or the request's open transaction. */
export type Database = Sql | RequestTransaction;

/**
 * Runs `fn` in one transaction with request.jwt.claims set as PostgREST would, so auth.uid() in
 * the database's triggers records who acted (sms_job_events.actor). Given the request's open
 * transaction (set up for the same principal), `fn` runs in it: its rows commit with the request's
 * idempotency key, or not at all.
 */
export async function inTransaction<T>(db: Database, principal: Principal, fn: (tx: Transaction) => Promise<T>): Promise<T> {
  if (db instanceof RequestTransaction) return await fn(db.tx);
  const sql = db;
  const claims = principal.kind === "service"
    ? { role: "service_role" }
    : { sub: principal.userId, role: "authenticated", email: principal.email };
  return await sql.begin(async (tx) => {
    await tx`select set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
    return await fn(tx);
  }) as T;
}

/** Which request field each database refusal is about, for error.details.fields. */
const fieldOfDatabaseError: Partial<Record<DatabaseErrorCode, string>> = {
  invalid_phone: "to",
  invalid_body: "body",
  invalid_media_urls: "mediaUrl",
  scheduled_time_in_past: "scheduledTime",
  scheduled_time_too_far: "scheduledTime",
  sender_not_allowed: "fromNumber",
  no_default_sender: "fromNumber",
  invalid_metadata: "metadata",
  recipient_opted_out: "to",
  invalid_cron: "cron",
  invalid_timezone: "timezone",
  invalid_retry_policy: "retryPolicy",
  invalid_rate_limits: "limits",
};

/** A catalogued database refusal as an ApiError; anything else is returned unchanged. */
export function apiErrorFromDatabase(error: unknown): unknown {
  if (!(error instanceof postgres.PostgresError) || !isDatabaseErrorCode(error.hint)) return error;
  const code = error.hint;
  const field = fieldOfDatabaseError[code];
  // Messages of catalogued errors are written for clients (no SQL, no internals).
  return new ApiError(code, error.message, field === undefined ? undefined : { fields: [{ field, message: error.message }] });
}
