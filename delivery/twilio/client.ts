// The twilio SDK client the delivery code sends with. Given an apiBaseUrl (the Twilio simulator
// in local runs and tests, e.g. http://127.0.0.1:54330) every request the SDK builds for
// https://*.twilio.com goes there instead, with the host the SDK built kept in X-Forwarded-Host
// (so the simulator sees, and checks, api.sydney.au1.twilio.com); without one, to real Twilio.
// A workspace's Twilio region and edge are the SDK's own `region` / `edge` options: the SDK makes
// the host from them (api.{edge}.{region}.twilio.com). This module never reads the environment:
// process entry points read TWILIO_API_BASE_URL and pass it down (the SDK itself falls back to
// TWILIO_REGION / TWILIO_EDGE for a client given neither).
// Error answers are thrown as TwilioApiError: the SDK's own RestException plus the answer's
// headers, because the SDK drops them and Retry-After decides when a 429 may be retried.
import http from "node:http";
import https from "node:https";
import twilio from "twilio";
import { parseRetryAfter } from "./error-classification.ts";
import type SdkRequestClient from "twilio/lib/base/RequestClient.js";
import type * as SdkResponse from "twilio/lib/http/response.js";

type Response<T> = SdkResponse.default<T>;

export interface TwilioClientOptions {
  accountSid: string;
  /** The account's auth token; or use apiKey. */
  authToken?: string;
  /** API key SID (SK…) and secret, instead of the auth token. */
  apiKey?: { sid: string; secret: string };
  /** Where Twilio's API is (e.g. the simulator's URL); undefined: real Twilio. */
  apiBaseUrl?: string | undefined;
  /** Per-request timeout in milliseconds (the SDK's default is 30 s). */
  timeoutMs?: number;
  /** Twilio's processing region (us1, ie1, au1); undefined: Twilio's default. */
  region?: string | undefined;
  /** The edge location requests enter through (sydney, dublin, …); undefined: Twilio's default. */
  edge?: string | undefined;
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

/**
 * The SDK builds every request (URL, form parameters, credentials); this sends it over node:http(s)
 * with keep-alive agents instead of the SDK's default axios transport, which cost the runner more
 * CPU per message than everything else it does (see the README's Benchmark section). It is the
 * SDK's documented `httpClient` extension point, with the same request and response shapes.
 */
class TwilioRequestClient extends twilio.RequestClient {
  private readonly agents = {
    "http:": new http.Agent({ keepAlive: true, maxSockets: 128 }),
    "https:": new https.Agent({ keepAlive: true, maxSockets: 128 }),
  };

  constructor(private readonly baseUrl: string | undefined, private readonly timeoutMs: number) {
    super({ keepAlive: true, timeout: timeoutMs });
  }

  override async request<TData>(options: SdkRequestClient.RequestOptions<TData>): Promise<Response<TData>> {
    const url = new URL(this.baseUrl === undefined ? options.uri : rebase(options.uri, this.baseUrl));
    appendParams(url.searchParams, options.params);
    const headers: Record<string, string> = { ...(options.headers as Record<string, string> | undefined) };
    // Rebased: the host the SDK built (its region and edge) goes along, as a proxy would pass it.
    if (this.baseUrl !== undefined) headers["X-Forwarded-Host"] = new URL(options.uri).host;
    if (options.username && options.password) {
      headers.Authorization = "Basic " + Buffer.from(`${options.username}:${options.password}`).toString("base64");
    } else if (options.authStrategy) {
      headers.Authorization = await options.authStrategy.getAuthString();
    }
    let body: string | undefined;
    if (options.data !== undefined && options.data !== null) {
      body = headers["Content-Type"] === "application/json" ? JSON.stringify(options.data)
        : formEncode(options.data as Record<string, unknown>);
      headers["Content-Length"] = String(Buffer.byteLength(body));
    }
    const response = await this.send(url, options.method.toUpperCase(), headers, body,
      options.timeout ?? this.timeoutMs) as Response<TData>;
    if (response.statusCode >= 400 && !isProblemDetails(response.body)) throw new TwilioApiError(response);
    return response;
  }

  private send(url: URL, method: string, headers: Record<string, string>, body: string | undefined,
    timeoutMs: number): Promise<Response<unknown>> {
    const transport = url.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
      const request = transport.request(url, {
        method, headers, agent: this.agents[url.protocol === "https:" ? "https:" : "http:"], timeout: timeoutMs,
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({
          statusCode: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString("utf8"),
          headers: res.headers,
        } as Response<unknown>));
        res.on("error", reject);
      });
      request.on("timeout", () => request.destroy(new Error(`no answer from Twilio within ${timeoutMs} ms`)));
      request.on("error", reject);
      request.end(body);
    });
  }
}

/** Form encoding as the SDK's transport does it: arrays repeat their name (MediaUrl=a&MediaUrl=b). */
function formEncode(data: Record<string, unknown>): string {
  const form = new URLSearchParams();
  appendParams(form, data);
  return form.toString();
}

function appendParams(target: URLSearchParams, params: unknown): void {
  if (params === undefined || params === null || typeof params !== "object") return;
  for (const [name, value] of Object.entries(params as Record<string, unknown>)) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) target.append(name, String(item));
  }
}

/** https://api.twilio.com/2010-04-01/… → <base>/2010-04-01/…; other URLs unchanged. */
function rebase(uri: string, baseUrl: string): string {
  const url = new URL(uri);
  if (url.hostname !== "twilio.com" && !url.hostname.endsWith(".twilio.com")) return uri;
  return baseUrl.replace(/\/+$/, "") + url.pathname + url.search;
}

export function createTwilioClient(options: TwilioClientOptions): twilio.Twilio {
  const httpClient = new TwilioRequestClient(options.apiBaseUrl, options.timeoutMs ?? 30_000);
  const clientOptions = {
    accountSid: options.accountSid, httpClient,
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.edge === undefined ? {} : { edge: options.edge }),
  };
  if (options.apiKey !== undefined) return twilio(options.apiKey.sid, options.apiKey.secret, clientOptions);
  if (options.authToken === undefined) throw new Error("createTwilioClient needs an authToken or an apiKey");
  return twilio(options.accountSid, options.authToken, clientOptions);
}
