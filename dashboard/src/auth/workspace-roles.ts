// Who may change a workspace's settings (regions, quiet hours, opt-out removals), as the API decides
// it: owners and admins, and the service role (which has no role in a workspace). The API checks
// again; the dashboard only offers the forms to them.
import type { WorkspaceView } from "../../../supabase/functions/_shared/api-types.ts";

export function mayChangeSettings(workspace: WorkspaceView): boolean {
  return workspace.role === "owner" || workspace.role === "admin" || workspace.role === null;
}
