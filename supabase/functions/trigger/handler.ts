// The `trigger` function's request handler: CORS, routing, method and token checks, the route,
// and the mapping of every failure to the spec's error envelope. Runtime-neutral: index.ts wires
// it to Deno and the database.
import type { AccessTokenVerifier } from "../_shared/access-tokens.ts";
import type { ApiErrorBody } from "../_shared/api-types.ts";
import { authenticate } from "./auth.ts";
import { apiErrorFromDatabase, type Sql } from "./database.ts";
import { idempotentReplayedHeader } from "../_shared/idempotency-keys.ts";
import { type Answer, answerResponse, ApiError, corsHeaders, jsonResponse } from "./http.ts";
import { type RateLimiter, rateLimitedError, rateLimitHeaders } from "./rate-limit.ts";
import type { ChargeRequest } from "./route.ts";
import { findRoute } from "./router.ts";

export interface TriggerHandlerOptions {
  sql: Sql;
  verifyAccessToken: AccessTokenVerifier;
  /** Where 5xx reports go, one JSON line each (console.error by default). */
  logError?: (line: string) => void;
  now?: () => number;
  /**
   * Charges each authenticated request to its rate limits (rate-limit.ts); without one, nothing is
   * limited and answers carry no RateLimit fields (API_RATE_LIMITING=off, for the benchmark's comparison).
   */
  rateLimiter?: RateLimiter;
}

export type RequestHandler = (request: Request) => Promise<Response>;

export function createTriggerHandler(options: TriggerHandlerOptions): RequestHandler {
  const logError = options.logError ?? ((line: string) => console.error(line));
  const now = options.now ?? Date.now;

  const limiter = options.rateLimiter;

  /** `rateHeaders` receives the RateLimit fields once the request is charged, for whatever answer follows. */
  async function route(request: Request, rateHeaders: Record<string, string>): Promise<Answer> {
    const url = new URL(request.url);
    const found = findRoute(url.pathname);
    if (found === null) throw new ApiError("not_found", `no such endpoint: ${url.pathname}`);
    const { route } = found;
    if (request.method !== route.method) {
      throw new ApiError("method_not_allowed", `${found.name} accepts ${route.method} only`, undefined,
        { Allow: `${route.method}, OPTIONS` });
    }
    if (route.auth === "none") return await route.handle({ request, url, sql: options.sql, now });
    const principal = await authenticate(request, options.verifyAccessToken);
    const rateClass = route.method === "GET" ? "read" : "write";
    const charge: ChargeRequest = async (workspaceId, recipients) => {
      if (limiter === undefined) return;
      const decision = await limiter.charge({ principal, workspaceId, rateClass, recipients });
      Object.assign(rateHeaders, rateLimitHeaders(decision));
      if (!decision.allowed) throw rateLimitedError(decision);
    };
    return await route.handle({ request, url, sql: options.sql, now, principal, charge });
  }

  return async function handleRequest(request: Request): Promise<Response> {
    const requestId = crypto.randomUUID();
    const idHeader = { "X-Request-Id": requestId };
    if (request.method === "OPTIONS") {
      return new Response(null, { status: 204, headers: { ...corsHeaders, ...idHeader } });
    }
    const rateHeaders: Record<string, string> = {};
    try {
      const answer = await route(request, rateHeaders);
      const headers = { ...rateHeaders, ...idHeader };
      return answerResponse(answer, answer.replayed === true ? { ...headers, [idempotentReplayedHeader]: "true" } : headers);
    } catch (thrown) {
      const error = apiErrorFromDatabase(thrown);
      const apiError = error instanceof ApiError
        ? error
        : new ApiError("internal_error", "something went wrong on our side; quote the request id when reporting it", undefined, {}, error);
      const body: ApiErrorBody = { success: false, error: { code: apiError.code, message: apiError.message } };
      if (apiError.details !== undefined) body.error.details = apiError.details;
      if (apiError.status >= 500) {
        body.error.requestId = requestId;
        logError(JSON.stringify({
          level: "error",
          time: new Date(now()).toISOString(),
          requestId,
          method: request.method,
          path: new URL(request.url).pathname,
          status: apiError.status,
          code: apiError.code,
          error: describe(apiError.cause ?? apiError),
        }));
      }
      return jsonResponse(apiError.status, body, { ...apiError.headers, ...rateHeaders, ...idHeader });
    }
  };
}

/** For the server log only (never a response): the error's name, message and stack. */
function describe(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { value: String(error) };
}
