// POST update-retry-policy: replaces the workspace's retry policy overrides (owners and admins; the
// database's trigger checks the policy again). Jobs already created keep the policy they recorded.
import type postgres from "postgres";
import { requireWorkspaceAccess, requireWorkspaceAdmin } from "../auth.ts";
import { inTransaction } from "../database.ts";
import { retryPolicySettings } from "../retry-policy-view.ts";
import type { RouteHandler } from "../route.ts";

export const updateRetryPolicy: RouteHandler<"update-retry-policy"> = async ({ input, sql, principal }) =>
  await inTransaction(sql, principal, async (tx) => {
    await requireWorkspaceAccess(tx, principal, input.workspaceId, "write");
    await requireWorkspaceAdmin(tx, principal, input.workspaceId, "change the retry policy");
    await tx`
      update public.workspace_settings
      set retry_policy = ${tx.json(input.retryPolicy as postgres.JSONValue)}::jsonb, updated_at = now()
      where workspace_id = ${input.workspaceId}`;
    return await retryPolicySettings(tx, input.workspaceId);
  });
