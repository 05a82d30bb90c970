// POST create-template: a template whose body uses only its declared variables and the allowed
// filters and tags (checked here, naming what is wrong), version 1. Its name is unique among the
// workspace's templates in use (case-insensitive): a clash answers 409 template_name_taken.
import postgres from "postgres";
import { requireWorkspaceAccess } from "../auth.ts";
import { inTransaction } from "../database.ts";
import { ApiError } from "../http.ts";
import { checkedTemplate } from "../message-content.ts";
import type { RouteHandler } from "../route.ts";
import { type TemplateRow, toTemplateView } from "../template-store.ts";

/** The template's name is taken (the unique index of names in use). */
export function nameTakenOr(error: unknown, name: string): unknown {
  if (error instanceof postgres.PostgresError && error.code === "23505" && error.constraint_name === "message_templates_name_key") {
    return new ApiError("template_name_taken", `a template named ${JSON.stringify(name)} is already in use in this workspace`,
      { fields: [{ field: "name", message: "is already the name of a template in use" }] });
  }
  return error;
}

export const createTemplate: RouteHandler<"create-template"> = async ({ input, sql, principal }) => {
  checkedTemplate(input.body, input.variables);
  return await inTransaction(sql, principal, async (tx) => {
    const workspace = await requireWorkspaceAccess(tx, principal, input.workspaceId, "write");
    try {
      const [row] = await tx<TemplateRow[]>`
        insert into public.message_templates (workspace_id, name, body, variables, created_by)
        values (${input.workspaceId}, ${input.name}, ${input.body}, ${tx.json(input.variables as postgres.JSONValue)},
                ${principal.kind === "user" ? principal.userId : null}::uuid)
        returning *`;
      if (row === undefined) throw new Error("the template insert returned no row");
      return toTemplateView(row, workspace.timezone);
    } catch (error) {
      throw nameTakenOr(error, input.name);
    }
  });
};
