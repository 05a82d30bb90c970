// API rate limiting: every authenticated request is charged, in one database call
// (private.take_api_request, supabase/migrations/20261130000900_api_rate_limits.sql), against its
// caller's GCRA buckets in the workspace it names — reads (GET) or writes (POST), and for
// schedule-bulk also its recipients — before anything is validated or written. Every answer then
// carries the IETF draft's RateLimit-Policy and RateLimit fields (draft-ietf-httpapi-ratelimit-
// headers, structured-field syntax of drafts 08–10); a refusal is 429 rate_limited with Retry-After,
// and was never processed, so it is always safe to retry.
import type { Principal } from "../_shared/access-tokens.ts";
import { workspaceIdSchema } from "../_shared/api-schemas.ts";
import type { Sql } from "./database.ts";
import { ApiError } from "./http.ts";

export type RateClass = "read" | "write";

/** The policy names the header fields and the 429's details use. */
export const ratePolicyNames = { read: "reads", write: "writes", recipients: "bulk-recipients" } as const;

export interface RateRequest {
  principal: Principal;
  /** The workspace the request names (as sent, not validated yet), if any. */
  workspaceId: string | undefined;
  rateClass: RateClass;
  /** schedule-bulk: the recipients the request lists; 0 otherwise. */
  recipients: number;
}

/** One budget as the header fields show it. */
export interface RatePolicyState {
  name: string;
  /** Units at once (the burst). */
  quota: number;
  /** Seconds a spent quota takes to refill. */
  window: number;
  remaining: number;
  /** Seconds until the budget is full again. */
  reset: number;
}

export interface RateDecision {
  allowed: boolean;
  /** When refused: whole seconds until the request would fit. */
  retryAfterSeconds: number | null;
  policies: RatePolicyState[];
}

export interface RateLimiter {
  charge(request: RateRequest): Promise<RateDecision>;
}

interface TakeRow {
  allowed: boolean;
  retry_after_seconds: number | null;
  class_quota: string;
  class_window: number;
  class_remaining: number;
  class_reset: number;
  bulk_quota: string | null;
  bulk_window: number | null;
  bulk_remaining: number | null;
  bulk_reset: number | null;
}

/** The limiter backed by the database: one statement per request. */
export function createRateLimiter(sql: Sql): RateLimiter {
  return {
    async charge({ principal, workspaceId, rateClass, recipients }) {
      const userId = principal.kind === "user" ? principal.userId : null;
      const [row] = await sql<TakeRow[]>`
        select * from private.take_api_request(${userId}::uuid, ${workspaceId ?? null}, ${rateClass}, ${recipients})`;
      if (row === undefined) throw new Error("private.take_api_request returned no row");
      const policies: RatePolicyState[] = [{
        name: ratePolicyNames[rateClass],
        quota: Number(row.class_quota),
        window: row.class_window,
        remaining: row.class_remaining,
        reset: row.class_reset,
      }];
      if (row.bulk_quota !== null && row.bulk_window !== null && row.bulk_remaining !== null && row.bulk_reset !== null) {
        policies.push({
          name: ratePolicyNames.recipients,
          quota: Number(row.bulk_quota),
          window: row.bulk_window,
          remaining: row.bulk_remaining,
          reset: row.bulk_reset,
        });
      }
      return { allowed: row.allowed, retryAfterSeconds: row.retry_after_seconds, policies };
    },
  };
}

/** RateLimit-Policy and RateLimit as structured-field lists, e.g. `"writes";q=40;w=2` and `"writes";r=39;t=1`. */
export function rateLimitHeaders(decision: RateDecision): Record<string, string> {
  return {
    "RateLimit-Policy": decision.policies.map((p) => `"${p.name}";q=${p.quota};w=${p.window}`).join(", "),
    "RateLimit": decision.policies.map((p) => `"${p.name}";r=${p.remaining};t=${p.reset}`).join(", "),
  };
}

/** The 429 of a refused request; its headers are completed with the RateLimit fields by the handler. */
export function rateLimitedError(decision: RateDecision): ApiError {
  const retryAfter = Math.max(1, decision.retryAfterSeconds ?? 1);
  const exhausted = decision.policies.filter((p) => p.remaining === 0).map((p) => p.name);
  const which = exhausted.length > 0 ? exhausted : decision.policies.map((p) => p.name);
  return new ApiError(
    "rate_limited",
    `too many requests: the ${which.join(" and ")} limit of this workspace is spent; nothing was done, retry after ${retryAfter} s`,
    {
      retryAfterSeconds: retryAfter,
      policies: decision.policies.map((p) => ({ name: p.name, quota: p.quota, windowSeconds: p.window, remaining: p.remaining, resetSeconds: p.reset })),
    },
    { "Retry-After": String(retryAfter) },
  );
}

/**
 * The workspace a raw request names (the body's or query's workspaceId, if a string), for choosing
 * its bucket; the request is validated only afterwards.
 */
export function namedWorkspaceOf(raw: unknown): string | undefined {
  if (typeof raw !== "object" || raw === null || !("workspaceId" in raw)) return undefined;
  // Only what could be a workspace id (workspaceIdSchema): anything else names none, and is never
  // sent to the database (text there cannot hold a NUL, for one).
  const named = workspaceIdSchema.safeParse(raw.workspaceId);
  return named.success ? named.data : undefined;
}

/** The recipients a raw schedule-bulk body lists (its `recipients` array's length; 0 if none). */
export function recipientsOf(raw: unknown): number {
  if (typeof raw !== "object" || raw === null || !("recipients" in raw)) return 0;
  return Array.isArray(raw.recipients) ? raw.recipients.length : 0;
}
