// HTTP plumbing of the API: the error type every module throws, JSON responses in the spec's
// envelope, and reading a JSON request body within the size limit.
import type { z } from "zod";
import { fieldErrorsOf } from "../_shared/api-schemas.ts";
import type { ApiErrorBody, FieldError } from "../_shared/api-types.ts";
import { type ErrorCode, httpStatusOf } from "../_shared/error-codes.ts";
import { apiLimits } from "../_shared/limits.ts";

/** A refusal the client should see as is: a catalogued code, a message and maybe details. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ApiErrorBody["error"]["details"],
    readonly headers: Record<string, string> = {},
    cause?: unknown,
  ) {
    super(message, { cause });
  }

  get status(): number {
    return httpStatusOf(this.code);
  }

  static invalidFields(fields: FieldError[]): ApiError {
    const names = [...new Set(fields.map((f) => f.field))].join(", ");
    return new ApiError("validation_failed", `invalid request: ${names}`, { fields });
  }
}

export const corsHeaders: Record<string, string> = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
  "Access-Control-Allow-Headers": "authorization, x-client-info, apikey, content-type, idempotency-key",
  // A browser app must see whether an answer is a replay, how long to wait after a 409 or 429, and
  // what is left of its rate limits.
  "Access-Control-Expose-Headers": "x-request-id, idempotent-replayed, retry-after, ratelimit-policy, ratelimit",
  "Access-Control-Max-Age": "86400",
};

/**
 * An answer as it is sent: the status and the exact body text. A request with an idempotency key
 * stores this text, so its replay is the same bytes; `replayed` marks a stored answer sent again.
 */
export interface Answer {
  status: number;
  body: string;
  replayed?: boolean;
}

/** The success envelope around a route's data. */
export function successAnswer(data: unknown): Answer {
  return { status: 200, body: JSON.stringify({ success: true, data }) };
}

export function answerResponse(answer: Answer, headers: Record<string, string> = {}): Response {
  return new Response(answer.body, {
    status: answer.status,
    headers: { ...corsHeaders, "Content-Type": "application/json; charset=utf-8", ...headers },
  });
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return answerResponse({ status, body: JSON.stringify(body) }, headers);
}

/** Parses `input` with `schema`, or throws validation_failed naming each bad field. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw ApiError.invalidFields(fieldErrorsOf(result.error));
  return result.data;
}

/** The query string as an object; a repeated parameter is refused rather than silently picked. */
export function queryOf(url: URL): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) {
    if (Object.hasOwn(query, key)) {
      throw ApiError.invalidFields([{ field: key, message: "must be given once" }]);
    }
    query[key] = value;
  }
  return query;
}

function isJsonContentType(value: string | null): boolean {
  if (value === null) return false;
  const mediaType = value.split(";")[0]?.trim().toLowerCase();
  return mediaType === "application/json";
}

const tooLarge = (maxBytes: number) =>
  new ApiError("payload_too_large", `the request body is larger than ${maxBytes} bytes`);

/**
 * The request's JSON body: 415 unless JSON, 413 over `maxBytes` (the route's limit; read no
 * further), 400 if malformed.
 */
export async function readJsonBody(request: Request, maxBytes: number = apiLimits.request_body_max_bytes): Promise<unknown> {
  return parseJsonBytes(await readJsonBodyBytes(request, maxBytes));
}

/** The raw bytes of a JSON request body (415 unless JSON, 413 over `maxBytes`), not parsed yet. */
export async function readJsonBodyBytes(request: Request, maxBytes: number = apiLimits.request_body_max_bytes): Promise<Uint8Array<ArrayBuffer>> {
  if (!isJsonContentType(request.headers.get("content-type"))) {
    throw new ApiError("unsupported_media_type", "send the request body as JSON with Content-Type: application/json");
  }
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);

  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body !== null) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        throw tooLarge(maxBytes);
      }
      chunks.push(value);
    }
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** Request body bytes as JSON: 400 malformed_json unless UTF-8 JSON. */
export function parseJsonBytes(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new ApiError("malformed_json", "the request body is not valid JSON");
  }
}
