// POST update-sender: a sender's rate and/or country (owners and admins; the table's check bounds
// the rate again, its trigger checks the country). Send slots already given keep their times; new
// claims use the new rate. Absent fields are unchanged; a null country is derived from the number again.
import { requireWorkspaceAccess, requireWorkspaceAdmin } from "../auth.ts";
import { inTransaction } from "../database.ts";
import { ApiError } from "../http.ts";
import { sendersOf } from "../sending-view.ts";
import type { RouteHandler } from "../route.ts";

export const updateSender: RouteHandler<"update-sender"> = async ({ input, sql, principal }) =>
  await inTransaction(sql, principal, async (tx) => {
    await requireWorkspaceAccess(tx, principal, input.workspaceId, "write");
    await requireWorkspaceAdmin(tx, principal, input.workspaceId, "change a sender");
    const updated = await tx`
      update public.workspace_senders
      set messages_per_second = case when ${input.messagesPerSecond !== undefined}::boolean
            then ${input.messagesPerSecond ?? null}::numeric else messages_per_second end,
          country = case when ${input.country !== undefined}::boolean then ${input.country ?? null}::text else country end
      where workspace_id = ${input.workspaceId} and sender = ${input.sender}`;
    if (updated.count === 0) {
      throw new ApiError("sender_not_allowed", `sender ${input.sender} is not one of workspace ${input.workspaceId}'s senders`,
        { fields: [{ field: "sender", message: "not one of the workspace's senders" }] });
    }
    return await sendersOf(tx, input.workspaceId);
  });
