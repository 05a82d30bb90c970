// Requests with an Idempotency-Key (POST routes marked "keyed" in _shared/api-routes.ts): the first
// answer is stored with the rows it created, in the same transaction, and a retry with the same key
// and the same body gets that answer again, byte for byte, creating nothing. The key is scoped to
// the workspace named in the body and to the route, and kept idempotency_key_retention_hours.
//
// In one transaction: the caller's write access to the workspace (a replay is an answer about the
// workspace, so only a writer of it may have one), then private.begin_idempotent_request (the
// key's advisory lock and the stored answer, supabase/migrations/20261130000400_idempotency_keys.sql),
// then the route, then private.record_idempotent_answer. Only successes are stored: a refusal or a
// failure rolls everything back, key included, so a retry runs afresh (a refusal created nothing
// to protect, and storing it would need a second transaction that a crash could skip).
import type { Principal } from "../_shared/access-tokens.ts";
import type { KeyedRouteName } from "../_shared/api-routes.ts";
import { idempotencyKeyHeader, isValidIdempotencyKey } from "../_shared/idempotency-keys.ts";
import { apiLimits, databaseLimits } from "../_shared/limits.ts";
import { requireWorkspaceAccess } from "./auth.ts";
import { inTransaction, RequestTransaction, type Sql } from "./database.ts";
import { type Answer, ApiError, successAnswer } from "./http.ts";

/** The request's Idempotency-Key, or null without one; 400 invalid_idempotency_key if malformed. */
export function idempotencyKeyOf(request: Request): string | null {
  const key = request.headers.get(idempotencyKeyHeader);
  if (key === null) return null;
  if (!isValidIdempotencyKey(key)) {
    throw new ApiError("invalid_idempotency_key",
      `${idempotencyKeyHeader} must be 1 to ${databaseLimits.idempotency_key_max_chars} printable ASCII characters (a UUID, for example)`);
  }
  return key;
}

/** sha256 of the raw request body, hex: the same key must come with the same bytes. */
async function requestHashOf(body: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

export interface KeyedRequest {
  sql: Sql;
  principal: Principal;
  route: KeyedRouteName;
  key: string;
  /** The raw body, as received. */
  body: Uint8Array<ArrayBuffer>;
  /** The key's scope: the workspace the parsed body names. */
  workspaceId: string;
  /** The route's work, given the request's transaction; its data becomes the stored answer. */
  run: (db: RequestTransaction) => Promise<unknown>;
}

interface BeginRow {
  outcome: "new" | "replay" | "mismatch" | "busy";
  status: number | null;
  response_body: string | null;
}

/** Runs a keyed request once: the route's answer, the stored first answer (replayed), or a refusal. */
export async function answerOnce(request: KeyedRequest): Promise<Answer> {
  const { sql, principal, route, key, workspaceId } = request;
  const requestHash = await requestHashOf(request.body);
  return await inTransaction(sql, principal, async (tx) => {
    // Both in one round trip (postgres.js pipelines them): the lookup's result is used only once
    // the caller is known to be a writer of the workspace; if not, the throw rolls the lock back.
    const [, [begun]] = await Promise.all([
      requireWorkspaceAccess(tx, principal, workspaceId, "write"),
      tx<BeginRow[]>`
        select outcome, status, response_body
        from private.begin_idempotent_request(${workspaceId}, ${route}, ${key}, ${requestHash})`,
    ]);
    if (begun === undefined) throw new Error("private.begin_idempotent_request returned no row");
    switch (begun.outcome) {
      case "busy":
        throw new ApiError("idempotency_request_in_progress",
          `a request with this ${idempotencyKeyHeader} is still running; retry after ${apiLimits.idempotency_retry_after_seconds} s for its answer`,
          undefined, { "Retry-After": String(apiLimits.idempotency_retry_after_seconds) });
      case "mismatch":
        throw new ApiError("idempotency_key_reused",
          `this ${idempotencyKeyHeader} was already used on ${route} in workspace ${workspaceId} with a different request body; ` +
            "use a new key for a new request");
      case "replay":
        if (begun.status === null || begun.response_body === null) throw new Error("a stored idempotent answer has no status or body");
        return { status: begun.status, body: begun.response_body, replayed: true };
      case "new": {
        const answer = successAnswer(await request.run(new RequestTransaction(tx)));
        await tx`
          select private.record_idempotent_answer(${workspaceId}, ${route}, ${key}, ${requestHash},
            ${answer.status}::smallint, ${answer.body})`;
        return answer;
      }
    }
  });
}
