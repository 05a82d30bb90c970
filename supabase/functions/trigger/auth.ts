// Who is calling (a verified bearer token) and what they may do in a workspace.
import { AccessTokenRejected, type AccessTokenVerifier, type Principal } from "../_shared/access-tokens.ts";
import { ApiError } from "./http.ts";
import type { Transaction } from "./database.ts";

const bearerHeaders = { "WWW-Authenticate": 'Bearer realm="sms-scheduler"' };

export async function authenticate(request: Request, verify: AccessTokenVerifier): Promise<Principal> {
  const header = request.headers.get("authorization");
  const match = header === null ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (match?.[1] === undefined) {
    throw new ApiError("unauthorized", "send an access token: Authorization: Bearer <token>", undefined, bearerHeaders);
  }
  try {
    return await verify(match[1]);
  } catch (error) {
    if (error instanceof AccessTokenRejected) throw new ApiError("unauthorized", error.message, undefined, bearerHeaders);
    throw error;
  }
}

export interface Workspace {
  id: string;
  /** IANA timezone: API times are shown with its offset. */
  timezone: string;
}

/**
 * The workspace if the caller may `read` it (any member) or `write` to it (a writer role:
 * private.writer_roles). The service role may act on any workspace.
 */
export async function requireWorkspaceAccess(
  tx: Transaction,
  principal: Principal,
  workspaceId: string,
  access: "read" | "write",
): Promise<Workspace> {
  const known = writableInTransaction.get(tx)?.get(workspaceId);
  if (known !== undefined) return known;
  const workspace = await checkWorkspaceAccess(tx, principal, workspaceId, access);
  if (access === "write") writableInTransaction.set(tx, (writableInTransaction.get(tx) ?? new Map()).set(workspaceId, workspace));
  return workspace;
}

/**
 * Workspaces a transaction already found its caller may write to (one transaction, one caller):
 * a request with an idempotency key checks before its lookup, and its route need not ask again.
 */
const writableInTransaction = new WeakMap<Transaction, Map<string, Workspace>>();

async function checkWorkspaceAccess(
  tx: Transaction,
  principal: Principal,
  workspaceId: string,
  access: "read" | "write",
): Promise<Workspace> {
  const userId = principal.kind === "user" ? principal.userId : null;
  const [row] = await tx<{ timezone: string; is_member: boolean; can_write: boolean }[]>`
    select s.timezone,
           m.user_id is not null as is_member,
           coalesce(m.role = any (private.writer_roles()), false) as can_write
    from public.workspaces w
    join public.workspace_settings s on s.workspace_id = w.id
    left join public.workspace_members m on m.workspace_id = w.id and m.user_id = ${userId}::uuid
    where w.id = ${workspaceId}`;
  if (principal.kind === "service") {
    if (row === undefined) throw new ApiError("workspace_not_found", `workspace ${workspaceId} does not exist`);
    return { id: workspaceId, timezone: row.timezone };
  }
  // Non-members learn nothing, not even whether the workspace exists.
  if (row === undefined || !row.is_member) {
    throw new ApiError("forbidden", `you are not a member of workspace ${workspaceId}`);
  }
  if (access === "write" && !row.can_write) {
    throw new ApiError("forbidden", `your role in workspace ${workspaceId} may read but not send or cancel messages`);
  }
  return { id: workspaceId, timezone: row.timezone };
}

/**
 * Owners and admins (private.admin_roles) — the roles that change workspace settings and may
 * force a retry — or the service role; anyone else is refused with 403. Run after
 * requireWorkspaceAccess, which has already answered non-members.
 */
export async function requireWorkspaceAdmin(tx: Transaction, principal: Principal, workspaceId: string, what: string): Promise<void> {
  if (principal.kind === "service") return;
  const [row] = await tx<{ is_admin: boolean }[]>`
    select exists (
      select 1 from public.workspace_members m
      where m.workspace_id = ${workspaceId} and m.user_id = ${principal.userId}::uuid and m.role = any (private.admin_roles())
    ) as is_admin`;
  if (row?.is_admin !== true) throw new ApiError("forbidden", `only an owner or admin of workspace ${workspaceId} may ${what}`);
}
