// GET rate-limits: the workspace's API rate limits and the caller's usage (any member may read them,
// as RLS lets members read workspace_settings). This request itself was charged as a read.
import { requireWorkspaceAccess } from "../auth.ts";
import { inTransaction } from "../database.ts";
import { rateLimitSettings } from "../rate-limits-view.ts";
import type { RouteHandler } from "../route.ts";

export const rateLimits: RouteHandler<"rate-limits"> = async ({ input: { workspaceId }, sql, principal }) =>
  await inTransaction(sql, principal, async (tx) => {
    await requireWorkspaceAccess(tx, principal, workspaceId, "read");
    return await rateLimitSettings(tx, principal, workspaceId);
  });
