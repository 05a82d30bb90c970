// What a route provides, and what it is given. The contract of each route (method, token rule,
// request and response schemas) is _shared/api-routes.ts; a route module holds only its handler.
import type { Principal } from "../_shared/access-tokens.ts";
import type { ApiData, ApiInput, ApiRouteName, apiRoutes } from "../_shared/api-routes.ts";
import type { Database, Sql } from "./database.ts";
import type { Answer } from "./http.ts";

export interface PublicContext {
  request: Request;
  url: URL;
  sql: Sql;
  /** The API's clock in ms (Date.now), for checks made before the database. */
  now: () => number;
}

export interface AuthenticatedContext extends PublicContext {
  principal: Principal;
}

/**
 * Charges the request against its caller's rate limits in the workspace it names (rate-limit.ts),
 * given what the raw request says: throws 429 rate_limited when over. The handler supplies it.
 */
export type ChargeRequest = (workspaceId: string | undefined, recipients: number) => Promise<void>;

/**
 * A POST route's context: its database is the pool or, for a request with an Idempotency-Key, the
 * request's open transaction, so it works only through inTransaction (database.ts) and whatever it
 * writes commits with the key.
 */
export interface WriteContext extends Omit<AuthenticatedContext, "sql"> {
  sql: Database;
}

/** A route as the handler runs it: method and token rule, then the work, answered as sent. */
export type Route =
  | { method: "GET" | "POST"; auth: "none"; handle: (context: PublicContext) => Promise<Answer> }
  | { method: "GET" | "POST"; auth: "required"; handle: (context: AuthenticatedContext & { charge: ChargeRequest }) => Promise<Answer> };

type ContextOf<N extends ApiRouteName> = (typeof apiRoutes)[N]["auth"] extends "none" ? PublicContext
  : (typeof apiRoutes)[N]["method"] extends "POST" ? WriteContext
  : AuthenticatedContext;

/** A route's own work: the request parsed with the contract's schema in, the contract's data out. */
export type RouteHandler<N extends ApiRouteName> = (context: ContextOf<N> & { input: ApiInput<N> }) => Promise<ApiData<N>>;
