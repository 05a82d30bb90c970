// The real API for the tests: the Deno functions server (dev/functions-server.ts) on free ports,
// against the suite's database, with both token schemes configured (HS256 secret and a JWKS).
// `call` makes a real HTTP request and checks the answer against openapi/openapi.yaml.
import { signServiceRoleToken, signUserToken } from "../../../dev/access-token.ts";
import { type FunctionsServer, startFunctionsServer } from "../../../dev/functions-process.ts";
import { localAuth } from "../../../dev/local-env.ts";
import { connect, databaseUrl, seededUsers } from "../../support/database.ts";
import { assertDocumented } from "./openapi.ts";
import { type JwksIssuer, startJwksIssuer } from "./signing-keys.ts";

export interface ApiServer {
  server: FunctionsServer;
  jwks: JwksIssuer;
  /** Both URL forms of the trigger function: Supabase's and the spec's. */
  baseUrls: { functions: string; spec: string };
  stop(): Promise<void>;
}

export interface ApiServerOptions {
  /**
   * For suites that test other things with many rapid calls (more than 20 writes a second): the
   * seeded workspaces get generous API rate limits (overrides in workspace_settings.api_limits,
   * restored by stop()), so the default limits do not refuse the suite's own pace. Limiting stays
   * on: every answer still carries the RateLimit fields.
   */
  generousRateLimits?: boolean;
}

/** Sets generous rate limits on the seeded workspaces; returns what restores their own. */
async function raiseRateLimits(sql: ReturnType<typeof connect>): Promise<() => Promise<void>> {
  const saved = await sql<{ workspace_id: string; api_limits: Record<string, number> }[]>`
    select workspace_id, api_limits from public.workspace_settings where workspace_id in ('ws_demo', 'ws_other')`;
  await sql`
    update public.workspace_settings
    set api_limits = ${sql.json({ writeRatePerSecond: 1000, writeBurst: 2000, readRatePerSecond: 1000, readBurst: 2000 })}
    where workspace_id in ('ws_demo', 'ws_other')`;
  return async () => {
    for (const row of saved) {
      await sql`update public.workspace_settings set api_limits = ${sql.json(row.api_limits)} where workspace_id = ${row.workspace_id}`;
    }
  };
}

/**
 * Starts the server. `stop()` also deletes the schedules, jobs, batches and templates created while it ran (files run
 * one at a time), so the due jobs these tests leave behind never reach later suites' workers and
 * sweeps. Schedules go first: once deleted, no sweep materialises another occurrence of them.
 */
export async function startApiServer(env: Record<string, string> = {}, options: ApiServerOptions = {}): Promise<ApiServer> {
  const sql = connect();
  const [started] = await sql<{ at: Date }[]>`select clock_timestamp() as at`;
  const restoreLimits = options.generousRateLimits === true ? await raiseRateLimits(sql) : async () => undefined;
  const jwks = await startJwksIssuer();
  const server = await startFunctionsServer({
    functionsPort: 0,
    apiPort: 0,
    env: {
      SUPABASE_DB_URL: databaseUrl(),
      SUPABASE_JWT_SECRET: localAuth.jwtSecret,
      SUPABASE_JWT_ISSUER: localAuth.issuer,
      SUPABASE_JWKS_URL: jwks.jwksUrl,
      ...env,
    },
  });
  return {
    server,
    jwks,
    baseUrls: { functions: `${server.functionsUrl}/trigger`, spec: `${server.apiUrl}/trigger` },
    async stop() {
      await server.stop();
      await jwks.close();
      await restoreLimits();
      await sql`delete from public.recurring_sms_schedules where created_at >= ${started?.at ?? new Date()}`;
      await sql`delete from public.scheduled_sms_jobs where created_at >= ${started?.at ?? new Date()}`;
      // Batches after their jobs (which reference them), before the templates they reference.
      await sql`delete from public.sms_batches where created_at >= ${started?.at ?? new Date()}`;
      await sql`delete from public.message_templates where created_at >= ${started?.at ?? new Date()}`;
      await sql.end();
    },
  };
}

export const tokens = {
  owner: () => signUserToken({ userId: seededUsers.demoOwner.id, email: seededUsers.demoOwner.email }),
  member: () => signUserToken({ userId: seededUsers.demoMember.id, email: seededUsers.demoMember.email }),
  viewer: () => signUserToken({ userId: seededUsers.demoViewer.id, email: seededUsers.demoViewer.email }),
  otherOwner: () => signUserToken({ userId: seededUsers.otherOwner.id, email: seededUsers.otherOwner.email }),
  service: () => signServiceRoleToken(),
};

export interface ApiAnswer {
  status: number;
  headers: Headers;
  // The envelope; tests read the fields they assert on.
  body: { success: boolean; data?: Record<string, unknown>; error?: { code: string; message: string; details?: { fields?: { field: string; message: string }[] }; requestId?: string } };
}

export interface CallOptions {
  method?: string;
  token?: string | null;
  /** A JSON value (sent as application/json) or a raw string body. */
  json?: unknown;
  rawBody?: string | Uint8Array;
  headers?: Record<string, string>;
  /** Query parameters; as a list of pairs a parameter may repeat. */
  query?: Record<string, string> | [string, string][];
}

/** One HTTP request to `<base>/<route>`; the answer must be JSON and documented in the OpenAPI file. */
export async function call(base: string, route: string, options: CallOptions = {}): Promise<ApiAnswer> {
  const method = options.method ?? (options.json !== undefined || options.rawBody !== undefined ? "POST" : "GET");
  const url = new URL(`${base}/${route}`);
  const query = options.query ?? {};
  for (const [key, value] of Array.isArray(query) ? query : Object.entries(query)) url.searchParams.append(key, value);
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== null && options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
  let body: string | Uint8Array | undefined;
  if (options.json !== undefined) {
    headers["Content-Type"] ??= "application/json";
    body = JSON.stringify(options.json);
  } else if (options.rawBody !== undefined) {
    body = options.rawBody;
  }
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  let parsed: ApiAnswer["body"];
  try {
    parsed = JSON.parse(text) as ApiAnswer["body"];
  } catch {
    throw new Error(`${method} ${url.pathname} answered ${response.status} with non-JSON: ${text.slice(0, 200)}`);
  }
  assertDocumented(route, method, response.status, parsed);
  return { status: response.status, headers: response.headers, body: parsed };
}
