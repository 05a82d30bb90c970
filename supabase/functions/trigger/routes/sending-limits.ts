// GET sending-limits: the workspace's daily message cap and today's usage in its local day (any member).
import { requireWorkspaceAccess } from "../auth.ts";
import { inTransaction } from "../database.ts";
import { sendingLimitsOf } from "../sending-view.ts";
import type { RouteHandler } from "../route.ts";

export const sendingLimits: RouteHandler<"sending-limits"> = async ({ input: { workspaceId }, sql, principal }) =>
  await inTransaction(sql, principal, async (tx) => {
    await requireWorkspaceAccess(tx, principal, workspaceId, "read");
    return await sendingLimitsOf(tx, workspaceId);
  });
