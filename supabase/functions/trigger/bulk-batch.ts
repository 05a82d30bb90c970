// A schedule-bulk batch in the database: the opt-outs among its recipients (one lookup for the
// whole batch) and private.create_batch, which inserts the batch and all its jobs with one
// INSERT … SELECT through the job insert trigger, answering the job ids in the items' order.
import type { MessageCategory, RetryPolicyOverrides } from "../_shared/api-schemas.ts";
import type postgres from "postgres";
import type { Transaction } from "./database.ts";
import type { PreparedRecipient, RefusedRecipient, SortedRecipients } from "./bulk-recipients.ts";
import type { SendTime } from "./create-job.ts";

/** Moves the recipients who opted out of the workspace's messages from prepared to refused. */
export async function refuseOptedOut(tx: Transaction, workspaceId: string, sorted: SortedRecipients): Promise<SortedRecipients> {
  if (sorted.prepared.length === 0) return sorted;
  const rows = await tx<{ phone: string }[]>`
    select phone from private.opted_out_recipients(${workspaceId}, ${tx.array(sorted.prepared.map((r) => r.to))}::text[]) as phone`;
  if (rows.length === 0) return sorted;
  const optedOut = new Set(rows.map((row) => row.phone));
  const prepared: PreparedRecipient[] = [];
  const refused: RefusedRecipient[] = [...sorted.refused];
  for (const recipient of sorted.prepared) {
    if (!optedOut.has(recipient.to)) {
      prepared.push(recipient);
      continue;
    }
    refused.push({ index: recipient.index, to: recipient.to, error: { code: "recipient_opted_out",
      message: `${recipient.to} opted out of messages from workspace ${workspaceId}` } });
  }
  return { prepared, refused };
}

export interface NewBatch {
  workspaceId: string;
  createdBy: string | null;
  when: SendTime;
  fromNumber: string | null;
  mediaUrls: string[];
  template: { id: string; version: number } | null;
  metadata: Record<string, unknown>;
  rejected: number;
  recipients: readonly PreparedRecipient[];
  /** Every job's retry policy overrides and expiry, as for a single send. */
  retryPolicy: RetryPolicyOverrides | null;
  expiry: { validFor: number | null; expiresAt: Date | null };
  category: MessageCategory;
}

export interface CreatedBatch {
  batch_id: string;
  created_at: Date;
  scheduled_time: Date;
  /** In the order of NewBatch.recipients. */
  job_ids: string[];
}

export async function createBatch(tx: Transaction, batch: NewBatch): Promise<CreatedBatch> {
  const scheduledTime = batch.when.kind === "now"
    ? tx`null::timestamptz`
    : batch.when.kind === "delay"
    ? tx`now() + make_interval(mins => ${batch.when.minutes}::integer)`
    : tx`${batch.when.time}::timestamptz`;
  const items = batch.recipients.map((recipient) => ({
    to_phone: recipient.to,
    body: recipient.body,
    metadata: recipient.ownMetadata,
    template_variables: recipient.templateVariables,
    encoding: recipient.encoding,
    segments: recipient.segments,
  }));
  const [created] = await tx<CreatedBatch[]>`
    select * from private.create_batch(
      p_workspace_id => ${batch.workspaceId},
      p_created_by => ${batch.createdBy}::uuid,
      p_scheduled_time => ${scheduledTime},
      p_from_number => ${batch.fromNumber}::text,
      p_media_urls => ${tx.array(batch.mediaUrls)}::text[],
      p_template_id => ${batch.template?.id ?? null}::text,
      p_template_version => ${batch.template?.version ?? null}::integer,
      p_metadata => ${tx.json(batch.metadata as postgres.JSONValue)}::jsonb,
      p_rejected => ${batch.rejected}::integer,
      p_items => ${tx.json(items as postgres.JSONValue)}::jsonb,
      p_retry_policy => ${batch.retryPolicy === null ? null : tx.json(batch.retryPolicy as postgres.JSONValue)}::jsonb,
      p_expires_at => ${batch.expiry.expiresAt}::timestamptz,
      p_valid_for_seconds => ${batch.expiry.validFor}::integer,
      p_category => ${batch.category}::text
    )`;
  if (created === undefined) throw new Error("private.create_batch returned no row");
  return created;
}
