// POST cancel-job: queued, scheduled or retrying -> cancelled through private.cancel_job.
// Cancelling a cancelled job answers 200 again (idempotent); a job already processing or finished
// answers 409 invalid_transition; a job of another workspace answers 404 like a missing one.
import { cancelJobRequestSchema } from "../../_shared/api-schemas.ts";
import type { CancelJobResult } from "../../_shared/api-types.ts";
import { requireWorkspaceAccess } from "../auth.ts";
import { inTransaction } from "../database.ts";
import { ApiError, parseWith, readJsonBody } from "../http.ts";
import type { JobRow } from "../job-view.ts";
import type { Route } from "../route.ts";

export const cancelJobRoute: Route = {
  method: "POST",
  auth: "required",
  async handle({ request, sql, principal }): Promise<CancelJobResult> {
    const { jobId, workspaceId } = parseWith(cancelJobRequestSchema, await readJsonBody(request));
    return await inTransaction(sql, principal, async (tx) => {
      await requireWorkspaceAccess(tx, principal, workspaceId, "write");
      const [owned] = await tx`
        select 1 from public.scheduled_sms_jobs where id = ${jobId} and workspace_id = ${workspaceId}`;
      if (owned === undefined) throw new ApiError("job_not_found", `job ${jobId} does not exist in workspace ${workspaceId}`);
      const [job] = await tx<Pick<JobRow, "id" | "status">[]>`
        select id, status from private.cancel_job(${jobId}, 'cancelled_by_user')`;
      if (job === undefined) throw new Error("private.cancel_job returned no row");
      return { jobId: job.id, status: job.status };
    });
  },
};
