// POST update-sender: a sender's rate (owners and admins; the table's check bounds it again). Send
// slots already given keep their times; new claims use the new rate.
import { requireWorkspaceAccess, requireWorkspaceAdmin } from "../auth.ts";
import { inTransaction } from "../database.ts";
import { ApiError } from "../http.ts";
import { sendersOf } from "../sending-view.ts";
import type { RouteHandler } from "../route.ts";

export const updateSender: RouteHandler<"update-sender"> = async ({ input, sql, principal }) =>
  await inTransaction(sql, principal, async (tx) => {
    await requireWorkspaceAccess(tx, principal, input.workspaceId, "write");
    await requireWorkspaceAdmin(tx, principal, input.workspaceId, "change a sender's rate");
    const updated = await tx`
      update public.workspace_senders
      set messages_per_second = ${input.messagesPerSecond}::numeric
      where workspace_id = ${input.workspaceId} and sender = ${input.sender}`;
    if (updated.count === 0) {
      throw new ApiError("sender_not_allowed", `sender ${input.sender} is not one of workspace ${input.workspaceId}'s senders`,
        { fields: [{ field: "sender", message: "not one of the workspace's senders" }] });
    }
    return await sendersOf(tx, input.workspaceId);
  });
