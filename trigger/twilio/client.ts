// The twilio SDK client the delivery code sends with. With a base URL configured (the Twilio
// simulator in local runs and tests, e.g. TWILIO_API_BASE_URL=http://127.0.0.1:54330) every
// request the SDK builds for https://*.twilio.com goes there instead; otherwise to real Twilio.
// Error answers are thrown as TwilioApiError: the SDK's own RestException plus the answer's
// headers, because the SDK drops them and Retry-After decides when a 429 may be retried.
import http from "node:http";
import twilio from "twilio";
import { parseRetryAfter } from "../../supabase/functions/_shared/twilio-errors.ts";
import type SdkRequestClient from "twilio/lib/base/RequestClient.js";
import type * as SdkResponse from "twilio/lib/http/response.js";

type Response<T> = SdkResponse.default<T>;

export interface TwilioClientOptions {
  accountSid: string;
  /** The account's auth token; or use apiKey. */
  authToken?: string;
  /** API key SID (SK…) and secret, instead of the auth token. */
  apiKey?: { sid: string; secret: string };
  /** Where Twilio's API is; defaults to TWILIO_API_BASE_URL, and to real Twilio when that is unset. */
  apiBaseUrl?: string;
  /** Per-request timeout in milliseconds (the SDK's default is 30 s). */
  timeoutMs?: number;
}

/** A Twilio error answer, as the SDK would throw it, with the HTTP headers it came with. */
export class TwilioApiError extends twilio.RestException {
  readonly headers: Record<string, string>;
  /** Retry-After in seconds, when the answer had a usable one. */
  readonly retryAfterSeconds: number | undefined;

  constructor(response: Response<unknown>) {
    super(response);
    this.name = "TwilioApiError";
    this.headers = {};
    for (const [name, value] of Object.entries(response.headers ?? {})) {
      if (value !== undefined && value !== null) this.headers[name.toLowerCase()] = String(value);
    }
    this.retryAfterSeconds = parseRetryAfter(this.headers["retry-after"]);
  }
}

function isProblemDetails(body: unknown): boolean {
  // RFC 9457 answers become TwilioServiceException in the SDK; leave those to it.
  const parsed: unknown = typeof body === "string" ? (() => { try { return JSON.parse(body); } catch { return null; } })() : body;
  return typeof parsed === "object" && parsed !== null && "type" in parsed && "title" in parsed;
}

class TwilioRequestClient extends twilio.RequestClient {
  constructor(private readonly baseUrl: string | undefined, timeoutMs: number | undefined) {
    super({ keepAlive: true, ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }) });
    // The SDK only configures an https agent; the simulator speaks plain http on loopback.
    this.axios.defaults.httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  }

  override async request<TData>(options: SdkRequestClient.RequestOptions<TData>): Promise<Response<TData>> {
    const uri = this.baseUrl === undefined ? options.uri : rebase(options.uri, this.baseUrl);
    const response = await super.request({ ...options, uri });
    if (response.statusCode >= 400 && !isProblemDetails(response.body)) throw new TwilioApiError(response);
    return response;
  }
}

/** https://api.twilio.com/2010-04-01/… → <base>/2010-04-01/…; other URLs unchanged. */
function rebase(uri: string, baseUrl: string): string {
  const url = new URL(uri);
  if (url.hostname !== "twilio.com" && !url.hostname.endsWith(".twilio.com")) return uri;
  return baseUrl.replace(/\/+$/, "") + url.pathname + url.search;
}

export function createTwilioClient(options: TwilioClientOptions): twilio.Twilio {
  const baseUrl = options.apiBaseUrl ?? (process.env.TWILIO_API_BASE_URL || undefined);
  const httpClient = new TwilioRequestClient(baseUrl, options.timeoutMs);
  const clientOptions = { accountSid: options.accountSid, httpClient };
  if (options.apiKey !== undefined) return twilio(options.apiKey.sid, options.apiKey.secret, clientOptions);
  if (options.authToken === undefined) throw new Error("createTwilioClient needs an authToken or an apiKey");
  return twilio(options.accountSid, options.authToken, clientOptions);
}
