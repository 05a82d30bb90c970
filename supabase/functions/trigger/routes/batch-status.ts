// GET batch-status?batchId=…&workspaceId=…: a schedule-bulk batch (who, when, template, shared
// metadata, accepted / refused at creation) and its jobs now: by status and by Twilio delivery
// status, from one aggregate over the batch's index. Any member may read; a batch of another
// workspace answers 404 like a missing one.
import { type JobStatus, jobStatusSchema } from "../../_shared/api-schemas.ts";
import type { BatchStatusResult } from "../../_shared/api-types.ts";
import { formatInTimeZone } from "../../_shared/time.ts";
import { requireWorkspaceAccess } from "../auth.ts";
import { inTransaction } from "../database.ts";
import { ApiError } from "../http.ts";
import type { RouteHandler } from "../route.ts";

interface BatchRow {
  id: string;
  workspace_id: string;
  created_by: string | null;
  created_at: Date;
  scheduled_time: Date;
  template_id: string | null;
  template_version: number | null;
  metadata: Record<string, unknown>;
  accepted: number;
  rejected: number;
}

/** Jobs without a delivery status yet are counted under this key. */
const noMessageStatus = "none";

export const batchStatus: RouteHandler<"batch-status"> = async ({ input: { batchId, workspaceId }, sql, principal }) =>
  await inTransaction(sql, principal, async (tx): Promise<BatchStatusResult> => {
    const workspace = await requireWorkspaceAccess(tx, principal, workspaceId, "read");
    const [batch] = await tx<BatchRow[]>`
      select id, workspace_id, created_by, created_at, scheduled_time, template_id, template_version, metadata, accepted, rejected
      from public.sms_batches where id = ${batchId} and workspace_id = ${workspaceId}`;
    if (batch === undefined) throw new ApiError("batch_not_found", `batch ${batchId} does not exist in workspace ${workspaceId}`);
    const groups = await tx<{ status: JobStatus; message_status: string | null; jobs: number }[]>`
      select status, message_status, count(*)::integer as jobs
      from public.scheduled_sms_jobs
      where workspace_id = ${workspaceId} and batch_id = ${batchId}
      group by status, message_status`;
    const counts = Object.fromEntries(jobStatusSchema.options.map((status) => [status, 0])) as Record<JobStatus, number>;
    const messageStatuses: Record<string, number> = {};
    let total = 0;
    for (const group of groups) {
      counts[group.status] += group.jobs;
      const key = group.message_status ?? noMessageStatus;
      messageStatuses[key] = (messageStatuses[key] ?? 0) + group.jobs;
      total += group.jobs;
    }
    const time = (date: Date) => formatInTimeZone(date, workspace.timezone);
    return {
      batchId: batch.id,
      workspaceId: batch.workspace_id,
      createdTime: time(batch.created_at),
      createdBy: batch.created_by,
      scheduledTime: time(batch.scheduled_time),
      template: batch.template_id === null || batch.template_version === null
        ? null
        : { templateId: batch.template_id, version: batch.template_version },
      metadata: batch.metadata,
      accepted: batch.accepted,
      rejected: batch.rejected,
      total,
      counts,
      messageStatuses,
    };
  });
