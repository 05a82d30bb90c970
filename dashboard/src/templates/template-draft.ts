// A template as its editor holds it, and the requests made from it. Defaults are text boxes (an
// empty one means "no default"); sample values only feed the live preview and are never saved.
import type { TemplateView } from "../../../supabase/functions/_shared/api-types.ts";
import type { ApiRequest } from "../../../supabase/functions/_shared/api-routes.ts";

export interface DraftVariable {
  /** Stable across renames, for React keys. */
  key: number;
  name: string;
  required: boolean;
  default: string;
  /** A value to preview with. */
  sample: string;
}

export interface TemplateDraft {
  name: string;
  body: string;
  variables: DraftVariable[];
}

let nextKey = 0;

export function newVariable(fields: Partial<Omit<DraftVariable, "key">> = {}): DraftVariable {
  nextKey += 1;
  return { key: nextKey, name: "", required: false, default: "", sample: "", ...fields };
}

export const emptyDraft = (): TemplateDraft => ({ name: "", body: "", variables: [] });

export function draftOf(template: TemplateView): TemplateDraft {
  return {
    name: template.name,
    body: template.body,
    variables: template.variables.map((v) => newVariable({ name: v.name, required: v.required, default: v.default ?? "" })),
  };
}

type SavedVariables = NonNullable<ApiRequest<"create-template">["variables"]>;

function savedVariables(draft: TemplateDraft): SavedVariables {
  return draft.variables.map((v) => ({ name: v.name.trim(), required: v.required, default: v.default === "" ? null : v.default }));
}

export function createRequest(workspaceId: string, draft: TemplateDraft): ApiRequest<"create-template"> {
  return { workspaceId, name: draft.name.trim(), body: draft.body, variables: savedVariables(draft) };
}

/** Only what changed: an unchanged template is not sent (it would not be a new version anyway). */
export function updateRequest(workspaceId: string, template: TemplateView, draft: TemplateDraft): ApiRequest<"update-template"> | null {
  const request: ApiRequest<"update-template"> = { workspaceId, templateId: template.templateId };
  if (draft.name.trim() !== template.name) request.name = draft.name.trim();
  if (draft.body !== template.body) request.body = draft.body;
  const variables = savedVariables(draft);
  if (JSON.stringify(variables) !== JSON.stringify(template.variables)) request.variables = variables;
  return Object.keys(request).length === 2 ? null : request;
}

/**
 * The preview request for the draft: its body and variables, with the non-empty sample values of
 * variables that have a name. Null while the body is empty (nothing to preview).
 */
export function previewRequest(draft: TemplateDraft): Omit<ApiRequest<"preview-message">, "workspaceId"> | null {
  if (draft.body.trim() === "") return null;
  const named = draft.variables.filter((v) => v.name.trim() !== "");
  const values = Object.fromEntries(named.filter((v) => v.sample !== "").map((v) => [v.name.trim(), v.sample]));
  return { draft: { body: draft.body, variables: savedVariables({ ...draft, variables: named }) }, variables: values };
}

/** Names used as {{ name }} in the body but not declared: offered as one click in the editor. */
export function undeclaredNames(draft: TemplateDraft): string[] {
  const declared = new Set(draft.variables.map((v) => v.name.trim()));
  const used = [...draft.body.matchAll(/\{\{-?\s*([A-Za-z][A-Za-z0-9_]*)|\{%-?\s*(?:if|elsif|unless)\s+([A-Za-z][A-Za-z0-9_]*)/g)]
    .map((m) => m[1] ?? m[2] ?? "");
  return [...new Set(used)].filter((name) => name !== "" && !declared.has(name));
}
