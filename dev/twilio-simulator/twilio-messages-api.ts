// Twilio's Messages API (2010-04-01) as the twilio SDK calls it: create (form-encoded POST),
// fetch and list, with Basic auth, Twilio's resource and error JSON, the magic test numbers and
// the configured faults.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TwilioSimulator } from "./twilio-simulator.ts";
import { parseForm, sendJson, sleep } from "./http-io.ts";
import { isValidCallbackUrl, isValidRecipient, isValidSender } from "./address-validation.ts";
import { magicRecipientErrors, magicSenderErrors } from "./magic-test-numbers.ts";
import { countSegments, newMessageSid, toMessageResource, apiVersion } from "./message-resource.ts";
import { faultFromScript, rollRandomFault, tooManyRequests, type InjectedFault } from "./fault-injection.ts";
import { pickDuration } from "./simulator-config.ts";
import { twilioError, type TwilioErrorResponse } from "./twilio-error-responses.ts";
import type { FormParams, ReceivedMessage } from "./message-store.ts";
import { isTwilioApiHost } from "../../supabase/functions/_shared/regions.ts";

const messagesPath = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages(?:\/([^/]+))?\.json$/;
const maxBodyLength = 1600;
const maxMediaUrls = 10;

function sendError(response: ServerResponse, error: TwilioErrorResponse): void {
  sendJson(response, error.status, error.body, error.headers);
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function all(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function notFound(path: string): TwilioErrorResponse {
  return twilioError(20404, { message: `The requested resource ${path} was not found` });
}

/**
 * The Twilio API host a request was for. A client that rebases Twilio's URLs onto the simulator
 * (delivery/twilio/client.ts) keeps the host the twilio SDK built in X-Forwarded-Host, as a proxy
 * would; a request whose Host is a twilio.com name (a hosts-file mapping) names it there; a request
 * made to the simulator's own address is for api.twilio.com, which the simulator stands in for.
 */
export function apiHostOf(request: IncomingMessage): string {
  const forwarded = request.headers["x-forwarded-host"];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim();
  const host = (first !== undefined && first !== "" ? first : request.headers.host ?? "").toLowerCase().replace(/:443$/, "");
  if (first !== undefined && first !== "") return host;
  return host === "twilio.com" || host.endsWith(".twilio.com") ? host : "api.twilio.com";
}

/** True when the request was for the Twilio API (handled here), false to let others route it. */
export function isTwilioApiPath(pathname: string): boolean {
  return pathname.startsWith(`/${apiVersion}/`);
}

export async function handleTwilioApi(sim: TwilioSimulator, request: IncomingMessage, response: ServerResponse,
  url: URL, body: string): Promise<void> {
  const receivedAt = Date.now();
  const latency = pickDuration(sim.config.latencyMs);
  if (latency > 0) await sleep(latency);

  const match = messagesPath.exec(url.pathname);
  if (match === null) return sendError(response, notFound(url.pathname));
  const accountSid = match[1] as string;
  const messageSid = match[2];
  const isCreate = request.method === "POST" && messageSid === undefined;

  // A host Twilio does not answer on (not api.twilio.com, api.us1.twilio.com or
  // api.{edge}.{region}.twilio.com of its regions and edges; api.au1.twilio.com stopped on
  // 2026-04-28). Real Twilio would never see the request (DNS or TLS fails first); the simulator
  // cannot fail a connection that reached it, so it answers 404 / 20404 naming the host.
  const apiHost = apiHostOf(request);
  if (!isTwilioApiHost(apiHost)) {
    if (isCreate) logRefused(sim, receivedAt, apiHost, null, parseForm(body), 404, 20404);
    return sendError(response, twilioError(20404, {
      message: `${apiHost} is not a Twilio API host: Twilio answers on api.twilio.com and api.{edge}.{region}.twilio.com`,
    }));
  }

  const principal = sim.credentials.authenticate(request.headers.authorization);
  if (principal === null || principal !== accountSid) {
    if (isCreate) logRefused(sim, receivedAt, apiHost, null, parseForm(body), 401, 20003);
    return sendError(response, twilioError(20003, { headers: { "WWW-Authenticate": 'Basic realm="Twilio API"' } }));
  }

  if (isCreate) return createMessage(sim, response, accountSid, apiHost, parseForm(body), receivedAt);
  if (request.method !== "GET") {
    return sendError(response, twilioError(20004, { status: 405, message: "Method not allowed" }));
  }
  const fault = rollRandomFault(sim.config);
  if (fault !== null) return actOut(sim, response, fault);
  if (messageSid !== undefined) return fetchMessage(sim, response, accountSid, messageSid, url.pathname);
  return listMessages(sim, response, accountSid, url);
}

function actOut(sim: TwilioSimulator, response: ServerResponse, fault: InjectedFault): void {
  if (fault.kind === "error") return sendError(response, fault.response);
  sim.holdThenDrop(response, fault.holdMs);
}

function logRefused(sim: TwilioSimulator, receivedAt: number, apiHost: string, accountSid: string | null, params: FormParams,
  status: number | null, errorCode: number | null, messageSid: string | null = null): void {
  sim.store.logRequest({
    receivedAt, apiHost, accountSid, to: first(params.To) ?? null, from: first(params.From) ?? null,
    responseStatus: status, errorCode, messageSid,
  });
}

function isValidValidityPeriod(value: string): boolean {
  return /^\d{1,5}$/.test(value) && Number(value) >= 1 && Number(value) <= 36000;
}

/** The first reason Twilio would refuse this create request, or null when it is acceptable. */
function validate(params: FormParams): TwilioErrorResponse | null {
  const to = first(params.To);
  const from = first(params.From);
  const serviceSid = first(params.MessagingServiceSid);
  const body = first(params.Body);
  const mediaUrls = all(params.MediaUrl);
  const callback = first(params.StatusCallback);

  if (to === undefined || to === "") return twilioError(21604);
  if ((from === undefined || from === "") && (serviceSid === undefined || serviceSid === "")) return twilioError(21603);
  if ((body === undefined || body === "") && mediaUrls.length === 0 && first(params.ContentSid) === undefined) {
    return twilioError(21602);
  }
  if (body !== undefined && body.length > maxBodyLength) return twilioError(21617);
  if (mediaUrls.length > maxMediaUrls) return twilioError(21623);
  if (callback !== undefined && callback !== "" && !isValidCallbackUrl(callback)) return twilioError(21609);
  // ValidityPeriod: whole seconds from 1 to 36000, as Twilio documents it.
  const validity = first(params.ValidityPeriod);
  if (validity !== undefined && !isValidValidityPeriod(validity)) {
    return twilioError(21630, { message: `ValidityPeriod ${validity} must be a whole number of seconds from 1 to 36000.` });
  }
  if (from !== undefined && from !== "") {
    const senderCode = magicSenderErrors[from];
    if (senderCode !== undefined) return twilioError(senderCode);
    if (!isValidSender(from)) return twilioError(21212, { message: `The 'From' number ${from} is not a valid phone number, shortcode, or alphanumeric sender ID.` });
  }
  const recipientCode = magicRecipientErrors[to];
  if (recipientCode === 21211 || (recipientCode === undefined && !isValidRecipient(to))) {
    return twilioError(21211, { message: `The 'To' number ${to} is not a valid phone number.` });
  }
  if (recipientCode !== undefined) return twilioError(recipientCode);
  return null;
}

function createMessage(sim: TwilioSimulator, response: ServerResponse, accountSid: string, apiHost: string,
  params: FormParams, receivedAt: number): void {
  const config = sim.config;
  const to = first(params.To);

  // Scripted outcomes (deterministic) take precedence over the random fault rates.
  const step = to === undefined ? undefined : sim.scripts.take(to);
  const fault = step !== undefined ? faultFromScript(step, config) : rollRandomFault(config);
  if (fault?.kind === "error") {
    logRefused(sim, receivedAt, apiHost, accountSid, params, fault.response.status, fault.response.body.code);
    return sendError(response, fault.response);
  }
  if (fault?.kind === "timeout" && !fault.created) {
    logRefused(sim, receivedAt, apiHost, accountSid, params, null, null);
    return sim.holdThenDrop(response, fault.holdMs);
  }

  const invalid = validate(params);
  if (invalid !== null) {
    logRefused(sim, receivedAt, apiHost, accountSid, params, invalid.status, invalid.body.code);
    return sendError(response, invalid);
  }

  const from = first(params.From) || null;
  const serviceSid = first(params.MessagingServiceSid) || null;
  if (config.senderRateLimitPerSecond !== null) {
    const verdict = sim.rateLimiter.take((from ?? serviceSid) as string, config.senderRateLimitPerSecond, Date.now());
    if (!verdict.allowed) {
      const limited = tooManyRequests(verdict.retryAfterSeconds);
      logRefused(sim, receivedAt, apiHost, accountSid, params, 429, 20429);
      return sendError(response, limited);
    }
  }

  const now = new Date(receivedAt);
  const body = first(params.Body) ?? "";
  const message: ReceivedMessage = {
    sid: newMessageSid(),
    accountSid,
    to: to as string,
    from,
    messagingServiceSid: serviceSid,
    body,
    mediaUrls: all(params.MediaUrl),
    statusCallback: first(params.StatusCallback) || null,
    validityPeriod: first(params.ValidityPeriod) === undefined ? null : Number(first(params.ValidityPeriod)),
    // Twilio answers "accepted" while a Messaging Service still has to pick the sender.
    status: from === null ? "accepted" : "queued",
    errorCode: null,
    numSegments: countSegments(body),
    dateCreated: now,
    dateUpdated: now,
    dateSent: null,
    receivedAt,
    apiHost,
    params,
    callbacks: [],
  };
  sim.accept(message);

  if (fault?.kind === "timeout") {
    // Accepted, but the client never hears so: the ambiguous case retries must cope with.
    logRefused(sim, receivedAt, apiHost, accountSid, params, null, null, message.sid);
    return sim.holdThenDrop(response, fault.holdMs);
  }
  logRefused(sim, receivedAt, apiHost, accountSid, params, 201, null, message.sid);
  sendJson(response, 201, toMessageResource(message, from === null ? 0 : undefined));
}

function fetchMessage(sim: TwilioSimulator, response: ServerResponse, accountSid: string, sid: string, path: string): void {
  const message = sim.store.get(sid);
  if (message === undefined || message.accountSid !== accountSid) return sendError(response, notFound(path));
  sendJson(response, 200, toMessageResource(message));
}

function listMessages(sim: TwilioSimulator, response: ServerResponse, accountSid: string, url: URL): void {
  const query = url.searchParams;
  const to = query.get("To") ?? undefined;
  const from = query.get("From") ?? undefined;
  const pageSize = Math.min(1000, Math.max(1, Number(query.get("PageSize") ?? 50) || 50));
  const page = Math.max(0, Math.floor(Number(query.get("Page") ?? 0) || 0));
  // Twilio lists newest first.
  const matching = sim.store.list({ accountSid, ...(to === undefined ? {} : { to }), ...(from === undefined ? {} : { from }) }).reverse();
  const start = page * pageSize;
  const items = matching.slice(start, start + pageSize);

  const base = `/${apiVersion}/Accounts/${accountSid}/Messages.json`;
  const pageUri = (p: number) => {
    const qs = new URLSearchParams();
    if (to !== undefined) qs.set("To", to);
    if (from !== undefined) qs.set("From", from);
    qs.set("PageSize", String(pageSize));
    qs.set("Page", String(p));
    return `${base}?${qs.toString()}`;
  };
  sendJson(response, 200, {
    end: start + Math.max(items.length - 1, 0),
    first_page_uri: pageUri(0),
    messages: items.map((m) => toMessageResource(m)),
    next_page_uri: start + pageSize < matching.length ? pageUri(page + 1) : null,
    page,
    page_size: pageSize,
    previous_page_uri: page > 0 ? pageUri(page - 1) : null,
    start,
    uri: pageUri(page),
  });
}
