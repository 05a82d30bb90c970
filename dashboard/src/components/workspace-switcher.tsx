// The workspace everything on screen belongs to; a menu when the user is in several.
import type { WorkspaceView } from "../../../supabase/functions/_shared/api-types.ts";
import { navigate } from "../router/router.tsx";
import { paths } from "../router/paths.ts";

export function WorkspaceSwitcher({ workspaces, current, section }: { workspaces: readonly WorkspaceView[]; current: WorkspaceView | null; section: string }) {
  if (workspaces.length <= 1) {
    return current === null ? null : <span className="toolbar-field"><span>Workspace</span><strong>{current.name}</strong></span>;
  }
  return (
    <label className="toolbar-field">
      <span>Workspace</span>
      <select
        value={current?.workspaceId ?? ""}
        onChange={(event) => {
          // Same section in the other workspace; a single job's page has no counterpart there.
          const base = paths.overview(event.target.value);
          navigate(section === "" ? base : `${base}/${section}`);
        }}
      >
        {current === null && <option value="">Choose…</option>}
        {workspaces.map((w) => <option key={w.workspaceId} value={w.workspaceId}>{w.name}</option>)}
      </select>
    </label>
  );
}
