// Where the local stack lives and listens. Ports follow Supabase's local layout, except the
// database: 54322 is what the supabase CLI assumes is its own Docker database, so we use 54329.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { developmentJwtSecret } from "./token-signing.ts";

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${name} must be a TCP port number, got ${JSON.stringify(raw)}`);
  }
  return port;
}

export interface ClusterConfig {
  /** Short name; also the folder under .local/ holding the cluster. */
  name: string;
  port: number;
  /** Faster but not crash-safe settings, for throwaway test clusters. */
  ephemeral: boolean;
}

export const devCluster: ClusterConfig = {
  name: "db",
  port: portFromEnv("SMS_DB_PORT", 54329),
  ephemeral: false,
};

const testPort = portFromEnv("SMS_TEST_DB_PORT", 54339);
/** Named after its port, so test runs on different ports never share a cluster. */
export const testCluster: ClusterConfig = {
  name: `test-db-${testPort}`,
  port: testPort,
  ephemeral: true,
};

/** Local superuser credentials, as in Supabase's local stack. Loopback only. */
export const dbUser = "postgres";
export const dbPassword = "postgres";
export const dbName = "postgres";

export function databaseUrl(cluster: ClusterConfig): string {
  return `postgresql://${dbUser}:${dbPassword}@127.0.0.1:${cluster.port}/${dbName}`;
}

/** Where `npm start` serves the Edge Functions (Supabase's local URL shape) and the spec's API paths. */
export const functionsPort = portFromEnv("SMS_FUNCTIONS_PORT", 54321);
export const apiPort = portFromEnv("SMS_API_PORT", 3000);

/**
 * Local auth, as the supabase CLI's local stack has it: the well-known development JWT secret
 * (never use it anywhere real) and the issuer Supabase Auth would put in its tokens.
 */
export const localAuth = {
  jwtSecret: developmentJwtSecret,
  issuer: `http://127.0.0.1:${functionsPort}/auth/v1`,
} as const;
/** The Twilio simulator that stands in for Twilio locally. */
export const twilioSimulatorPort = portFromEnv("TWILIO_SIMULATOR_PORT", 54330);
