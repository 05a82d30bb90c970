// Message templates as the API reads and shows them: public.message_templates rows of one
// workspace, camelCase, times with the workspace's offset. A template of another workspace, or an
// archived one where a usable template is needed, answers like a missing one (template_not_found).
import type { TemplateView } from "../_shared/api-types.ts";
import type { TemplateVariable } from "../_shared/message-templates.ts";
import { formatInTimeZone } from "../_shared/time.ts";
import type { Transaction } from "./database.ts";
import { ApiError } from "./http.ts";

export interface TemplateRow {
  id: string;
  workspace_id: string;
  name: string;
  body: string;
  variables: TemplateVariable[];
  version: number;
  archived: boolean;
  created_at: Date;
  updated_at: Date;
}

export function templateNotFound(templateId: string, workspaceId: string): ApiError {
  return new ApiError("template_not_found", `template ${templateId} does not exist in workspace ${workspaceId} or is archived`,
    { fields: [{ field: "templateId", message: "is not a template of this workspace in use" }] });
}

/** A template of the workspace that is not archived (locked for an update when `forUpdate`). */
export async function requireUsableTemplate(tx: Transaction, workspaceId: string, templateId: string,
  options: { forUpdate?: boolean } = {}): Promise<TemplateRow> {
  const [row] = options.forUpdate === true
    ? await tx<TemplateRow[]>`
        select * from public.message_templates
        where id = ${templateId} and workspace_id = ${workspaceId} and not archived for update`
    : await tx<TemplateRow[]>`
        select * from public.message_templates
        where id = ${templateId} and workspace_id = ${workspaceId} and not archived`;
  if (row === undefined) throw templateNotFound(templateId, workspaceId);
  return row;
}

export function toTemplateView(row: TemplateRow, timeZone: string): TemplateView {
  return {
    templateId: row.id,
    workspaceId: row.workspace_id,
    name: row.name,
    body: row.body,
    variables: row.variables.map((variable) => ({ name: variable.name, required: variable.required, default: variable.default })),
    version: row.version,
    archived: row.archived,
    createdTime: formatInTimeZone(row.created_at, timeZone),
    updatedTime: formatInTimeZone(row.updated_at, timeZone),
  };
}
