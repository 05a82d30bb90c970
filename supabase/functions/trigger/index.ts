// The `trigger` Edge Function: wires the environment and a database connection to the handler.
// Hosted Supabase provides SUPABASE_DB_URL (and SUPABASE_URL, from which the JWKS URL follows);
// locally dev/functions-server.ts imports `handler` and sets the same variables.
import { createAccessTokenVerifier } from "../_shared/access-tokens.ts";
import { databasePool, envReader } from "../_shared/edge-runtime.ts";
import { createTriggerHandler } from "./handler.ts";
import { createRateLimiter } from "./rate-limit.ts";

const env = envReader((name) => Deno.env.get(name));

const databaseUrl = env("SUPABASE_DB_URL");
if (databaseUrl === undefined) throw new Error("SUPABASE_DB_URL is not set");

const supabaseUrl = env("SUPABASE_URL");
const sql = databasePool(databaseUrl);

// API rate limiting is on unless API_RATE_LIMITING=off: an operator's switch, meant for measuring
// the limiter's cost (npm run bench) or an emergency, never for everyday running.
const rateLimiting = env("API_RATE_LIMITING")?.toLowerCase() !== "off";

export const handler = createTriggerHandler({
  sql,
  ...(rateLimiting ? { rateLimiter: createRateLimiter(databasePool(databaseUrl, 2)) } : {}),
  verifyAccessToken: createAccessTokenVerifier({
    jwtSecret: env("SUPABASE_JWT_SECRET"),
    jwksUrl: env("SUPABASE_JWKS_URL") ??
      (supabaseUrl === undefined ? undefined : `${supabaseUrl}/auth/v1/.well-known/jwks.json`),
    issuer: env("SUPABASE_JWT_ISSUER"),
  }),
});

if (import.meta.main) Deno.serve(handler);
