// A recurring schedule as the API shows it (job-status, jobs): private.recurring_schedule_status
// with the schedule's message, camelCase, times with the schedule timezone's offset.
import type { RetryPolicyOverrides } from "../_shared/api-schemas.ts";
import type { JobStatus, ScheduleStatus } from "../_shared/api-schemas.ts";
import type { ScheduleEndedReason, ScheduleView } from "../_shared/api-types.ts";
import { formatInTimeZone } from "../_shared/time.ts";
import type { Transaction } from "./database.ts";
import { ApiError } from "./http.ts";
import { templateRefOf } from "./job-view.ts";
import type { SmsEncoding } from "../_shared/sms-segments.ts";

export interface ScheduleRow {
  id: string;
  workspace_id: string;
  status: ScheduleStatus;
  ended_reason: ScheduleEndedReason | null;
  cron_expression: string;
  timezone: string;
  start_at: Date;
  end_at: Date | null;
  max_occurrences: number | null;
  next_run_at: Date | null;
  next_runs: Date[];
  occurrences_count: number;
  sent_count: number;
  failed_count: number;
  pending_count: number;
  cancelled_count: number;
  missed_count: number;
  skipped_count: number;
  last_occurrence_at: Date | null;
  last_occurrence_job_id: string | null;
  last_occurrence_status: JobStatus | null;
  last_occurrence_message_status: string | null;
  created_at: Date;
  updated_at: Date;
  to_phone: string;
  from_number: string;
  body: string;
  media_urls: string[];
  template_id: string | null;
  template_version: number | null;
  template_variables: Record<string, string | null> | null;
  encoding: SmsEncoding | null;
  segments: number | null;
  metadata: Record<string, unknown>;
  /** The message's retry policy overrides, resolved for each occurrence when it becomes a job. */
  retry_policy: RetryPolicyOverrides | null;
  valid_for_seconds: number | null;
}

/** The schedules of `workspaceId` among `ids` (others are left out), in no particular order. */
export async function loadSchedules(tx: Transaction, workspaceId: string, ids: readonly string[]): Promise<ScheduleRow[]> {
  if (ids.length === 0) return [];
  return await tx<ScheduleRow[]>`
    select st.*, s.to_phone, s.from_number, s.body, s.media_urls, s.metadata, s.template_id, s.template_version,
           s.template_variables, s.encoding, s.segments, s.retry_policy, s.valid_for_seconds
    from public.recurring_sms_schedules s
    cross join lateral private.recurring_schedule_status(s.id) st
    where s.id = any (${tx.array([...ids])}::text[]) and s.workspace_id = ${workspaceId}`;
}

/** The schedule `scheduleId` of `workspaceId`; job_not_found when it does not exist there. */
export async function requireSchedule(tx: Transaction, workspaceId: string, scheduleId: string): Promise<ScheduleRow> {
  const [row] = await loadSchedules(tx, workspaceId, [scheduleId]);
  if (row === undefined) throw scheduleNotFound(scheduleId, workspaceId);
  return row;
}

/** Locks the schedule `scheduleId` of `workspaceId` for a change, or throws job_not_found. */
export async function lockSchedule(tx: Transaction, workspaceId: string, scheduleId: string): Promise<void> {
  const [owned] = await tx`
    select 1 from public.recurring_sms_schedules
    where id = ${scheduleId} and workspace_id = ${workspaceId}
    for update`;
  if (owned === undefined) throw scheduleNotFound(scheduleId, workspaceId);
}

function scheduleNotFound(scheduleId: string, workspaceId: string): ApiError {
  // Another workspace's schedule answers like a missing one, so ids cannot be probed.
  return new ApiError("job_not_found", `schedule ${scheduleId} does not exist in workspace ${workspaceId}`);
}

/** Nothing runs while paused (resume-job computes the next run from then), ended or cancelled. */
export function nextRunsOf(status: ScheduleStatus, nextRuns: readonly Date[], timeZone: string): string[] {
  return status === "active" ? nextRuns.map((date) => formatInTimeZone(date, timeZone)) : [];
}

export function toScheduleView(row: ScheduleRow): ScheduleView {
  const time = (date: Date) => formatInTimeZone(date, row.timezone);
  const nextRuns = nextRunsOf(row.status, row.next_runs, row.timezone);
  return {
    jobId: row.id,
    kind: "recurring",
    workspaceId: row.workspace_id,
    status: row.status,
    endedReason: row.ended_reason,
    cron: row.cron_expression,
    timezone: row.timezone,
    startAt: time(row.start_at),
    endAt: row.end_at === null ? null : time(row.end_at),
    maxOccurrences: row.max_occurrences,
    nextRun: nextRuns[0] ?? null,
    nextRuns,
    counts: {
      occurrences: row.occurrences_count,
      sent: row.sent_count,
      failed: row.failed_count,
      pending: row.pending_count,
      cancelled: row.cancelled_count,
      missed: row.missed_count,
      skipped: row.skipped_count,
    },
    lastOccurrence: row.last_occurrence_at === null || row.last_occurrence_job_id === null || row.last_occurrence_status === null
      ? null
      : {
        time: time(row.last_occurrence_at),
        jobId: row.last_occurrence_job_id,
        status: row.last_occurrence_status,
        messageStatus: row.last_occurrence_message_status,
      },
    to: row.to_phone,
    fromNumber: row.from_number,
    body: row.body,
    template: templateRefOf(row),
    encoding: row.encoding,
    segments: row.segments,
    mediaUrls: row.media_urls,
    metadata: row.metadata,
    retryPolicy: row.retry_policy,
    validFor: row.valid_for_seconds,
    createdTime: time(row.created_at),
    updatedTime: time(row.updated_at),
  };
}
