// `npm run worker`: the local runner's process entry (`npm start` spawns one; more may run at
// once). The one place the local runner reads its environment; the defaults are the local stack's
// (dev/local-env.ts): its database, its twilio-status function and the Twilio simulator.
import os from "node:os";
import { randomUUID } from "node:crypto";
import { databaseUrl, devCluster, functionsPort, twilioSimulatorPort } from "../dev/local-env.ts";
import { deliveryLimits } from "./limits.ts";
import { createDeliveryDeps, fallbackCredentialsFromEnv, twilioApiBaseUrlFromEnv } from "./delivery-deps.ts";
import { LocalRunner } from "./local-runner.ts";

// TWILIO_API_BASE_URL=https://api.twilio.com sends through real Twilio.
const twilioApiBaseUrl = twilioApiBaseUrlFromEnv() ?? `http://127.0.0.1:${twilioSimulatorPort}`;
const workerId = `local-${os.hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
const { sql, deps } = createDeliveryDeps({
  databaseUrl: process.env.DATABASE_URL ?? databaseUrl(devCluster),
  workerId,
  statusCallbackUrl: process.env.STATUS_CALLBACK_URL ??
    `http://127.0.0.1:${functionsPort}/functions/v1/twilio-status`,
  twilioApiBaseUrl,
  fallbackCredentials: fallbackCredentialsFromEnv(),
  poolSize: 20,
  batchCompletions: true,
});

/** A limit from limits.ts, unless the environment overrides it (tests shorten leases). */
function tunable(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
}

const runner = new LocalRunner(sql, deps, {
  claimBatch: tunable("RUNNER_CLAIM_BATCH", deliveryLimits.runner_claim_batch),
  claimLookaheadMs: deliveryLimits.runner_claim_lookahead_ms,
  concurrency: tunable("RUNNER_CONCURRENCY", deliveryLimits.runner_concurrency),
  leaseSeconds: tunable("RUNNER_LEASE_SECONDS", deliveryLimits.runner_lease_seconds),
  maxIdleMs: deliveryLimits.runner_max_idle_ms,
  shutdownGraceMs: deliveryLimits.runner_shutdown_grace_ms,
  onResult: (result) => {
    if (process.env.RUNNER_LOG_RESULTS === "1") console.log(JSON.stringify({ level: "info", ...result }));
  },
  onError: (error, job) => console.error(JSON.stringify({
    level: "error", worker: workerId, jobId: job?.id, error: error instanceof Error ? error.message : String(error),
  })),
});

await runner.start();
console.log(`runner ${workerId} started (Twilio API: ${twilioApiBaseUrl})`);

let stopping = false;
async function shutDown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`runner ${workerId}: ${signal}, finishing ${runner.inFlightCount} in-flight sends`);
  await runner.stop();
  await sql.end({ timeout: 5 });
  process.exit(0);
}
process.on("SIGINT", () => void shutDown("SIGINT"));
process.on("SIGTERM", () => void shutDown("SIGTERM"));
