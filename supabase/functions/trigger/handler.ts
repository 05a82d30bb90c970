// The `trigger` function's request handler: CORS, routing, method and token checks, the route,
// and the mapping of every failure to the spec's error envelope. Runtime-neutral: index.ts wires
// it to Deno and the database.
import type { AccessTokenVerifier } from "../_shared/access-tokens.ts";
import type { ApiErrorBody } from "../_shared/api-types.ts";
import { authenticate } from "./auth.ts";
import { apiErrorFromDatabase, type Sql } from "./database.ts";
import { idempotentReplayedHeader } from "../_shared/idempotency-keys.ts";
import { type Answer, answerResponse, ApiError, corsHeaders, jsonResponse } from "./http.ts";
import { findRoute } from "./router.ts";

export interface TriggerHandlerOptions {
  sql: Sql;
  verifyAccessToken: AccessTokenVerifier;
  /** Where 5xx reports go, one JSON line each (console.error by default). */
  logError?: (line: string) => void;
  now?: () => number;
}

export type RequestHandler = (request: Request) => Promise<Response>;

export function createTriggerHandler(options: TriggerHandlerOptions): RequestHandler {
  const logError = options.logError ?? ((line: string) => console.error(line));
  const now = options.now ?? Date.now;

  async function route(request: Request): Promise<Answer> {
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
    return await route.handle({ request, url, sql: options.sql, now, principal });
  }

  return async function handleRequest(request: Request): Promise<Response> {
    const requestId = crypto.randomUUID();
    const idHeader = { "X-Request-Id": requestId };
    if (request.method === "OPTIONS") {
      return new Response(null, { status: 204, headers: { ...corsHeaders, ...idHeader } });
    }
    try {
      const answer = await route(request);
      return answerResponse(answer, answer.replayed === true ? { ...idHeader, [idempotentReplayedHeader]: "true" } : idHeader);
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
      return jsonResponse(apiError.status, body, { ...apiError.headers, ...idHeader });
    }
  };
}

/** For the server log only (never a response): the error's name, message and stack. */
function describe(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { value: String(error) };
}
