// POST schedule-recurring: a message sent on a cron schedule in an IANA timezone (the workspace's
// by default), through private.create_recurring_schedule: the same insert path and validation as a
// direct insert, in one transaction with the membership check and the schedule's `created` event.
// Only the database evaluates cron: it refuses a bad expression or timezone (invalid_cron,
// invalid_timezone; ../database.ts names the field) and a window without an occurrence
// (invalid_schedule). The pg_cron sweep then materialises each occurrence as a job shortly before its time.
import type postgres from "postgres";
import type { MessageCategory, ScheduleStatus } from "../../_shared/api-schemas.ts";
import type { SenderSelection } from "../../_shared/api-types.ts";
import { formatInTimeZone } from "../../_shared/time.ts";
import { requireWorkspaceAccess } from "../auth.ts";
import { inTransaction } from "../database.ts";
import type { RouteHandler } from "../route.ts";
import { resolveMessageContent } from "../message-content.ts";
import { nextRunsOf } from "../schedule-view.ts";

interface CreatedSchedule {
  id: string;
  workspace_id: string;
  status: ScheduleStatus;
  cron_expression: string;
  timezone: string;
  start_at: Date;
  end_at: Date | null;
  max_occurrences: number | null;
  next_run_at: Date | null;
  next_runs: Date[];
  created_at: Date;
  from_number: string;
  sender_selection: SenderSelection;
  category: MessageCategory;
}

export const scheduleRecurring: RouteHandler<"schedule-recurring"> = async ({ input, sql, principal }) =>
  await inTransaction(sql, principal, async (tx) => {
    await requireWorkspaceAccess(tx, principal, input.workspaceId, "write");
    // Rendered once, now: every occurrence sends this body (and records this template version).
    const content = await resolveMessageContent(tx, input.workspaceId, input);
    const [schedule] = await tx<CreatedSchedule[]>`
      select * from private.create_recurring_schedule(
        p_workspace_id => ${input.workspaceId},
        p_to_phone => ${input.to},
        p_body => ${content.body},
        p_cron_expression => ${input.cron},
        p_timezone => ${input.timezone ?? null}::text,
        p_from_number => ${input.fromNumber ?? null}::text,
        p_media_urls => ${tx.array(input.mediaUrl ?? [])}::text[],
        p_start_at => ${input.startAt ?? null}::timestamptz,
        p_end_at => ${input.endAt ?? null}::timestamptz,
        p_max_occurrences => ${input.maxOccurrences ?? null}::integer,
        p_metadata => ${tx.json((input.metadata ?? {}) as postgres.JSONValue)}::jsonb,
        p_created_by => ${principal.kind === "user" ? principal.userId : null}::uuid,
        p_template_id => ${content.template?.id ?? null}::text,
        p_template_version => ${content.template?.version ?? null}::integer,
        p_template_variables => ${content.template === null ? null : tx.json(content.template.variables)}::jsonb,
        p_encoding => ${content.encoding},
        p_segments => ${content.segments},
        p_retry_policy => ${input.retryPolicy === undefined ? null : tx.json(input.retryPolicy as postgres.JSONValue)}::jsonb,
        p_valid_for_seconds => ${input.validFor ?? null}::integer,
        p_category => ${input.category ?? "transactional"}::text
      )`;
    if (schedule === undefined) throw new Error("private.create_recurring_schedule returned no row");
    const time = (date: Date) => formatInTimeZone(date, schedule.timezone);
    const nextRuns = nextRunsOf(schedule.status, schedule.next_runs, schedule.timezone);
    return {
      jobId: schedule.id,
      kind: "recurring",
      workspaceId: schedule.workspace_id,
      status: schedule.status,
      cron: schedule.cron_expression,
      timezone: schedule.timezone,
      startAt: time(schedule.start_at),
      endAt: schedule.end_at === null ? null : time(schedule.end_at),
      maxOccurrences: schedule.max_occurrences,
      nextRun: nextRuns[0] ?? null,
      nextRuns,
      fromNumber: schedule.from_number,
      senderSelection: schedule.sender_selection,
      category: schedule.category,
      createdTime: time(schedule.created_at),
    };
  });
