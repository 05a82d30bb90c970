// POST update-rate-limits: changes the workspace's API rate limits (owners and the service role:
// limits protect the other tenants too, so not admins). Only the limits named change; null
// restores a default. The database checks the result against the bounds (invalid_rate_limits).
import type postgres from "postgres";
import { apiRateLimitNames } from "../../_shared/api-schemas.ts";
import { requireWorkspaceAccess } from "../auth.ts";
import { inTransaction, type Transaction } from "../database.ts";
import { ApiError } from "../http.ts";
import { rateLimitSettings } from "../rate-limits-view.ts";
import type { RouteHandler } from "../route.ts";
import type { Principal } from "../../_shared/access-tokens.ts";

async function requireOwner(tx: Transaction, principal: Principal, workspaceId: string): Promise<void> {
  if (principal.kind === "service") return;
  const [row] = await tx<{ is_owner: boolean }[]>`
    select exists (
      select 1 from public.workspace_members m
      where m.workspace_id = ${workspaceId} and m.user_id = ${principal.userId}::uuid and m.role = 'owner'
    ) as is_owner`;
  if (row?.is_owner !== true) {
    throw new ApiError("forbidden", `only an owner of workspace ${workspaceId} may change its API rate limits`);
  }
}

export const updateRateLimits: RouteHandler<"update-rate-limits"> = async ({ input, sql, principal }) =>
  await inTransaction(sql, principal, async (tx) => {
    await requireWorkspaceAccess(tx, principal, input.workspaceId, "write");
    await requireOwner(tx, principal, input.workspaceId);
    const set: Record<string, number> = {};
    const reset: string[] = [];
    for (const name of apiRateLimitNames) {
      const value = input.limits[name];
      if (value === null) reset.push(name);
      else if (value !== undefined) set[name] = value;
    }
    await tx`
      update public.workspace_settings
      set api_limits = (api_limits || ${tx.json(set as postgres.JSONValue)}::jsonb) - ${reset}::text[], updated_at = now()
      where workspace_id = ${input.workspaceId}`;
    return await rateLimitSettings(tx, principal, input.workspaceId);
  });
