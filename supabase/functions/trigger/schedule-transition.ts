// pause-job and resume-job: a recurring schedule's status changes through the database's
// private.pause_recurring_schedule / private.resume_recurring_schedule (idempotent in their own
// state, invalid_transition from any other). A one-off job cannot be paused or resumed: 409
// invalid_transition (cancel-job cancels it); an id the workspace does not have is 404 job_not_found.
import type { Principal } from "../_shared/access-tokens.ts";
import { isScheduleId, type ScheduleStatus } from "../_shared/api-schemas.ts";
import type { ScheduleTransitionResult } from "../_shared/api-types.ts";
import { formatInTimeZone } from "../_shared/time.ts";
import { requireWorkspaceAccess } from "./auth.ts";
import { type Database, inTransaction } from "./database.ts";
import { ApiError } from "./http.ts";
import { lockSchedule } from "./schedule-view.ts";

export type ScheduleAction = "pause" | "resume";

interface ChangedSchedule {
  id: string;
  status: ScheduleStatus;
  next_run_at: Date | null;
  timezone: string;
}

export async function changeSchedule(
  sql: Database,
  principal: Principal,
  target: { jobId: string; workspaceId: string },
  action: ScheduleAction,
): Promise<ScheduleTransitionResult> {
  const { jobId, workspaceId } = target;
  return await inTransaction(sql, principal, async (tx) => {
    await requireWorkspaceAccess(tx, principal, workspaceId, "write");
    if (!isScheduleId(jobId)) {
      const [job] = await tx`select 1 from public.scheduled_sms_jobs where id = ${jobId} and workspace_id = ${workspaceId}`;
      if (job === undefined) throw new ApiError("job_not_found", `job ${jobId} does not exist in workspace ${workspaceId}`);
      throw new ApiError("invalid_transition",
        `job ${jobId} is a one-off message: only recurring schedules (sched_…) can be paused or resumed; cancel-job cancels a job`);
    }
    await lockSchedule(tx, workspaceId, jobId);
    const actor = principal.kind === "user" ? principal.userId : null;
    const [schedule] = action === "pause"
      ? await tx<ChangedSchedule[]>`
          select id, status, next_run_at, timezone from private.pause_recurring_schedule(${jobId}, ${actor}::uuid)`
      : await tx<ChangedSchedule[]>`
          select id, status, next_run_at, timezone from private.resume_recurring_schedule(${jobId}, ${actor}::uuid)`;
    if (schedule === undefined) throw new Error(`private.${action}_recurring_schedule returned no row`);
    return {
      jobId: schedule.id,
      status: schedule.status,
      nextRun: schedule.status === "active" && schedule.next_run_at !== null
        ? formatInTimeZone(schedule.next_run_at, schedule.timezone)
        : null,
    };
  });
}
