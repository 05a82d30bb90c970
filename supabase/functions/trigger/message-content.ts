// What a new message says: its body as given, or rendered from a template with the message's
// variables. Either way the body's encoding and SMS segments are counted here, once, and kept with
// the job (or schedule), with the template id, version and the values rendered.
import type { TemplateVariable } from "../_shared/message-templates.ts";
import { checkTemplate, renderTemplate, resolveValues, TemplateRefusal } from "../_shared/message-templates.ts";
import { countSegments, type SmsEncoding } from "../_shared/sms-segments.ts";
import type { Transaction } from "./database.ts";
import { ApiError } from "./http.ts";
import { requireUsableTemplate } from "./template-store.ts";

export interface MessageSource {
  body?: string | undefined;
  templateId?: string | undefined;
  variables?: Record<string, string> | undefined;
}

export interface MessageContent {
  body: string;
  template: { id: string; version: number; variables: Record<string, string | null> } | null;
  encoding: SmsEncoding;
  segments: number;
}

/** A template refusal as the API answers it, naming the request field it is about. */
export function apiErrorOfTemplate(refusal: TemplateRefusal): ApiError {
  const field = refusal.code === "template_variable_missing" ? "variables" : "templateId";
  return new ApiError(refusal.code, refusal.message, {
    fields: [{ field, message: refusal.message }],
    ...(refusal.names.length > 0 ? { names: refusal.names } : {}),
  });
}

/** Values for names the template does not declare are refused: a misspelt name must not vanish. */
/** A template's body checked against its variables; a refusal as the API answers it, on `field`. */
export function checkedTemplate(body: string, variables: readonly TemplateVariable[], field = "body"): void {
  try {
    checkTemplate(body, variables);
  } catch (error) {
    if (!(error instanceof TemplateRefusal)) throw error;
    const refusal = apiErrorOfTemplate(error);
    throw new ApiError(refusal.code, refusal.message, { ...refusal.details, fields: [{ field, message: refusal.message }] });
  }
}

export function refuseUndeclaredValues(variables: readonly TemplateVariable[], given: Readonly<Record<string, string>>): void {
  const declared = new Set(variables.map((variable) => variable.name));
  const unknown = Object.keys(given).filter((name) => !declared.has(name));
  if (unknown.length > 0) {
    throw ApiError.invalidFields(unknown.map((name) => ({ field: `variables.${name}`, message: "is not a variable of the template" })));
  }
}

export async function resolveMessageContent(tx: Transaction, workspaceId: string, source: MessageSource): Promise<MessageContent> {
  if (source.templateId === undefined) {
    const body = source.body ?? "";
    const { encoding, segments } = countSegments(body);
    return { body, template: null, encoding, segments };
  }
  const template = await requireUsableTemplate(tx, workspaceId, source.templateId);
  const given = source.variables ?? {};
  refuseUndeclaredValues(template.variables, given);
  const resolved = resolveValues(template.variables, given);
  let body: string;
  try {
    body = renderTemplate(template.body, template.variables, resolved);
  } catch (error) {
    if (error instanceof TemplateRefusal) throw apiErrorOfTemplate(error);
    throw error;
  }
  const { encoding, segments } = countSegments(body);
  return { body, template: { id: template.id, version: template.version, variables: resolved.values }, encoding, segments };
}
