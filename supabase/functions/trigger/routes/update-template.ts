// POST update-template: a new name, body or variables (any change is a new version; messages
// already created keep theirs). The result is checked as a whole, as when it was created. An
// archived template cannot change: 404 template_not_found, as for a missing one.
import type postgres from "postgres";
import { requireWorkspaceAccess } from "../auth.ts";
import { inTransaction } from "../database.ts";
import type { RouteHandler } from "../route.ts";
import { requireUsableTemplate, type TemplateRow, toTemplateView } from "../template-store.ts";
import { checkedTemplate } from "../message-content.ts";
import { nameTakenOr } from "./create-template.ts";

export const updateTemplate: RouteHandler<"update-template"> = async ({ input, sql, principal }) =>
  await inTransaction(sql, principal, async (tx) => {
    const workspace = await requireWorkspaceAccess(tx, principal, input.workspaceId, "write");
    const current = await requireUsableTemplate(tx, input.workspaceId, input.templateId, { forUpdate: true });
    const name = input.name ?? current.name;
    const body = input.body ?? current.body;
    const variables = input.variables ?? current.variables;
    checkedTemplate(body, variables);
    try {
      const [row] = await tx<TemplateRow[]>`
        update public.message_templates
        set name = ${name}, body = ${body}, variables = ${tx.json(variables as postgres.JSONValue)}
        where id = ${input.templateId}
        returning *`;
      if (row === undefined) throw new Error("the template update returned no row");
      return toTemplateView(row, workspace.timezone);
    } catch (error) {
      throw nameTakenOr(error, name);
    }
  });
