// Sends one claimed job and records the result: completed, retry scheduled, or failed.
import { deliveryLimits } from "./limits.ts";
import { classifySendFailure } from "./twilio/error-classification.ts";
import type { JobStore } from "./job-store.ts";
import { type ClaimedJob, type DeliveryResult, type MessageSender, SendError } from "./types.ts";

export interface DeliveryDeps {
  store: JobStore;
  sender: MessageSender;
  workerId: string;
  /** The URL Twilio posts delivery statuses to for this job, if callbacks are wanted. */
  statusCallbackUrl: (jobId: string) => string | undefined;
}

export async function deliverClaimedJob(job: ClaimedJob, deps: DeliveryDeps): Promise<DeliveryResult> {
  const { store, sender, workerId } = deps;
  const credentials = await store.credentials(job.workspace_id);
  if (!credentials) {
    await store.fail(job.id, workerId, "twilio_not_configured",
      `workspace ${job.workspace_id} has no Twilio credentials and no TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN fallback is set`,
      "configuration_error");
    return { jobId: job.id, outcome: "failed", errorCode: "twilio_not_configured" };
  }

  // What remains of the job's validity goes to Twilio as ValidityPeriod (whole seconds, at most
  // Twilio's 36000); less than a second left (a claim made just ahead of the due time) is expired.
  const validity = remainingValidity(job.expires_at, new Date());
  if (validity === "expired") {
    await store.fail(job.id, workerId, "expired",
      `the message expired at ${job.expires_at?.toISOString() ?? "?"} before it could be sent`, "expired");
    return { jobId: job.id, outcome: "failed", errorCode: "expired" };
  }

  let accepted;
  try {
    const statusCallbackUrl = deps.statusCallbackUrl(job.id);
    accepted = await sender.send(credentials, {
      to: job.to_phone,
      from: job.from_number,
      body: job.body,
      mediaUrls: job.media_urls,
      ...(statusCallbackUrl ? { statusCallbackUrl } : {}),
      ...(validity === null ? {} : { validityPeriodSeconds: validity }),
    });
  } catch (error) {
    const failure = error instanceof SendError ? error.failure
      : { message: `unexpected error while sending: ${error instanceof Error ? error.message : String(error)}` };
    const verdict = classifySendFailure(failure);
    if (verdict.recordOptOut) await store.recordOptOut(job.workspace_id, job.to_phone, "twilio_21610");
    if (verdict.kind === "permanent") {
      await store.fail(job.id, workerId, verdict.errorCode, failure.message, "permanent_error");
      return { jobId: job.id, outcome: "failed", errorCode: verdict.errorCode };
    }
    const status = await store.retry(job.id, workerId, verdict.errorCode, failure.message,
      verdict.minRetryDelaySeconds, verdict.retryClass);
    return { jobId: job.id, outcome: status, errorCode: verdict.errorCode };
  }

  await store.complete(job.id, workerId, accepted.sid, accepted.status, accepted.numSegments);
  if (accepted.price !== null) await store.recordPrice(job.id, accepted.sid, accepted.price.amount, accepted.price.unit);
  return { jobId: job.id, outcome: "completed", twilioSid: accepted.sid };
}

/**
 * Seconds of validity left for Twilio's ValidityPeriod: null without an expiry; "expired" when
 * less than Twilio's minimum (1 s) remains; capped at Twilio's maximum (36000 s) — a longer expiry
 * is still enforced by the database (claim, retries, sweep), Twilio only drops what it could not
 * send within its own bound.
 */
export function remainingValidity(expiresAt: Date | null, now: Date): number | "expired" | null {
  if (expiresAt === null) return null;
  const seconds = Math.floor((expiresAt.getTime() - now.getTime()) / 1000);
  if (seconds < deliveryLimits.twilio_validity_min_seconds) return "expired";
  return Math.min(seconds, deliveryLimits.twilio_validity_max_seconds);
}
