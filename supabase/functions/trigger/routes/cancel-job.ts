// POST cancel-job: a job queued, scheduled or retrying -> cancelled through private.cancel_job; a
// recurring schedule (id sched_…) active or paused -> cancelled through
// private.cancel_recurring_schedule, which also cancels its pending occurrences.
// Cancelling a cancelled job or schedule answers 200 again (idempotent); a job already processing
// or finished, or a schedule that ended, answers 409 invalid_transition; a job or schedule of
// another workspace answers 404 like a missing one. A schedule-bulk batch (id batch_…): its
// pending jobs -> cancelled in one statement (private.cancel_batch_jobs), answering how many;
// again -> 0 (idempotent); jobs already sent or failed are left as they are.
import { isBatchId, isScheduleId } from "../../_shared/api-schemas.ts";
import { requireWorkspaceAccess } from "../auth.ts";
import { inTransaction } from "../database.ts";
import { ApiError } from "../http.ts";
import type { JobRow } from "../job-view.ts";
import type { RouteHandler } from "../route.ts";
import { lockSchedule, type ScheduleRow } from "../schedule-view.ts";

export const cancelJob: RouteHandler<"cancel-job"> = async ({ input: { jobId, workspaceId }, sql, principal }) =>
  await inTransaction(sql, principal, async (tx) => {
    await requireWorkspaceAccess(tx, principal, workspaceId, "write");
    if (isBatchId(jobId)) {
      const [batch] = await tx`select 1 from public.sms_batches where id = ${jobId} and workspace_id = ${workspaceId}`;
      if (batch === undefined) throw new ApiError("batch_not_found", `batch ${jobId} does not exist in workspace ${workspaceId}`);
      const [result] = await tx<{ cancelled: number }[]>`
        select private.cancel_batch_jobs(${jobId}, 'cancelled_by_user') as cancelled`;
      return { jobId, status: "cancelled", cancelled: result?.cancelled ?? 0 };
    }
    if (isScheduleId(jobId)) {
      await lockSchedule(tx, workspaceId, jobId);
      const actor = principal.kind === "user" ? principal.userId : null;
      const [schedule] = await tx<Pick<ScheduleRow, "id" | "status">[]>`
        select id, status from private.cancel_recurring_schedule(${jobId}, ${actor}::uuid)`;
      if (schedule?.status !== "cancelled") throw new Error("private.cancel_recurring_schedule did not cancel");
      return { jobId: schedule.id, status: "cancelled" };
    }
    const [owned] = await tx`
      select 1 from public.scheduled_sms_jobs where id = ${jobId} and workspace_id = ${workspaceId}`;
    if (owned === undefined) throw new ApiError("job_not_found", `job ${jobId} does not exist in workspace ${workspaceId}`);
    // private.cancel_job cancels or refuses (invalid_transition); it never answers another status.
    const [job] = await tx<Pick<JobRow, "id" | "status">[]>`
      select id, status from private.cancel_job(${jobId}, 'cancelled_by_user')`;
    if (job?.status !== "cancelled") throw new Error("private.cancel_job did not cancel");
    return { jobId: job.id, status: "cancelled" };
  });
