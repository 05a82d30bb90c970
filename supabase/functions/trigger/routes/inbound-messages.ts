// GET inbound-messages?workspaceId=…[&phone=…][&limit=…][&cursor=…]: what recipients sent to the
// workspace's senders (twilio-inbound), newest first, in pages; any member may read. The cursor is
// the last row's id (rows are numbered as they arrive).
import { apiLimits } from "../../_shared/limits.ts";
import { requireWorkspaceAccess } from "../auth.ts";
import { inTransaction } from "../database.ts";
import { type InboundMessageRow, toInboundMessageView } from "../opt-out-view.ts";
import type { RouteHandler } from "../route.ts";

export const inboundMessages: RouteHandler<"inbound-messages"> = async ({ input, sql, principal }) => {
  const limit = input.limit ?? apiLimits.inbound_messages_page_size_default;
  return await inTransaction(sql, principal, async (tx) => {
    const workspace = await requireWorkspaceAccess(tx, principal, input.workspaceId, "read");
    const rows = await tx<InboundMessageRow[]>`
      select id::text as id, message_sid, from_phone, to_number, messaging_service_sid, body, num_media, action, keyword,
             effect, cancelled_jobs, received_at
      from public.inbound_messages
      where workspace_id = ${workspace.id}
        ${input.phone === undefined ? tx`` : tx`and from_phone = ${input.phone}`}
        ${input.cursor === undefined ? tx`` : tx`and id < ${input.cursor}::bigint`}
      order by id desc
      limit ${limit + 1}`;
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      workspaceId: workspace.id,
      messages: page.map((row) => toInboundMessageView(row, workspace.timezone)),
      nextCursor: rows.length > limit && last !== undefined ? last.id : null,
    };
  });
};
