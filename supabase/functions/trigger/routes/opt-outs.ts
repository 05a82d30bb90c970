// GET opt-outs?workspaceId=…[&phone=…][&limit=…][&cursor=…]: the numbers a workspace must not
// message, newest first, in pages, with the latest changes (of `phone`, or of the workspace). Any
// member may read. The cursor is opaque to clients: the last row's exact sort key (database
// timestamp text and number), so pages never skip or repeat rows that share a time.
import { apiLimits } from "../../_shared/limits.ts";
import { parseIsoWithOffset } from "../../_shared/time.ts";
import { requireWorkspaceAccess } from "../auth.ts";
import { inTransaction } from "../database.ts";
import { ApiError } from "../http.ts";
import { type OptOutEventRow, type OptOutRow, toOptOutEventView, toOptOutView } from "../opt-out-view.ts";
import type { RouteHandler } from "../route.ts";

interface Position {
  createdAt: string;
  phone: string;
}

function encodeCursor(position: Position): string {
  return btoa(JSON.stringify([position.createdAt, position.phone])).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function decodeCursor(cursor: string): Position {
  try {
    const parsed: unknown = JSON.parse(atob(cursor.replaceAll("-", "+").replaceAll("_", "/")));
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === "string" && typeof parsed[1] === "string") {
      const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)([+-]\d{2})(:\d{2})?$/.exec(parsed[0]);
      if (match !== null && parseIsoWithOffset(`${match[1]}T${match[2]}${match[3]}${match[4] ?? ":00"}`) !== null
          && /^\+[1-9][0-9]{6,14}$/.test(parsed[1])) {
        return { createdAt: parsed[0], phone: parsed[1] };
      }
    }
  } catch {
    // fall through: any undecodable cursor is the client's mistake
  }
  throw ApiError.invalidFields([{ field: "cursor", message: "is not a cursor returned by this endpoint" }]);
}

export const optOuts: RouteHandler<"opt-outs"> = async ({ input, sql, principal }) => {
  const after = input.cursor === undefined ? null : decodeCursor(input.cursor);
  const limit = input.limit ?? apiLimits.opt_outs_page_size_default;
  return await inTransaction(sql, principal, async (tx) => {
    const workspace = await requireWorkspaceAccess(tx, principal, input.workspaceId, "read");
    const rows = await tx<(OptOutRow & { sort_time: string })[]>`
      select phone, source, reason, created_by, created_at, created_at::text as sort_time
      from public.sms_opt_outs
      where workspace_id = ${workspace.id}
        ${input.phone === undefined ? tx`` : tx`and phone = ${input.phone}`}
        ${after === null ? tx`` : tx`and (created_at, phone) < (${after.createdAt}::timestamptz, ${after.phone})`}
      order by created_at desc, phone desc
      limit ${limit + 1}`;
    const history = await tx<OptOutEventRow[]>`
      select phone, action, source, reason, actor, message_sid, created_at
      from public.sms_opt_out_events
      where workspace_id = ${workspace.id}
        ${input.phone === undefined ? tx`` : tx`and phone = ${input.phone}`}
      order by id desc
      limit ${apiLimits.opt_out_history_max}`;
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      workspaceId: workspace.id,
      optOuts: page.map((row) => toOptOutView(row, workspace.timezone)),
      nextCursor: rows.length > limit && last !== undefined ? encodeCursor({ createdAt: last.sort_time, phone: last.phone }) : null,
      history: history.map((row) => toOptOutEventView(row, workspace.timezone)),
    };
  });
};
