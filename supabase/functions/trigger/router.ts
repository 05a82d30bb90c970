// The routes of the `trigger` function: each contract of _shared/api-routes.ts joined to its
// handler. The router reads and parses the request with the contract's schema (a POST's JSON body,
// a GET's query string), so a handler gets exactly what the OpenAPI document describes.
// A request path ends in /trigger/<route>: hosted Supabase passes /trigger/<route>, the local
// server /functions/v1/trigger/<route> or the spec's /api/trigger/<route>; all resolve alike.
import type { Principal } from "../_shared/access-tokens.ts";
import {
  type ApiInput, type ApiRouteName, apiRoutes, isApiRouteName, type KeyedRouteName, type RouteContract,
} from "../_shared/api-routes.ts";
import type { Database } from "./database.ts";
import { type Answer, parseJsonBytes, parseWith, queryOf, readJsonBody, readJsonBodyBytes, successAnswer } from "./http.ts";
import type { Clock } from "../_shared/api-schemas.ts";
import { answerOnce, idempotencyKeyOf } from "./idempotency.ts";
import { namedWorkspaceOf, recipientsOf } from "./rate-limit.ts";
import type { AuthenticatedContext, ChargeRequest, PublicContext, Route, RouteHandler } from "./route.ts";
import { analytics } from "./routes/analytics.ts";
import { archiveTemplate } from "./routes/archive-template.ts";
import { batchStatus } from "./routes/batch-status.ts";
import { cancelJob } from "./routes/cancel-job.ts";
import { createTemplate } from "./routes/create-template.ts";
import { health } from "./routes/health.ts";
import { jobEvents } from "./routes/job-events.ts";
import { jobStatus } from "./routes/job-status.ts";
import { jobs } from "./routes/jobs.ts";
import { pauseJob } from "./routes/pause-job.ts";
import { previewMessage } from "./routes/preview-message.ts";
import { rateLimits } from "./routes/rate-limits.ts";
import { resumeJob } from "./routes/resume-job.ts";
import { retryJob } from "./routes/retry-job.ts";
import { retryPolicy } from "./routes/retry-policy.ts";
import { scheduleBulk } from "./routes/schedule-bulk.ts";
import { scheduleDelay } from "./routes/schedule-delay.ts";
import { scheduleRecurring } from "./routes/schedule-recurring.ts";
import { scheduleUntil } from "./routes/schedule-until.ts";
import { sendSms } from "./routes/send-sms.ts";
import { stats } from "./routes/stats.ts";
import { templates } from "./routes/templates.ts";
import { updateRateLimits } from "./routes/update-rate-limits.ts";
import { updateRetryPolicy } from "./routes/update-retry-policy.ts";
import { senders } from "./routes/senders.ts";
import { updateSender } from "./routes/update-sender.ts";
import { sendingLimits } from "./routes/sending-limits.ts";
import { updateSendingLimits } from "./routes/update-sending-limits.ts";
import { quietHours } from "./routes/quiet-hours.ts";
import { updateQuietHours } from "./routes/update-quiet-hours.ts";
import { regions } from "./routes/regions.ts";
import { updateRegions } from "./routes/update-regions.ts";
import { updateTemplate } from "./routes/update-template.ts";
import { workspaces } from "./routes/workspaces.ts";
import { addOptOut } from "./routes/add-opt-out.ts";
import { inboundMessages } from "./routes/inbound-messages.ts";
import { optOuts } from "./routes/opt-outs.ts";
import { removeOptOut } from "./routes/remove-opt-out.ts";

const handlers: { [N in ApiRouteName]: RouteHandler<N> } = {
  "send-sms": sendSms,
  "schedule-delay": scheduleDelay,
  "schedule-until": scheduleUntil,
  "schedule-recurring": scheduleRecurring,
  "schedule-bulk": scheduleBulk,
  "batch-status": batchStatus,
  "cancel-job": cancelJob,
  "pause-job": pauseJob,
  "resume-job": resumeJob,
  "retry-job": retryJob,
  "retry-policy": retryPolicy,
  "update-retry-policy": updateRetryPolicy,
  senders,
  "update-sender": updateSender,
  "sending-limits": sendingLimits,
  "update-sending-limits": updateSendingLimits,
  "quiet-hours": quietHours,
  "update-quiet-hours": updateQuietHours,
  "rate-limits": rateLimits,
  "update-rate-limits": updateRateLimits,
  regions,
  "update-regions": updateRegions,
  "job-status": jobStatus,
  "jobs": jobs,
  "job-events": jobEvents,
  "stats": stats,
  "analytics": analytics,
  "workspaces": workspaces,
  "create-template": createTemplate,
  "update-template": updateTemplate,
  "archive-template": archiveTemplate,
  "templates": templates,
  "preview-message": previewMessage,
  "health": health,
  "opt-outs": optOuts,
  "add-opt-out": addOptOut,
  "remove-opt-out": removeOptOut,
  "inbound-messages": inboundMessages,
};

async function readInput(contract: RouteContract, { request, url, now }: PublicContext): Promise<unknown> {
  if (contract.request === undefined) return undefined;
  const raw = contract.method === "POST" ? await readJsonBody(request, contract.requestBodyMaxBytes) : queryOf(url);
  return parseWith(contract.request(now), raw);
}

/** A request as received, not validated yet: the JSON body or the query, and a body's raw bytes. */
interface RawInput {
  value: unknown;
  bytes?: Uint8Array<ArrayBuffer>;
}

async function readRaw(contract: RouteContract, { request, url }: PublicContext): Promise<RawInput> {
  if (contract.request === undefined) return { value: undefined };
  if (contract.method === "GET") return { value: queryOf(url) };
  const bytes = await readJsonBodyBytes(request, contract.requestBodyMaxBytes);
  return { value: parseJsonBytes(bytes), bytes };
}

/**
 * Reads the raw request and charges it to the rate limits (before validation, so a bad request
 * counts too and still gets the RateLimit fields): a body that cannot be read is charged to the
 * caller's own bucket (it names no workspace), then refused for what is wrong with it.
 */
async function readAndCharge(name: ApiRouteName, contract: RouteContract, context: AuthenticatedContext & { charge: ChargeRequest }): Promise<RawInput> {
  let raw: RawInput | undefined;
  let failure: unknown;
  try {
    raw = await readRaw(contract, context);
  } catch (error) {
    failure = error;
  }
  await context.charge(namedWorkspaceOf(raw?.value), name === "schedule-bulk" ? recipientsOf(raw?.value) : 0);
  if (raw === undefined) throw failure;
  return raw;
}

function parseRaw(contract: RouteContract, raw: RawInput, now: Clock): unknown {
  return contract.request === undefined ? undefined : parseWith(contract.request(now), raw.value);
}

/** Any handler, as the router calls it: a principal only for routes that require a token. */
type AnyHandler = (context: Omit<PublicContext, "sql"> & { sql: Database; principal?: Principal; input: unknown }) => Promise<unknown>;

/** Compiles only while every keyed route's request names its workspace (the scope of its key). */
type Assert<T extends true> = T;
export type KeyedRequestsNameAWorkspace =
  Assert<{ [N in KeyedRouteName]: ApiInput<N> extends { workspaceId: string } ? true : false }[KeyedRouteName]>;

/** The workspace a keyed request names: the scope of its key (every keyed route's body has one, see above). */
function workspaceIdOf(name: KeyedRouteName, input: unknown): string {
  const workspaceId = typeof input === "object" && input !== null && "workspaceId" in input ? input.workspaceId : undefined;
  if (typeof workspaceId !== "string") throw new Error(`the request of keyed route ${name} has no workspaceId`);
  return workspaceId;
}

function isKeyed(name: ApiRouteName): name is KeyedRouteName {
  const contract: RouteContract = apiRoutes[name];
  return contract.method === "POST" && contract.idempotency === "keyed";
}

/**
 * A keyed route: with an Idempotency-Key header, its body is read as bytes (the key's request
 * hash) and the route runs in the transaction that records the key (./idempotency.ts); without
 * one, as any route.
 */
function keyedRun(name: KeyedRouteName, contract: RouteContract, handle: AnyHandler) {
  const schemaFor = contract.request;
  if (schemaFor === undefined) throw new Error(`keyed route ${name} has no request schema`);
  return async (context: AuthenticatedContext & { charge: ChargeRequest }): Promise<Answer> => {
    const raw = await readAndCharge(name, contract, context);
    const key = idempotencyKeyOf(context.request);
    const input = parseWith(schemaFor(context.now), raw.value);
    if (key === null) return successAnswer(await handle({ ...context, input }));
    const body = raw.bytes;
    if (body === undefined) throw new Error(`keyed route ${name} read no body`);
    return await answerOnce({
      sql: context.sql,
      principal: context.principal,
      route: name,
      key,
      body,
      workspaceId: workspaceIdOf(name, input),
      run: (db) => handle({ ...context, sql: db, input }),
    });
  };
}

function routeOf(name: ApiRouteName): Route {
  const contract: RouteContract = apiRoutes[name];
  // Each handler is typed by its own contract entry (input, context, data); looked up by name,
  // TypeScript sees only the union of them, which no single call satisfies.
  const handle = handlers[name] as AnyHandler;
  if (contract.auth === "none") {
    return {
      method: contract.method,
      auth: "none",
      handle: async (context: PublicContext) => successAnswer(await handle({ ...context, input: await readInput(contract, context) })),
    };
  }
  const run = async (context: AuthenticatedContext & { charge: ChargeRequest }) => {
    const raw = await readAndCharge(name, contract, context);
    return successAnswer(await handle({ ...context, input: parseRaw(contract, raw, context.now) }));
  };
  return { method: contract.method, auth: "required", handle: isKeyed(name) ? keyedRun(name, contract, handle) : run };
}

const routes = new Map<string, Route>(Object.keys(apiRoutes).filter(isApiRouteName).map((name) => [name, routeOf(name)]));

export function findRoute(pathname: string): { name: string; route: Route } | null {
  const name = /(?:^|\/)trigger\/([a-z-]+)\/?$/.exec(pathname)?.[1];
  const route = name === undefined ? undefined : routes.get(name);
  return name === undefined || route === undefined ? null : { name, route };
}
