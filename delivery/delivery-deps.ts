// Builds what the delivery core needs; shared by the local runner and the Trigger.dev task so both
// send exactly the same way. Only the process entry points read the environment (the *FromEnv
// helpers below); everything here gets its settings passed in.
import postgres from "postgres";
import { deliveryLimits } from "./limits.ts";
import { createTwilioSender } from "./twilio/sender.ts";
import type { DeliveryDeps } from "./deliver-job.ts";
import { JobStore } from "./job-store.ts";
import type { MessageSender, TwilioCredentials } from "./types.ts";

export interface DeliveryEnvironment {
  databaseUrl: string;
  workerId: string;
  /** Public URL of the twilio-status function; each job's callback adds ?job=<id>. Unset: no callbacks. */
  statusCallbackUrl?: string | undefined;
  /** Twilio's API base URL (the simulator locally); undefined: real Twilio. Ignored with `sender`. */
  twilioApiBaseUrl?: string | undefined;
  /** Single-tenant fallback when a workspace has no credentials row. */
  fallbackCredentials?: TwilioCredentials | null;
  /** Connections to the database. */
  poolSize?: number;
  sender?: MessageSender;
  /** Record completions in batches (a runner with many sends in flight), not one by one. */
  batchCompletions?: boolean;
}

export function fallbackCredentialsFromEnv(env: NodeJS.ProcessEnv = process.env): TwilioCredentials | null {
  const accountSid = env.TWILIO_ACCOUNT_SID;
  const authToken = env.TWILIO_AUTH_TOKEN;
  return accountSid && authToken ? { accountSid, authToken } : null;
}

/** TWILIO_API_BASE_URL, if set and not empty (e.g. the simulator); otherwise real Twilio. */
export function twilioApiBaseUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.TWILIO_API_BASE_URL || undefined;
}

export function statusCallbackUrlFor(base: string | undefined, jobId: string): string | undefined {
  if (!base) return undefined;
  const url = new URL(base);
  url.searchParams.set("job", jobId);
  return url.toString();
}

export function createDeliveryDeps(env: DeliveryEnvironment): { sql: postgres.Sql; deps: DeliveryDeps } {
  const sql = postgres(env.databaseUrl, {
    prepare: false,
    max: env.poolSize ?? 10,
    onnotice: () => undefined,
  });
  const store = new JobStore(sql, {
    reconnectForMs: deliveryLimits.database_reconnect_ms,
    credentialsTtlMs: deliveryLimits.credentials_cache_ms,
    ...(env.batchCompletions ? {
      completionBatchDelayMs: deliveryLimits.runner_completion_batch_delay_ms,
      completionBatchMax: deliveryLimits.runner_completion_batch_max,
    } : {}),
  }, env.fallbackCredentials ?? null);
  return {
    sql,
    deps: {
      store,
      sender: env.sender ?? createTwilioSender({ apiBaseUrl: env.twilioApiBaseUrl }),
      workerId: env.workerId,
      statusCallbackUrl: (jobId) => statusCallbackUrlFor(env.statusCallbackUrl, jobId),
    },
  };
}
