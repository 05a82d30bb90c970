// Response shapes of the HTTP API: the spec's {success, data} envelope and each route's data.
// openapi/openapi.yaml describes the same shapes; tests check real responses against it.
import type { ErrorCode } from "./error-codes.ts";
import type { FieldError, JobStatus, ScheduleStatus } from "./api-schemas.ts";

/** Version of the API contract, reported by GET health and in the OpenAPI document. */
export const apiVersion = "1.0.0";

export interface ApiSuccess<T> {
  success: true;
  data: T;
}

export interface ApiErrorBody {
  success: false;
  error: {
    code: ErrorCode;
    message: string;
    details?: { fields?: FieldError[] } & Record<string, unknown>;
    /** Present on 5xx answers: quote it when reporting a problem (also in the X-Request-Id header). */
    requestId?: string;
  };
}

export type ApiResponse<T> = ApiSuccess<T> | ApiErrorBody;

/** POST send-sms. `messageId` is the job id: the Twilio SID exists only once sent (see job-status). */
export interface SendSmsResult {
  jobId: string;
  status: JobStatus;
  messageId: string;
  /** When the message is due: now, in the workspace's timezone. */
  scheduledTime: string;
}

/** POST schedule-delay and schedule-until. */
export interface ScheduleResult {
  jobId: string;
  status: JobStatus;
  scheduledTime: string;
}

/**
 * POST schedule-recurring. `jobId` is the schedule's id (sched_…), which cancel-job, pause-job,
 * resume-job and job-status take. Times carry the schedule timezone's offset.
 */
export interface ScheduleRecurringResult {
  jobId: string;
  kind: "recurring";
  workspaceId: string;
  status: ScheduleStatus;
  cron: string;
  /** IANA timezone the cron expression is read in (the workspace's unless given). */
  timezone: string;
  startAt: string;
  endAt: string | null;
  maxOccurrences: number | null;
  /** The next run; null once nothing will run. */
  nextRun: string | null;
  /** The next run times (at most 5), within endAt and maxOccurrences. */
  nextRuns: string[];
  createdTime: string;
}

/** POST cancel-job: a job or a schedule, now cancelled. */
export interface CancelJobResult {
  jobId: string;
  status: JobStatus;
}

/** POST pause-job and resume-job: the schedule's status afterwards and its next run (null unless active). */
export interface ScheduleTransitionResult {
  jobId: string;
  status: ScheduleStatus;
  nextRun: string | null;
}

/** GET job-status of a one-off job, and each job of GET jobs. Times carry the workspace timezone's offset. */
export interface JobView {
  jobId: string;
  kind: "job";
  workspaceId: string;
  /** The recurring schedule this job is an occurrence of; null for a one-off message. */
  scheduleId: string | null;
  status: JobStatus;
  /** Why the job is in its status, e.g. cancelled_by_user, retries_exhausted; null if nothing to say. */
  statusReason: string | null;
  scheduledTime: string;
  /** When Twilio accepted the message; null until then. */
  completedTime: string | null;
  /** Twilio's delivery status (queued, sent, delivered, undelivered, failed…); null before sending. */
  messageStatus: string | null;
  /** Twilio's message SID once sent. */
  twilioSid: string | null;
  to: string;
  fromNumber: string;
  body: string;
  mediaUrls: string[];
  metadata: Record<string, unknown>;
  attempts: number;
  maxAttempts: number;
  /** When the next attempt is due, for jobs still waiting (queued, scheduled, retrying). */
  nextAttemptTime: string | null;
  lastError: { code: string | null; message: string | null } | null;
  createdTime: string;
  updatedTime: string;
}

/** Occurrences of a schedule by outcome. */
export interface ScheduleCounts {
  /** Occurrences materialised as jobs (what maxOccurrences limits). */
  occurrences: number;
  /** Accepted by Twilio (job status completed). */
  sent: number;
  failed: number;
  /** Materialised and not yet sent (queued, scheduled, retrying, processing). */
  pending: number;
  /** Materialised, then cancelled (the schedule was paused or cancelled). */
  cancelled: number;
  /** Not sent: the service reached them too late after downtime. */
  missed: number;
  /** Not sent: the job was refused (recipient opted out, sender no longer allowed, …). */
  skipped: number;
}

/** The latest occurrence materialised, with its job's status. */
export interface LastOccurrence {
  time: string;
  jobId: string;
  status: JobStatus;
  messageStatus: string | null;
}

/**
 * GET job-status of a schedule (sched_…), and each schedule of GET jobs (kind=recurring|all).
 * Times carry the schedule timezone's offset.
 */
export interface ScheduleView {
  jobId: string;
  kind: "recurring";
  workspaceId: string;
  status: ScheduleStatus;
  /** Why an ended schedule ended: end_at, max_occurrences or no_more_occurrences; otherwise null. */
  endedReason: string | null;
  cron: string;
  timezone: string;
  startAt: string;
  endAt: string | null;
  maxOccurrences: number | null;
  /** The next run while active; null when paused, ended or cancelled. */
  nextRun: string | null;
  nextRuns: string[];
  counts: ScheduleCounts;
  lastOccurrence: LastOccurrence | null;
  to: string;
  fromNumber: string;
  body: string;
  mediaUrls: string[];
  metadata: Record<string, unknown>;
  createdTime: string;
  updatedTime: string;
}

/**
 * GET jobs: newest first (jobs by scheduledTime, schedules by startAt); pass nextCursor back as
 * `cursor` for the next page. Only JobView entries unless kind=recurring or kind=all.
 */
export interface JobsPage {
  jobs: (JobView | ScheduleView)[];
  nextCursor: string | null;
}

/** GET health. */
export interface HealthResult {
  status: "ok";
  database: "reachable";
  version: string;
  time: string;
}
