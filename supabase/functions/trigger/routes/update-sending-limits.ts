// POST update-sending-limits: the workspace's daily message cap (owners and admins, as every
// workspace setting; the column's check bounds it again). Messages already held for the next local
// day stay held until then.
import { requireWorkspaceAccess, requireWorkspaceAdmin } from "../auth.ts";
import { inTransaction } from "../database.ts";
import { sendingLimitsOf } from "../sending-view.ts";
import type { RouteHandler } from "../route.ts";

export const updateSendingLimits: RouteHandler<"update-sending-limits"> = async ({ input, sql, principal }) =>
  await inTransaction(sql, principal, async (tx) => {
    await requireWorkspaceAccess(tx, principal, input.workspaceId, "write");
    await requireWorkspaceAdmin(tx, principal, input.workspaceId, "change the daily message cap");
    await tx`
      update public.workspace_settings
      set daily_message_cap = ${input.dailyMessageCap}::integer, updated_at = now()
      where workspace_id = ${input.workspaceId}`;
    return await sendingLimitsOf(tx, input.workspaceId);
  });
