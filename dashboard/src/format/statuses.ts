// Job, schedule and delivery statuses as the dashboard shows them. The status names are the API's
// (types from the contract; tests/dashboard keeps these lists equal to the contract's values).
import type { JobStatus, ScheduleStatus } from "../../../supabase/functions/_shared/api-schemas.ts";

export type { JobStatus, ScheduleStatus };

/** In the order a job moves through them. */
export const jobStatuses = ["scheduled", "queued", "processing", "retrying", "completed", "failed", "cancelled"] as const satisfies
  readonly JobStatus[];
/** Waiting to be sent: claimable and cancellable (the database's is_pending). */
export const pendingJobStatuses = ["scheduled", "queued", "retrying"] as const satisfies readonly JobStatus[];
export const scheduleStatuses = ["active", "paused", "ended", "cancelled"] as const satisfies readonly ScheduleStatus[];
/** Twilio delivery statuses after which nothing more is expected. */
export const finalDeliveryStatuses: readonly string[] = ["delivered", "undelivered", "failed", "canceled", "read"];

export function isPendingJob(status: JobStatus): boolean {
  return (pendingJobStatuses as readonly JobStatus[]).includes(status);
}

export function isJobStatus(value: string): value is JobStatus {
  return (jobStatuses as readonly string[]).includes(value);
}

export function isScheduleStatus(value: string): value is ScheduleStatus {
  return (scheduleStatuses as readonly string[]).includes(value);
}

export type Tone = "neutral" | "progress" | "good" | "warn" | "bad";

const tones: Record<string, Tone> = {
  scheduled: "neutral",
  queued: "progress",
  processing: "progress",
  retrying: "warn",
  completed: "good",
  failed: "bad",
  cancelled: "neutral",
  active: "good",
  paused: "warn",
  ended: "neutral",
  delivered: "good",
  read: "good",
  sent: "progress",
  sending: "progress",
  accepted: "progress",
  undelivered: "bad",
  canceled: "neutral",
  healthy: "good",
  late: "bad",
};

export function toneOf(status: string): Tone {
  return tones[status] ?? "neutral";
}
