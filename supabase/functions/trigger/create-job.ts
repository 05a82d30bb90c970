// The one creation path of send-sms, schedule-delay and schedule-until: the content (a body, or a
// template rendered with the message's variables; ./message-content.ts), then private.create_job,
// whose BEFORE INSERT trigger applies the same rules as a direct insert, in one transaction with
// the membership check and the job's `created` event.
import type postgres from "postgres";
import type { Principal } from "../_shared/access-tokens.ts";
import type { MessageCategory, RetryPolicyOverrides } from "../_shared/api-schemas.ts";
import { requireWorkspaceAccess, type Workspace } from "./auth.ts";
import { type Database, inTransaction } from "./database.ts";
import type { JobRow } from "./job-view.ts";
import { type MessageSource, resolveMessageContent } from "./message-content.ts";

export interface NewMessage extends MessageSource {
  workspaceId: string;
  to: string;
  mediaUrl?: string[] | undefined;
  fromNumber?: string | undefined;
  metadata?: Record<string, unknown> | undefined;
  /** Overrides of the workspace's retry policy (resolved and recorded on the job by the database). */
  retryPolicy?: RetryPolicyOverrides | undefined;
  /** Expiry: seconds after the scheduled time, or an instant (not both; the schema checks). */
  validFor?: number | undefined;
  expiresAt?: Date | undefined;
  /** transactional unless given: marketing messages obey the workspace's quiet hours. */
  category?: MessageCategory | undefined;
}

/** When to send: now, after a delay measured by the database's clock, or at a given time. */
export type SendTime = { kind: "now" } | { kind: "delay"; minutes: number } | { kind: "at"; time: Date };

export async function createJob(
  sql: Database,
  principal: Principal,
  message: NewMessage,
  when: SendTime,
): Promise<{ job: JobRow; workspace: Workspace }> {
  return await inTransaction(sql, principal, async (tx) => {
    const workspace = await requireWorkspaceAccess(tx, principal, message.workspaceId, "write");
    const content = await resolveMessageContent(tx, message.workspaceId, message);
    const scheduledTime = when.kind === "now"
      ? tx`null::timestamptz`
      : when.kind === "delay"
      ? tx`now() + make_interval(mins => ${when.minutes}::integer)`
      : tx`${when.time}::timestamptz`;
    const [job] = await tx<JobRow[]>`
      select * from private.create_job(
        p_workspace_id => ${message.workspaceId},
        p_to_phone => ${message.to},
        p_body => ${content.body},
        p_from_number => ${message.fromNumber ?? null}::text,
        p_media_urls => ${tx.array(message.mediaUrl ?? [])}::text[],
        p_scheduled_time => ${scheduledTime},
        p_metadata => ${tx.json((message.metadata ?? {}) as postgres.JSONValue)}::jsonb,
        p_created_by => ${principal.kind === "user" ? principal.userId : null}::uuid,
        p_template_id => ${content.template?.id ?? null}::text,
        p_template_version => ${content.template?.version ?? null}::integer,
        p_template_variables => ${content.template === null ? null : tx.json(content.template.variables)}::jsonb,
        p_encoding => ${content.encoding},
        p_segments => ${content.segments},
        p_retry_policy => ${message.retryPolicy === undefined ? null : tx.json(message.retryPolicy as postgres.JSONValue)}::jsonb,
        p_expires_at => ${message.expiresAt ?? null}::timestamptz,
        p_valid_for_seconds => ${message.validFor ?? null}::integer,
        p_category => ${message.category ?? "transactional"}::text
      )`;
    if (job === undefined) throw new Error("private.create_job returned no row");
    return { job, workspace };
  });
}
