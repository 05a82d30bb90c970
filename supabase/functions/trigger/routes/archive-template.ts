// POST archive-template: no new message can use it; messages already created keep their body.
// Archiving an archived template answers 200 again; its name is free for a new template.
import { requireWorkspaceAccess } from "../auth.ts";
import { inTransaction } from "../database.ts";
import type { RouteHandler } from "../route.ts";
import { type TemplateRow, templateNotFound, toTemplateView } from "../template-store.ts";

export const archiveTemplate: RouteHandler<"archive-template"> = async ({ input, sql, principal }) =>
  await inTransaction(sql, principal, async (tx) => {
    const workspace = await requireWorkspaceAccess(tx, principal, input.workspaceId, "write");
    const [row] = await tx<TemplateRow[]>`
      update public.message_templates set archived = true
      where id = ${input.templateId} and workspace_id = ${input.workspaceId}
      returning *`;
    if (row === undefined) throw templateNotFound(input.templateId, input.workspaceId);
    return toTemplateView(row, workspace.timezone);
  });
