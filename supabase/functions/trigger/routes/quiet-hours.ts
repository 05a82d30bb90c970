// GET quiet-hours: the workspace's quiet-hours window for marketing messages (members read it).
import { requireWorkspaceAccess } from "../auth.ts";
import { inTransaction } from "../database.ts";
import { quietHoursOf } from "../quiet-hours-view.ts";
import type { RouteHandler } from "../route.ts";

export const quietHours: RouteHandler<"quiet-hours"> = async ({ input: { workspaceId }, sql, principal }) =>
  await inTransaction(sql, principal, async (tx) => {
    await requireWorkspaceAccess(tx, principal, workspaceId, "read");
    return await quietHoursOf(tx, workspaceId);
  });
