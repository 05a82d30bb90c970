// What a route provides, and what it is given. The contract of each route (method, token rule,
// request and response schemas) is _shared/api-routes.ts; a route module holds only its handler.
import type { Principal } from "../_shared/access-tokens.ts";
import type { ApiData, ApiInput, ApiRouteName, apiRoutes } from "../_shared/api-routes.ts";
import type { Sql } from "./database.ts";

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

/** A route as the handler runs it: method and token rule, then the work. */
export type Route =
  | { method: "GET" | "POST"; auth: "none"; handle: (context: PublicContext) => Promise<unknown> }
  | { method: "GET" | "POST"; auth: "required"; handle: (context: AuthenticatedContext) => Promise<unknown> };

type ContextOf<N extends ApiRouteName> = (typeof apiRoutes)[N]["auth"] extends "none" ? PublicContext : AuthenticatedContext;

/** A route's own work: the request parsed with the contract's schema in, the contract's data out. */
export type RouteHandler<N extends ApiRouteName> = (context: ContextOf<N> & { input: ApiInput<N> }) => Promise<ApiData<N>>;
