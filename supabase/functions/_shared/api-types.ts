// Response shapes of the HTTP API: the spec's {success, data} envelope and each route's data.
// openapi/openapi.yaml describes the same shapes; tests check real responses against it.
import type { ErrorCode } from "./error-codes.ts";
import type { FieldError, JobStatus } from "./api-schemas.ts";

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

/** POST cancel-job. */
export interface CancelJobResult {
  jobId: string;
  status: JobStatus;
}

/** GET job-status, and each entry of GET jobs. Times carry the workspace timezone's offset. */
export interface JobView {
  jobId: string;
  workspaceId: string;
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

/** GET jobs: newest scheduled first; pass nextCursor back as `cursor` for the next page. */
export interface JobsPage {
  jobs: JobView[];
  nextCursor: string | null;
}

/** GET health. */
export interface HealthResult {
  status: "ok";
  database: "reachable";
  version: string;
  time: string;
}
