// A workspace's quiet hours as GET quiet-hours and POST update-quiet-hours answer them: the window
// (workspace_settings.quiet_hours_*, 20261130001100_sender_routing_and_quiet_hours.sql) and how many
// marketing messages wait for it now.
import type { QuietHoursResult } from "../_shared/api-types.ts";
import type { Transaction } from "./database.ts";

interface QuietHoursRow {
  enabled: boolean;
  start: string;
  end: string;
  timezone: string;
  held: string;
}

export async function quietHoursOf(tx: Transaction, workspaceId: string): Promise<QuietHoursResult> {
  const [row] = await tx<QuietHoursRow[]>`
    select s.quiet_hours_enabled as enabled, to_char(s.quiet_hours_start, 'HH24:MI') as start,
           to_char(s.quiet_hours_end, 'HH24:MI') as "end", s.timezone,
           (select count(*) from public.scheduled_sms_jobs j
            where j.workspace_id = s.workspace_id and j.is_pending and j.status_reason = 'quiet_hours') as held
    from public.workspace_settings s
    where s.workspace_id = ${workspaceId}`;
  if (row === undefined) throw new Error(`workspace ${workspaceId} has no settings row`);
  return {
    workspaceId,
    enabled: row.enabled,
    start: row.start,
    end: row.end,
    workspaceTimezone: row.timezone,
    heldMessages: Number(row.held),
  };
}
