// GET job-status?jobId=…&workspaceId=…: one job, or one recurring schedule (id sched_…) with its
// next runs, counts and last occurrence; any member may read it.
import { isScheduleId } from "../../_shared/api-schemas.ts";
import { requireWorkspaceAccess } from "../auth.ts";
import { inTransaction } from "../database.ts";
import { ApiError } from "../http.ts";
import { type JobRow, toJobView } from "../job-view.ts";
import type { RouteHandler } from "../route.ts";
import { requireSchedule, toScheduleView } from "../schedule-view.ts";

export const jobStatus: RouteHandler<"job-status"> = async ({ input: { jobId, workspaceId }, sql, principal }) =>
  await inTransaction(sql, principal, async (tx) => {
    const workspace = await requireWorkspaceAccess(tx, principal, workspaceId, "read");
    if (isScheduleId(jobId)) return toScheduleView(await requireSchedule(tx, workspaceId, jobId));
    const [job] = await tx<JobRow[]>`
      select * from public.scheduled_sms_jobs where id = ${jobId} and workspace_id = ${workspaceId}`;
    if (job === undefined) throw new ApiError("job_not_found", `job ${jobId} does not exist in workspace ${workspaceId}`);
    return toJobView(job, workspace.timezone);
  });
