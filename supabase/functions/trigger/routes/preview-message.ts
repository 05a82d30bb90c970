// POST preview-message: what a message would be — its text, encoding, SMS segments, the characters
// that make it UCS-2, the required variables still missing — without creating anything: for a plain
// body, a saved template, or a draft template (the dashboard editor's live preview). A missing
// variable is not an error here (the preview shows it, rendered as nothing, and warns); an invalid
// template or an unknown one is. Any member may preview.
import type { PreviewResult } from "../../_shared/api-types.ts";
import { databaseLimits } from "../../_shared/limits.ts";
import { renderTemplate, resolveValues, TemplateRefusal } from "../../_shared/message-templates.ts";
import { countSegments } from "../../_shared/sms-segments.ts";
import { requireWorkspaceAccess } from "../auth.ts";
import { inTransaction } from "../database.ts";
import { apiErrorOfTemplate, checkedTemplate, refuseUndeclaredValues } from "../message-content.ts";
import type { RouteHandler } from "../route.ts";
import { requireUsableTemplate } from "../template-store.ts";

export const previewMessage: RouteHandler<"preview-message"> = async ({ input, sql, principal }) =>
  await inTransaction(sql, principal, async (tx): Promise<PreviewResult> => {
    await requireWorkspaceAccess(tx, principal, input.workspaceId, "read");
    let body = input.body ?? "";
    let template: PreviewResult["template"] = null;
    let missingVariables: string[] = [];
    const saved = input.templateId === undefined ? null : await requireUsableTemplate(tx, input.workspaceId, input.templateId);
    const source = saved ?? input.draft ?? null;
    if (source !== null) {
      if (saved === null) checkedTemplate(source.body, source.variables, "draft.body");
      const given = input.variables ?? {};
      refuseUndeclaredValues(source.variables, given);
      const resolved = resolveValues(source.variables, given);
      try {
        body = renderTemplate(source.body, source.variables, resolved, { allowMissing: true });
      } catch (error) {
        if (error instanceof TemplateRefusal) throw apiErrorOfTemplate(error);
        throw error;
      }
      missingVariables = resolved.missing;
      if (saved !== null) template = { templateId: saved.id, version: saved.version, variables: resolved.values };
    }
    const count = countSegments(body);
    const warnings: string[] = [];
    for (const name of missingVariables) warnings.push(`${name} has no value and no default: sending would be refused`);
    if (body.trim() === "") warnings.push("the message is empty: sending would be refused");
    if ([...body].length > databaseLimits.body_max_chars) {
      warnings.push(`the message has ${[...body].length} characters, more than the ${databaseLimits.body_max_chars} a message may have`);
    }
    if (count.encoding === "UCS-2") {
      warnings.push(`${count.nonGsmCharacters.join(" ")} ${count.nonGsmCharacters.length === 1 ? "is" : "are"} not in the GSM-7 alphabet: ` +
        `the message is sent as UCS-2, ${count.segments === 1 ? 70 : 67} characters per segment instead of ${count.segments === 1 ? 160 : 153}`);
    }
    if (input.to !== undefined) {
      const [optOut] = await tx`
        select 1 from public.sms_opt_outs where workspace_id = ${input.workspaceId} and phone = ${input.to}`;
      if (optOut !== undefined) warnings.push(`${input.to} opted out of this workspace's messages: sending would be refused`);
    }
    return { body, ...count, missingVariables, warnings, template };
  });
