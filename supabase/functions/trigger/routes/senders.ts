// GET senders: the workspace's senders with their rate, backlog and time to drain it (any member).
import { requireWorkspaceAccess } from "../auth.ts";
import { inTransaction } from "../database.ts";
import { sendersOf } from "../sending-view.ts";
import type { RouteHandler } from "../route.ts";

export const senders: RouteHandler<"senders"> = async ({ input: { workspaceId }, sql, principal }) =>
  await inTransaction(sql, principal, async (tx) => {
    await requireWorkspaceAccess(tx, principal, workspaceId, "read");
    return await sendersOf(tx, workspaceId);
  });
