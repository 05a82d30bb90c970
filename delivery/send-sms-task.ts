// What one run of the `send-sms` Trigger.dev task does, as a plain function (trigger/messageJobs.ts
// only wires it to Trigger.dev): claim the job by id, send it through the delivery core, return the
// outcome. A run for a job that is cancelled, already claimed or done, or not due is skipped, not
// an error: the database may dispatch a job more than once (re-dispatch after the grace period),
// and only the claim decides who sends. Twilio errors never throw (the core records them); what
// throws is infrastructure (database unreachable), which Trigger.dev retries.
import { z } from "zod";
import { deliverClaimedJob, type DeliveryDeps } from "./deliver-job.ts";
import type { ClaimOneResult } from "./job-store.ts";
import type { DeliveryResult } from "./types.ts";

/** The task's id; the database's dispatch (private.trigger_batch_item) names the same task. */
export const sendSmsTaskId = "send-sms";

export const sendSmsPayloadSchema = z.object({
  jobId: z.string().min(1).max(200),
}).strict();
export type SendSmsPayload = z.infer<typeof sendSmsPayloadSchema>;

export type SkipReason = Extract<ClaimOneResult, { claimed: false }>["reason"];

export interface SkippedRun {
  jobId: string;
  skipped: SkipReason;
  message: string;
}

export type SendSmsTaskResult = DeliveryResult | SkippedRun;

/** The payload is not {jobId}: retrying cannot help. */
export class InvalidPayloadError extends Error {
  constructor(readonly issues: string) {
    super(`send-sms payload must be {"jobId": "<job id>"}: ${issues}`);
    this.name = "InvalidPayloadError";
  }
}

export interface SendSmsTaskDeps extends DeliveryDeps {
  /** Lease taken on the job while it is sent. */
  leaseSeconds: number;
  /** When the job's next attempt is due (null: no such job); used only for a run that starts early. */
  dueAt(jobId: string): Promise<Date | null>;
  /** A run that starts at most this long before its job is due waits for it; later ones skip. */
  earlyRunWaitMaxMs: number;
  /**
   * A run whose sender has no free send slot yet waits for one this long at most, then skips (the
   * job stays pending and dispatched; the sweep dispatches it again after the grace period).
   */
  pacedWaitMaxMs: number;
  sleep?: (ms: number) => Promise<void>;
}

export function parseSendSmsPayload(payload: unknown): SendSmsPayload {
  const parsed = sendSmsPayloadSchema.safeParse(payload);
  if (!parsed.success) {
    throw new InvalidPayloadError(parsed.error.issues.map((i) => `${i.path.join(".") || "payload"}: ${i.message}`).join("; "));
  }
  return parsed.data;
}

export function isSkippedRun(result: SendSmsTaskResult): result is SkippedRun {
  return "skipped" in result;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function runSendSmsTask(payload: unknown, deps: SendSmsTaskDeps): Promise<SendSmsTaskResult> {
  const { jobId } = parseSendSmsPayload(payload);
  let claim = await deps.store.claimOne(jobId, deps.workerId, deps.leaseSeconds);

  // Trigger.dev may start a run a moment before the due time (clock skew, rounding): wait for it.
  // A job due further out belongs to another attempt (a scheduled retry dispatches its own run).
  const sleep = deps.sleep ?? defaultSleep;
  const deadline = Date.now() + deps.earlyRunWaitMaxMs;
  // The job's sender is paced: the database answered when its next send slot comes within reach.
  // Waiting in this run (one run per job) keeps dispatch from piling up runs for the same job.
  const pacedDeadline = Date.now() + deps.pacedWaitMaxMs;
  while (!claim.claimed && claim.reason === "job_not_due") {
    if (claim.retryAt) {
      const waitMs = Math.max(claim.retryAt.getTime() - Date.now(), 0) + 10;
      if (Date.now() + waitMs > pacedDeadline) break;
      await sleep(waitMs);
      claim = await deps.store.claimOne(jobId, deps.workerId, deps.leaseSeconds);
      continue;
    }
    const dueAt = await deps.dueAt(jobId);
    if (dueAt === null) break;
    const waitMs = Math.max(dueAt.getTime() - Date.now(), 0) + 10;
    if (Date.now() + waitMs > deadline) break;
    await sleep(waitMs);
    claim = await deps.store.claimOne(jobId, deps.workerId, deps.leaseSeconds);
  }

  if (!claim.claimed) return { jobId, skipped: claim.reason, message: claim.message };
  return deliverClaimedJob(claim.job, deps);
}
