// POST retry-job: a failed job tried again — a new attempt now or at scheduledTime, attempts reset
// under the policy recorded on the job, its events kept — through private.manual_retry_job; a batch
// id (batch_…) retries the batch's failed jobs in one statement (private.manual_retry_batch) and
// answers how many. A job that is not failed answers 409 invalid_transition; an opted-out recipient
// 409 recipient_opted_out and a permanent number error (21211, 21614, 21610, …) 409
// permanent_number_error, unless `force` — which only owners and admins may give (403 otherwise).
// An expired job needs a new expiry (validFor / expiresAt), else 400 invalid_expiry.
import { isBatchId } from "../../_shared/api-schemas.ts";
import { formatInTimeZone } from "../../_shared/time.ts";
import { requireWorkspaceAccess, requireWorkspaceAdmin } from "../auth.ts";
import { inTransaction } from "../database.ts";
import { ApiError } from "../http.ts";
import type { JobRow } from "../job-view.ts";
import type { RouteHandler } from "../route.ts";

export const retryJob: RouteHandler<"retry-job"> = async ({ input, sql, principal }) =>
  await inTransaction(sql, principal, async (tx) => {
    const { jobId, workspaceId, force } = input;
    const workspace = await requireWorkspaceAccess(tx, principal, workspaceId, "write");
    if (force) await requireWorkspaceAdmin(tx, principal, workspaceId, "force a retry");
    const at = input.scheduledTime ?? null;
    const expiresAt = input.expiresAt ?? null;
    const validFor = input.validFor ?? null;
    if (isBatchId(jobId)) {
      const [batch] = await tx`select 1 from public.sms_batches where id = ${jobId} and workspace_id = ${workspaceId}`;
      if (batch === undefined) throw new ApiError("batch_not_found", `batch ${jobId} does not exist in workspace ${workspaceId}`);
      const [result] = await tx<{ retried: number; skipped: number }[]>`
        select retried, skipped from private.manual_retry_batch(${jobId}, ${at}::timestamptz, ${expiresAt}::timestamptz,
          ${validFor}::integer, ${force})`;
      return { jobId, status: "retrying", nextAttemptTime: null, expiresTime: null,
        retried: result?.retried ?? 0, skipped: result?.skipped ?? 0 };
    }
    const [owned] = await tx`
      select 1 from public.scheduled_sms_jobs where id = ${jobId} and workspace_id = ${workspaceId}`;
    if (owned === undefined) throw new ApiError("job_not_found", `job ${jobId} does not exist in workspace ${workspaceId}`);
    const [job] = await tx<Pick<JobRow, "id" | "status" | "next_attempt_at" | "expires_at">[]>`
      select id, status, next_attempt_at, expires_at
      from private.manual_retry_job(${jobId}, ${at}::timestamptz, ${expiresAt}::timestamptz, ${validFor}::integer, ${force})`;
    if (job?.status !== "retrying") throw new Error("private.manual_retry_job did not retry");
    return {
      jobId: job.id,
      status: "retrying",
      nextAttemptTime: formatInTimeZone(job.next_attempt_at, workspace.timezone),
      expiresTime: job.expires_at === null ? null : formatInTimeZone(job.expires_at, workspace.timezone),
    };
  });
