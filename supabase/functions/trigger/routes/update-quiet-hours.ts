// POST update-quiet-hours: turn quiet hours on or off and move the window (owners and admins).
// Messages already moved keep their times; every claim checks the window in force, so marketing
// messages due in a newly closed window wait for its opening.
import { requireWorkspaceAccess, requireWorkspaceAdmin } from "../auth.ts";
import { inTransaction } from "../database.ts";
import { quietHoursOf } from "../quiet-hours-view.ts";
import type { RouteHandler } from "../route.ts";

export const updateQuietHours: RouteHandler<"update-quiet-hours"> = async ({ input, sql, principal }) =>
  await inTransaction(sql, principal, async (tx) => {
    await requireWorkspaceAccess(tx, principal, input.workspaceId, "write");
    await requireWorkspaceAdmin(tx, principal, input.workspaceId, "change quiet hours");
    // Absent fields keep their values (coalesce with null); the database refuses start = end (invalid_quiet_hours).
    await tx`
      update public.workspace_settings
      set quiet_hours_enabled = coalesce(${input.enabled ?? null}::boolean, quiet_hours_enabled),
          quiet_hours_start = coalesce(${input.start ?? null}::time, quiet_hours_start),
          quiet_hours_end = coalesce(${input.end ?? null}::time, quiet_hours_end),
          updated_at = now()
      where workspace_id = ${input.workspaceId}`;
    return await quietHoursOf(tx, input.workspaceId);
  });
