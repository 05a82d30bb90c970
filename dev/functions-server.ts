// The local Edge Functions server, run by Deno (`npm start` starts it): every folder
// supabase/functions/<name> (not _shared) whose index.ts exports `handler` is served on
//   http://127.0.0.1:<SMS_FUNCTIONS_PORT>/functions/v1/<name>/…   (Supabase's local URL shape)
// and the `trigger` function also on the spec's own paths
//   http://127.0.0.1:<SMS_API_PORT>/api/trigger/<route>
// Port 0 picks a free port. When listening it prints one JSON line: {"event":"listening",…}.
// Local extras on the API port, each off unless its variable is set (by `npm start` and the tests):
//   SMS_DASHBOARD_DIR=<dashboard/dist>  the built dashboard at /, index.html for app paths
//   SMS_LOCAL_SIGN_IN=1                 /__local/users and /__local/token for its sign-in page
import { createDashboardFiles } from "./dashboard-files.ts";
import { createLocalSignIn } from "./local-sign-in.ts";

type Handler = (request: Request) => Promise<Response>;

const functionsDir = new URL("../supabase/functions/", import.meta.url);
const hostname = "127.0.0.1";

function port(name: string, fallback: number): number {
  const raw = Deno.env.get(name);
  const value = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new Error(`${name} must be a TCP port, got ${raw}`);
  return value;
}

async function loadFunctions(): Promise<Map<string, Handler>> {
  const handlers = new Map<string, Handler>();
  for await (const entry of Deno.readDir(functionsDir)) {
    if (!entry.isDirectory || entry.name.startsWith("_") || entry.name.startsWith(".")) continue;
    try {
      const module: { handler?: unknown } = await import(new URL(`${entry.name}/index.ts`, functionsDir).href);
      if (typeof module.handler !== "function") {
        throw new Error(`supabase/functions/${entry.name}/index.ts must export \`handler\` (Request => Promise<Response>)`);
      }
      handlers.set(entry.name, module.handler as Handler);
    } catch (error) {
      // One broken function (say, a missing variable) must not take the others down.
      console.error(`function ${entry.name} failed to load and answers 503: ${error instanceof Error ? error.message : String(error)}`);
      handlers.set(entry.name, () => Promise.resolve(errorResponse(503, "service_unavailable", `function ${entry.name} failed to load`)));
    }
  }
  return handlers;
}

function errorResponse(status: number, code: string, message: string): Response {
  return new Response(
    JSON.stringify({ success: false, error: { code, message } }),
    { status, headers: { "Content-Type": "application/json; charset=utf-8", "Access-Control-Allow-Origin": "*" } },
  );
}

function notFound(pathname: string): Response {
  return errorResponse(404, "not_found", `no such endpoint: ${pathname}`);
}

const handlers = await loadFunctions();

const functionsServer = Deno.serve({ hostname, port: port("SMS_FUNCTIONS_PORT", 54321), onListen: () => {} }, (request) => {
  const { pathname } = new URL(request.url);
  const name = /^\/functions\/v1\/([^/]+)(?:\/|$)/.exec(pathname)?.[1];
  const handler = name === undefined ? undefined : handlers.get(name);
  return handler === undefined ? notFound(pathname) : handler(request);
});

const triggerHandler = handlers.get("trigger");
const dashboardDir = Deno.env.get("SMS_DASHBOARD_DIR") || undefined;
const dashboard = dashboardDir === undefined ? undefined : createDashboardFiles(dashboardDir);
const localSignIn = Deno.env.get("SMS_LOCAL_SIGN_IN") === "1"
  ? createLocalSignIn({
    databaseUrl: Deno.env.get("SUPABASE_DB_URL") ?? "",
    jwtSecret: Deno.env.get("SUPABASE_JWT_SECRET") ?? "",
    // As Supabase Auth would sign: <project URL>/auth/v1 (what npm start verifies as the issuer).
    issuer: Deno.env.get("SUPABASE_JWT_ISSUER") ??
      `${Deno.env.get("SUPABASE_URL") ?? `http://${hostname}:${functionsServer.addr.port}`}/auth/v1`,
  })
  : undefined;

const apiServer = Deno.serve({ hostname, port: port("SMS_API_PORT", 3000), onListen: () => {} }, (request) => {
  const { pathname } = new URL(request.url);
  if (/^\/api\//.test(pathname)) {
    return triggerHandler !== undefined && /^\/api\/trigger\//.test(pathname) ? triggerHandler(request) : notFound(pathname);
  }
  if (/^\/__local\//.test(pathname)) return localSignIn === undefined ? notFound(pathname) : localSignIn(request);
  return dashboard === undefined ? notFound(pathname) : dashboard(request);
});

console.log(JSON.stringify({
  event: "listening",
  functionsUrl: `http://${hostname}:${functionsServer.addr.port}/functions/v1`,
  apiUrl: `http://${hostname}:${apiServer.addr.port}/api`,
  dashboardUrl: dashboard === undefined ? null : `http://${hostname}:${apiServer.addr.port}/`,
  functions: [...handlers.keys()],
}));

async function shutDown(): Promise<void> {
  await Promise.allSettled([functionsServer.shutdown(), apiServer.shutdown()]);
  Deno.exit(0);
}
Deno.addSignalListener("SIGTERM", shutDown);
Deno.addSignalListener("SIGINT", shutDown);
