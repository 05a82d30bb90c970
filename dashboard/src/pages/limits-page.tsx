// The workspace's limits: what protects every tenant, and what is left of this one's budgets.
import type { WorkspaceView } from "../../../supabase/functions/_shared/api-types.ts";
import { ApiUsage } from "../components/api-usage.tsx";
import { usePageTitle } from "../components/page-title.ts";
import { SenderPacing } from "../components/sender-pacing.tsx";

export function LimitsPage({ workspace }: { workspace: WorkspaceView }) {
  usePageTitle(`Limits · ${workspace.name}`);
  return (
    <>
      <div className="page-head">
        <h1>Limits</h1>
        <p className="muted">Limits that keep one tenant’s traffic from slowing the others, and each sender within what its carrier allows.</p>
      </div>
      <SenderPacing workspace={workspace} />
      <ApiUsage workspace={workspace} />
    </>
  );
}
