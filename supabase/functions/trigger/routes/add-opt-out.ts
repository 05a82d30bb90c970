// POST add-opt-out: the workspace must not message a number (writers). One call of
// private.add_opt_out: the opt-out, its pending jobs cancelled (recipient_opted_out) and the
// history entry commit together; a number that already opted out changes nothing.
import { requireWorkspaceAccess } from "../auth.ts";
import { inTransaction } from "../database.ts";
import { type OptOutRow, toOptOutView } from "../opt-out-view.ts";
import type { RouteHandler } from "../route.ts";

export const addOptOut: RouteHandler<"add-opt-out"> = async ({ input, sql, principal }) =>
  await inTransaction(sql, principal, async (tx) => {
    const workspace = await requireWorkspaceAccess(tx, principal, input.workspaceId, "write");
    const [added] = await tx<{ created: boolean; cancelled_jobs: number }[]>`
      select created, cancelled_jobs from private.add_opt_out(${workspace.id}, ${input.phone}, 'api', ${input.reason ?? null})`;
    const [row] = await tx<OptOutRow[]>`
      select phone, source, reason, created_by, created_at from public.sms_opt_outs
      where workspace_id = ${workspace.id} and phone = ${input.phone}`;
    if (added === undefined || row === undefined) throw new Error("add_opt_out left no opt-out");
    return {
      workspaceId: workspace.id,
      optOut: toOptOutView(row, workspace.timezone),
      created: added.created,
      cancelledJobs: added.cancelled_jobs,
    };
  });
