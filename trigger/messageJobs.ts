// The `send-sms` Trigger.dev task: the production engine's executor. It only wires Trigger.dev's
// configuration (id, queue and concurrency, retry, max duration) and the process's environment to
// the plain function delivery/send-sms-task.ts: the database dispatches one run per pending attempt
// (supabase/migrations/*_trigger_dispatch.sql), and the run claims the job by id, sends it through
// the same delivery core the local runner uses (delivery/) and records the outcome.
//
// Retries here are for infrastructure failures only (the run threw: database unreachable, process
// crash). A Twilio error is not a throw: the core records it and schedules the job's own retry in
// the database, which dispatches a new run for that attempt.
import { AbortTaskRunError, logger, queue, task } from "@trigger.dev/sdk";
import type postgres from "postgres";
import { triggerTaskLimits, triggerTaskRetry } from "../delivery/limits.ts";
import { createDeliveryDeps, fallbackCredentialsFromEnv, twilioApiBaseUrlFromEnv } from "../delivery/delivery-deps.ts";
import type { DeliveryDeps } from "../delivery/deliver-job.ts";
import {
  InvalidPayloadError, isSkippedRun, runSendSmsTask, sendSmsTaskId, type SendSmsTaskDeps,
  type SendSmsTaskResult,
} from "../delivery/send-sms-task.ts";

/** One queue for all sends; the dispatch's concurrencyKey (the workspace) splits it per tenant. */
export const smsDeliveryQueue = queue({
  name: "sms-delivery",
  concurrencyLimit: triggerTaskLimits.queue_concurrency_limit,
});

type ProcessDeps = Omit<SendSmsTaskDeps, "workerId">;

let processDeps: ProcessDeps | undefined;

/**
 * Built once per process (runs may share a warm process): one small pool to DATABASE_URL. The only
 * place the task reads its environment (TWILIO_API_BASE_URL unset: real Twilio).
 */
function depsForProcess(): ProcessDeps {
  if (processDeps) return processDeps;
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error("DATABASE_URL is not set in the Trigger.dev environment");
  const { sql, deps } = createDeliveryDeps({
    databaseUrl,
    workerId: "trigger", // replaced per run below
    statusCallbackUrl: process.env.STATUS_CALLBACK_URL,
    twilioApiBaseUrl: twilioApiBaseUrlFromEnv(),
    fallbackCredentials: fallbackCredentialsFromEnv(),
    poolSize: 2,
  });
  const { store, sender, statusCallbackUrl }: DeliveryDeps = deps;
  processDeps = {
    store,
    sender,
    statusCallbackUrl,
    leaseSeconds: triggerTaskLimits.task_lease_seconds,
    earlyRunWaitMaxMs: triggerTaskLimits.early_run_wait_max_ms,
    pacedWaitMaxMs: triggerTaskLimits.paced_wait_max_ms,
    dueAt: (jobId) => jobDueAt(sql, jobId),
  };
  return processDeps;
}

async function jobDueAt(sql: postgres.Sql, jobId: string): Promise<Date | null> {
  const [row] = await sql<{ next_attempt_at: Date }[]>`
    select next_attempt_at from public.scheduled_sms_jobs where id = ${jobId}`;
  return row?.next_attempt_at ?? null;
}

export const sendSmsTask = task({
  id: sendSmsTaskId,
  queue: smsDeliveryQueue,
  maxDuration: triggerTaskLimits.max_duration_seconds,
  retry: triggerTaskRetry,
  run: async (payload: unknown, { ctx }): Promise<SendSmsTaskResult> => {
    // The worker id names this attempt of this run: a retried run is a new claimant, and a lease
    // still held by a crashed attempt is never mistaken for this one's.
    const workerId = `trigger:${ctx.run.id}:${ctx.attempt.number}`;
    let result: SendSmsTaskResult;
    try {
      result = await runSendSmsTask(payload, { ...depsForProcess(), workerId });
    } catch (error) {
      if (error instanceof InvalidPayloadError) throw new AbortTaskRunError(error.message);
      throw error;
    }
    if (isSkippedRun(result)) logger.info("send-sms skipped", { ...result });
    else logger.info("send-sms attempt recorded", { ...result });
    return result;
  },
});
