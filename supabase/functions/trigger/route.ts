// What a route module provides, and what it is given.
import type { Principal } from "../_shared/access-tokens.ts";
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

export type Route =
  | { method: "GET" | "POST"; auth: "none"; handle: (context: PublicContext) => Promise<unknown> }
  | { method: "GET" | "POST"; auth: "required"; handle: (context: AuthenticatedContext) => Promise<unknown> };
