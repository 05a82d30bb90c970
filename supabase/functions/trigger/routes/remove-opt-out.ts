// POST remove-opt-out: the workspace may message a number again (owners, admins and the service
// role, with a reason, kept in the history). private.remove_opt_out checks the same rights again
// and answers opt_out_not_found for a number without an opt-out.
import { formatInTimeZone } from "../../_shared/time.ts";
import { requireWorkspaceAccess, requireWorkspaceAdmin } from "../auth.ts";
import { inTransaction } from "../database.ts";
import { type OptOutRow, toOptOutView } from "../opt-out-view.ts";
import type { RouteHandler } from "../route.ts";

export const removeOptOut: RouteHandler<"remove-opt-out"> = async ({ input, sql, principal }) =>
  await inTransaction(sql, principal, async (tx) => {
    const workspace = await requireWorkspaceAccess(tx, principal, input.workspaceId, "read");
    await requireWorkspaceAdmin(tx, principal, workspace.id, "remove an opt-out");
    const reason = input.reason.trim();
    const [removed] = await tx<(OptOutRow & { removed_at: Date })[]>`
      select phone, source, reason, created_by, created_at, now() as removed_at
      from private.remove_opt_out(${workspace.id}, ${input.phone}, 'api', ${reason})`;
    if (removed === undefined) throw new Error("remove_opt_out returned no row");
    return {
      workspaceId: workspace.id,
      phone: removed.phone,
      reason,
      removedTime: formatInTimeZone(removed.removed_at, workspace.timezone),
      removed: toOptOutView(removed, workspace.timezone),
    };
  });
