// A scheduled_sms_jobs row as the API shows it: camelCase, times with the workspace's offset.
import { isPendingJobStatus, type JobStatus, type MessageCategory } from "../_shared/api-schemas.ts";
import type { JobView, MessageTemplateRef, RetryPolicyView, SenderSelection } from "../_shared/api-types.ts";
import type { SmsEncoding } from "../_shared/sms-segments.ts";
import { formatInTimeZone } from "../_shared/time.ts";

export interface JobRow {
  id: string;
  workspace_id: string;
  to_phone: string;
  from_number: string;
  body: string;
  media_urls: string[];
  metadata: Record<string, unknown>;
  scheduled_time: Date;
  status: JobStatus;
  status_reason: string | null;
  attempts: number;
  max_attempts: number;
  next_attempt_at: Date;
  last_error_code: string | null;
  last_error_message: string | null;
  twilio_sid: string | null;
  message_status: string | null;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
  recurring_schedule_id: string | null;
  batch_id: string | null;
  template_id: string | null;
  template_version: number | null;
  template_variables: Record<string, string | null> | null;
  encoding: SmsEncoding | null;
  segments: number | null;
  twilio_segments: number | null;
  expires_at: Date | null;
  retry_policy: RetryPolicyView;
  category: MessageCategory;
  sender_selection: SenderSelection | null;
  requested_time: Date | null;
}

/** What a creation route answers besides the job id: the sender chosen and why, its category, quiet hours' move. */
export function placementOf(row: JobRow, timeZone: string) {
  return {
    statusReason: row.status_reason,
    requestedTime: row.requested_time === null ? null : formatInTimeZone(row.requested_time, timeZone),
    fromNumber: row.from_number,
    // Set by the insert trigger for every new job.
    senderSelection: row.sender_selection ?? "explicit",
    category: row.category,
  } as const;
}

/** The template a message was rendered from (a job's or a schedule's columns), or null. */
export function templateRefOf(row: Pick<JobRow, "template_id" | "template_version" | "template_variables">): MessageTemplateRef | null {
  return row.template_id === null || row.template_version === null
    ? null
    : { templateId: row.template_id, version: row.template_version, variables: row.template_variables ?? {} };
}

export function toJobView(row: JobRow, timeZone: string): JobView {
  const time = (date: Date) => formatInTimeZone(date, timeZone);
  return {
    jobId: row.id,
    kind: "job",
    workspaceId: row.workspace_id,
    scheduleId: row.recurring_schedule_id,
    batchId: row.batch_id,
    status: row.status,
    statusReason: row.status_reason,
    scheduledTime: time(row.scheduled_time),
    requestedTime: row.requested_time === null ? null : time(row.requested_time),
    category: row.category,
    senderSelection: row.sender_selection,
    completedTime: row.completed_at === null ? null : time(row.completed_at),
    messageStatus: row.message_status,
    twilioSid: row.twilio_sid,
    to: row.to_phone,
    fromNumber: row.from_number,
    body: row.body,
    template: templateRefOf(row),
    encoding: row.encoding,
    segments: row.segments,
    twilioSegments: row.twilio_segments,
    mediaUrls: row.media_urls,
    metadata: row.metadata,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    nextAttemptTime: isPendingJobStatus(row.status) ? time(row.next_attempt_at) : null,
    expiresTime: row.expires_at === null ? null : time(row.expires_at),
    retryPolicy: row.retry_policy,
    lastError: row.last_error_code === null && row.last_error_message === null
      ? null
      : { code: row.last_error_code, message: row.last_error_message },
    createdTime: time(row.created_at),
    updatedTime: time(row.updated_at),
  };
}
