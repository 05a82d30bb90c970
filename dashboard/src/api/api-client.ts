// The trigger function's JSON API, typed by its route table: `get("jobs", query)` takes exactly the
// route's query and resolves to its `data`. Only types come from the contract (zod stays out of the
// bundle); answers are trusted as the contract describes them. Every request carries the user's
// access token, so RLS and the API's role checks decide what the dashboard may see and do.
import type { ApiData, ApiMethod, ApiRequest, ApiRouteName } from "../../../supabase/functions/_shared/api-routes.ts";
import type { ApiErrorBody, FieldError } from "../../../supabase/functions/_shared/api-types.ts";
import { idempotencyKeyHeader } from "../../../supabase/functions/_shared/idempotency-keys.ts";

type RoutesOf<M extends "GET" | "POST"> = { [N in ApiRouteName]: ApiMethod<N> extends M ? N : never }[ApiRouteName];
export type GetRoute = RoutesOf<"GET">;
export type PostRoute = RoutesOf<"POST">;

/** A refusal by the API (its code and message), or a failure to reach it (code network_error). */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: readonly FieldError[] = [],
    readonly requestId?: string,
  ) {
    super(message);
  }
}

/** The message to show a person: the API's own words; for a bad request, what it says of each field. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    return error.fields.length === 0 ? error.message : error.fields.map((f) => `${f.field} ${f.message}`).join("; ");
  }
  return error instanceof Error ? error.message : String(error);
}

export interface ApiClient {
  get<N extends GetRoute>(route: N, query: ApiRequest<N>, signal?: AbortSignal): Promise<ApiData<N>>;
  /** `idempotencyKey`: the same key with the same body answers the first answer again (a safe retry). */
  post<N extends PostRoute>(route: N, body: ApiRequest<N>, options?: { idempotencyKey?: string }): Promise<ApiData<N>>;
}

export interface ApiClientOptions {
  baseUrl: string;
  /** The current access token (a Supabase session refreshes its own). */
  accessToken: () => Promise<string>;
  /** Called on 401: the token expired or was revoked. */
  onUnauthorized: () => void;
  fetch?: typeof fetch;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const fetchImpl = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));

  async function call<T>(method: "GET" | "POST", route: string, query: string, body: unknown, signal?: AbortSignal,
    idempotencyKey?: string): Promise<T> {
    const headers: Record<string, string> = { Authorization: `Bearer ${await options.accessToken()}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (idempotencyKey !== undefined) headers[idempotencyKeyHeader] = idempotencyKey;
    let response: Response;
    try {
      response = await fetchImpl(`${options.baseUrl}/${route}${query}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new ApiError(0, "network_error", "Could not reach the API. Check your connection and try again.");
    }
    let answer: { success: true; data: T } | ApiErrorBody;
    try {
      answer = await response.json() as typeof answer;
    } catch {
      throw new ApiError(response.status, "bad_response", `The API answered ${response.status} without JSON.`);
    }
    if (answer.success) return answer.data;
    if (response.status === 401) options.onUnauthorized();
    const { code, message, details, requestId } = answer.error;
    throw new ApiError(response.status, code, message, details?.fields ?? [], requestId);
  }

  return {
    get(route, query, signal) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries((query ?? {}) as Record<string, string | undefined>)) {
        if (value !== undefined && value !== "") params.set(key, value);
      }
      const search = params.size === 0 ? "" : `?${params.toString()}`;
      return call("GET", route, search, undefined, signal);
    },
    post(route, body, postOptions) {
      return call("POST", route, "", body, undefined, postOptions?.idempotencyKey);
    },
  };
}
