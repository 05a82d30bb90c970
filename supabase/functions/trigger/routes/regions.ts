// GET regions: the workspace's Twilio processing region and edge and its Trigger.dev region, with the
// Twilio host its sends go to and the values allowed (any member).
import { requireWorkspaceAccess } from "../auth.ts";
import { inTransaction } from "../database.ts";
import { regionsOf } from "../regions-view.ts";
import type { RouteHandler } from "../route.ts";

export const regions: RouteHandler<"regions"> = async ({ input: { workspaceId }, sql, principal }) =>
  await inTransaction(sql, principal, async (tx) => {
    await requireWorkspaceAccess(tx, principal, workspaceId, "read");
    return await regionsOf(tx, workspaceId);
  });
