// GET workspaces: the caller's workspaces, its role in each and whether it may write there (the
// dashboard's workspace switcher and its actions); every workspace for the service role.
import type { WorkspaceRole } from "../../_shared/api-types.ts";
import { apiLimits } from "../../_shared/limits.ts";
import { inTransaction } from "../database.ts";
import type { RouteHandler } from "../route.ts";

interface WorkspaceRow {
  id: string;
  name: string;
  role: WorkspaceRole | null;
  can_write: boolean;
  timezone: string;
}

export const workspaces: RouteHandler<"workspaces"> = async ({ sql, principal }) =>
  await inTransaction(sql, principal, async (tx) => {
    const rows = principal.kind === "service"
      ? await tx<WorkspaceRow[]>`
          select w.id, w.name, null as role, true as can_write, s.timezone
          from public.workspaces w join public.workspace_settings s on s.workspace_id = w.id
          order by w.name, w.id
          limit ${apiLimits.workspaces_list_max}`
      : await tx<WorkspaceRow[]>`
          select w.id, w.name, m.role, m.role = any (private.writer_roles()) as can_write, s.timezone
          from public.workspace_members m
          join public.workspaces w on w.id = m.workspace_id
          join public.workspace_settings s on s.workspace_id = w.id
          where m.user_id = ${principal.userId}::uuid
          order by w.name, w.id
          limit ${apiLimits.workspaces_list_max}`;
    return {
      workspaces: rows.map((row) => ({
        workspaceId: row.id, name: row.name, role: row.role, canWrite: row.can_write, timezone: row.timezone,
      })),
    };
  });
