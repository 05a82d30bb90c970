// GET retry-policy: the workspace's retry policy (any member may read it, as RLS lets members read
// workspace_settings).
import { requireWorkspaceAccess } from "../auth.ts";
import { inTransaction } from "../database.ts";
import { retryPolicySettings } from "../retry-policy-view.ts";
import type { RouteHandler } from "../route.ts";

export const retryPolicy: RouteHandler<"retry-policy"> = async ({ input: { workspaceId }, sql, principal }) =>
  await inTransaction(sql, principal, async (tx) => {
    await requireWorkspaceAccess(tx, principal, workspaceId, "read");
    return await retryPolicySettings(tx, workspaceId);
  });
