// A workspace's API rate limits as GET rate-limits and POST update-rate-limits answer them: the
// defaults, its overrides, those in force and their maximums (all resolved by the database, where
// the limits live), and what is left of the caller's own budgets, read without charging them.
import type { Principal } from "../_shared/access-tokens.ts";
import type { RateLimitSettings } from "../_shared/api-types.ts";
import type { Transaction } from "./database.ts";
import { ratePolicyNames } from "./rate-limit.ts";

type Values = RateLimitSettings["limits"];

interface SettingsRow {
  limits: Values;
  defaults: Values;
  overrides: Partial<Values>;
  maximums: Values;
}

interface BucketRow {
  bucket: "write" | "read" | "bulk-recipients";
  quota: string;
  window_seconds: number;
  remaining: number;
  reset_seconds: number;
}

const policyOf = { write: ratePolicyNames.write, read: ratePolicyNames.read, "bulk-recipients": ratePolicyNames.recipients } as const;

export async function rateLimitSettings(tx: Transaction, principal: Principal, workspaceId: string): Promise<RateLimitSettings> {
  const userId = principal.kind === "user" ? principal.userId : null;
  const [[settings], buckets] = await Promise.all([
    tx<SettingsRow[]>`
      select private.resolve_api_limits(s.workspace_id) as limits, private.api_limit_defaults() as defaults,
             s.api_limits as overrides, private.api_limit_bounds() as maximums
      from public.workspace_settings s where s.workspace_id = ${workspaceId}`,
    tx<BucketRow[]>`
      select bucket, quota, window_seconds, remaining, reset_seconds
      from private.peek_api_rate_buckets(${userId}::uuid, ${workspaceId}) order by bucket desc`,
  ]);
  if (settings === undefined) throw new Error(`workspace ${workspaceId} has no settings row`);
  return {
    workspaceId,
    limits: settings.limits,
    defaults: settings.defaults,
    overrides: settings.overrides,
    maximums: settings.maximums,
    usage: buckets.map((b) => ({
      policy: policyOf[b.bucket],
      quota: Number(b.quota),
      windowSeconds: b.window_seconds,
      remaining: b.remaining,
      resetSeconds: b.reset_seconds,
    })),
  };
}
