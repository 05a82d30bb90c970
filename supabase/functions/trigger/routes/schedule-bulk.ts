// POST schedule-bulk: one message to up to 10,000 recipients, each personalised, as one batch in
// one transaction. Recipients are checked one by one (./bulk-recipients.ts) and against the
// workspace's opt-outs (one lookup); a refused recipient is named in its item and the others are
// scheduled, unless `atomic`, where any refusal answers 400 batch_rejected and creates nothing.
// Request-level faults (the workspace, the template, the shared values, the sender, the time) are
// the request's error as for a single send.
import { formatInTimeZone } from "../../_shared/time.ts";
import { requireWorkspaceAccess } from "../auth.ts";
import { createBatch, refuseOptedOut } from "../bulk-batch.ts";
import { answerItems, sortRecipients } from "../bulk-recipients.ts";
import type { SendTime } from "../create-job.ts";
import { inTransaction } from "../database.ts";
import { ApiError } from "../http.ts";
import { refuseUndeclaredValues } from "../message-content.ts";
import type { RouteHandler } from "../route.ts";
import { requireUsableTemplate } from "../template-store.ts";

export const scheduleBulk: RouteHandler<"schedule-bulk"> = async ({ input, sql, principal }) =>
  await inTransaction(sql, principal, async (tx) => {
    const workspace = await requireWorkspaceAccess(tx, principal, input.workspaceId, "write");
    const template = input.templateId === undefined ? null : await requireUsableTemplate(tx, input.workspaceId, input.templateId);
    const sharedValues = input.variables ?? {};
    // A misspelt shared value would fail every recipient: it is the request's error.
    if (template !== null) refuseUndeclaredValues(template.variables, sharedValues);
    const checked = sortRecipients(input.recipients, {
      body: input.body ?? null,
      template,
      variables: sharedValues,
      metadata: input.metadata ?? {},
    });
    const { prepared, refused } = await refuseOptedOut(tx, input.workspaceId, checked);
    const total = input.recipients.length;
    if (input.atomic && refused.length > 0) {
      throw new ApiError("batch_rejected",
        `${refused.length} of ${total} recipients were refused (see error.details.items); atomic: nothing was scheduled`,
        { items: answerItems(total, prepared, null, refused), accepted: 0, rejected: refused.length });
    }
    const when: SendTime = input.delayMinutes !== undefined
      ? { kind: "delay", minutes: input.delayMinutes }
      : input.scheduledTime !== undefined ? { kind: "at", time: input.scheduledTime } : { kind: "now" };
    const batch = await createBatch(tx, {
      workspaceId: input.workspaceId,
      createdBy: principal.kind === "user" ? principal.userId : null,
      when,
      fromNumber: input.fromNumber ?? null,
      mediaUrls: input.mediaUrl ?? [],
      template: template === null ? null : { id: template.id, version: template.version },
      metadata: input.metadata ?? {},
      rejected: refused.length,
      recipients: prepared,
      retryPolicy: input.retryPolicy ?? null,
      expiry: { validFor: input.validFor ?? null, expiresAt: input.expiresAt ?? null },
      category: input.category,
    });
    return {
      batchId: batch.batch_id,
      accepted: prepared.length,
      rejected: refused.length,
      scheduledTime: formatInTimeZone(batch.scheduled_time, workspace.timezone),
      items: answerItems(total, prepared, batch.job_ids, refused),
    };
  });
