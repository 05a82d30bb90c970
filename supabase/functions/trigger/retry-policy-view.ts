// A workspace's retry policy as GET retry-policy and POST update-retry-policy answer it: its own
// overrides as stored, and what a new message gets (the database resolves it, the one rulebook).
import type { RetryPolicySettings, RetryPolicyView } from "../_shared/api-types.ts";
import type { Transaction } from "./database.ts";

export async function retryPolicySettings(tx: Transaction, workspaceId: string): Promise<RetryPolicySettings> {
  const [row] = await tx<{ overrides: Record<string, Record<string, unknown>>; effective: RetryPolicyView }[]>`
    select s.retry_policy as overrides, private.resolve_retry_policy(s.workspace_id, null) as effective
    from public.workspace_settings s where s.workspace_id = ${workspaceId}`;
  if (row === undefined) throw new Error(`workspace ${workspaceId} has no settings row`);
  return { workspaceId, overrides: row.overrides, effective: row.effective };
}
