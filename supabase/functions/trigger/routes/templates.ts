// GET templates?workspaceId=…[&archived=false|true|all]: a workspace's templates by name; any member may read them.
import { apiLimits } from "../../_shared/limits.ts";
import { requireWorkspaceAccess } from "../auth.ts";
import { inTransaction } from "../database.ts";
import type { RouteHandler } from "../route.ts";
import { type TemplateRow, toTemplateView } from "../template-store.ts";

export const templates: RouteHandler<"templates"> = async ({ input, sql, principal }) =>
  await inTransaction(sql, principal, async (tx) => {
    const workspace = await requireWorkspaceAccess(tx, principal, input.workspaceId, "read");
    const rows = await tx<TemplateRow[]>`
      select * from public.message_templates
      where workspace_id = ${input.workspaceId}
        ${input.archived === "all" ? tx`` : tx`and archived = ${input.archived === "true"}`}
      order by lower(name), id
      limit ${apiLimits.templates_list_max}`;
    return { templates: rows.map((row) => toTemplateView(row, workspace.timezone)) };
  });
