// GET job-events?jobId=…&workspaceId=…: the timeline of a job (sms_job_events: each attempt, error,
// retry, Twilio SID and delivery status) or of a schedule (recurring_sms_schedule_events), oldest
// first: the latest job_events_max when there are more. Any member may read it.
import { isScheduleId } from "../../_shared/api-schemas.ts";
import type { JobEventView } from "../../_shared/api-types.ts";
import { apiLimits } from "../../_shared/limits.ts";
import { sendErrorMeaning } from "../../_shared/send-error-codes.ts";
import { formatInTimeZone } from "../../_shared/time.ts";
import { requireWorkspaceAccess } from "../auth.ts";
import { inTransaction } from "../database.ts";
import { ApiError } from "../http.ts";
import type { RouteHandler } from "../route.ts";

interface EventRow {
  id: string;
  event_type: string;
  created_at: Date;
  from_status: string | null;
  to_status: string | null;
  attempt: number | null;
  error_code: string | null;
  error_message: string | null;
  occurrence_at: Date | null;
  details: Record<string, unknown>;
}

function toEventView(row: EventRow, timeZone: string): JobEventView {
  return {
    eventId: Number(row.id),
    type: row.event_type,
    time: formatInTimeZone(row.created_at, timeZone),
    fromStatus: row.from_status,
    toStatus: row.to_status,
    attempt: row.attempt,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    errorMeaning: row.error_code === null ? null : sendErrorMeaning(row.error_code),
    occurrenceTime: row.occurrence_at === null ? null : formatInTimeZone(row.occurrence_at, timeZone),
    details: row.details,
  };
}

export const jobEvents: RouteHandler<"job-events"> = async ({ input: { jobId, workspaceId }, sql, principal }) =>
  await inTransaction(sql, principal, async (tx) => {
    const workspace = await requireWorkspaceAccess(tx, principal, workspaceId, "read");
    const max = apiLimits.job_events_max;
    const kind = isScheduleId(jobId) ? "recurring" : "job";
    // A schedule's times carry its own timezone's offset, a job's the workspace's (as everywhere).
    const [owner] = kind === "recurring"
      ? await tx<{ timezone: string }[]>`
          select timezone from public.recurring_sms_schedules where id = ${jobId} and workspace_id = ${workspaceId}`
      : await tx<{ timezone: string }[]>`
          select ${workspace.timezone}::text as timezone from public.scheduled_sms_jobs
          where id = ${jobId} and workspace_id = ${workspaceId}`;
    if (owner === undefined) throw new ApiError("job_not_found", `job ${jobId} does not exist in workspace ${workspaceId}`);
    const rows = kind === "recurring"
      ? await tx<EventRow[]>`
          select id, event_type, created_at, null as from_status, null as to_status, null as attempt,
                 error_code, error_message, occurrence_at, details
          from public.recurring_sms_schedule_events where schedule_id = ${jobId}
          order by id desc limit ${max + 1}`
      : await tx<EventRow[]>`
          select id, event_type, created_at, from_status::text, to_status::text, attempt,
                 error_code, error_message, null::timestamptz as occurrence_at, details
          from public.sms_job_events where job_id = ${jobId}
          order by id desc limit ${max + 1}`;
    return {
      jobId,
      kind,
      events: rows.slice(0, max).reverse().map((row) => toEventView(row, owner.timezone)),
      truncated: rows.length > max,
    };
  });
