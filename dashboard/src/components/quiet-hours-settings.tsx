// The Settings page's quiet hours (issue 15): the local window marketing messages are sent in, read
// in each recipient's timezone (their country's when it has one, else the workspace's), and how many
// messages wait for it now. Owners, admins and the service role (no role) get a form over POST
// update-quiet-hours (the API checks the role again and refuses a window that opens when it closes).
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { QuietHoursResult, WorkspaceView } from "../../../supabase/functions/_shared/api-types.ts";
import { describeError } from "../api/api-client.ts";
import { useApi } from "../api/api-context.tsx";
import { queryKeys, useQuietHours } from "../api/queries.ts";
import { mayChangeSettings } from "../auth/workspace-roles.ts";
import { QueryNotice } from "./query-notice.tsx";

function QuietHoursSummary({ quietHours }: { quietHours: QuietHoursResult }) {
  return (
    <dl className="region-summary" data-testid="quiet-hours-summary">
      <dt>Quiet hours</dt>
      <dd>{quietHours.enabled ? `On: marketing messages are sent from ${quietHours.start} to ${quietHours.end}` : "Off: marketing messages are sent at any time"}</dd>
      <dt>Whose clock</dt>
      <dd>The recipient’s: their country’s timezone when it has one, else the workspace’s ({quietHours.workspaceTimezone})</dd>
      <dt>Waiting for the window</dt>
      <dd data-testid="quiet-hours-held">{quietHours.heldMessages.toLocaleString("en")} {quietHours.heldMessages === 1 ? "message" : "messages"}</dd>
    </dl>
  );
}

function QuietHoursForm({ workspace, quietHours }: { workspace: WorkspaceView; quietHours: QuietHoursResult }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [enabled, setEnabled] = useState(quietHours.enabled);
  const [start, setStart] = useState(quietHours.start);
  const [end, setEnd] = useState(quietHours.end);
  const save = useMutation({
    mutationFn: async () => await api.post("update-quiet-hours", { workspaceId: workspace.workspaceId, enabled, start, end }),
    onSuccess: (saved) => queryClient.setQueryData(queryKeys.quietHours(workspace.workspaceId), saved),
  });
  return (
    <form
      aria-label="Change the quiet hours"
      onSubmit={(event) => {
        event.preventDefault();
        save.mutate();
      }}
    >
      <h3>Change the quiet hours</h3>
      <p className="muted">
        Marketing messages due outside the window wait for its opening; transactional ones (the default for single
        messages) are never held. A start after the end is a window across midnight.
      </p>
      <div className="limits-form">
        <label className="limit-field checkbox-field">
          <input type="checkbox" checked={enabled} onChange={(event) => setEnabled(event.target.checked)} />
          <span>Hold marketing messages outside the window</span>
        </label>
        <label className="limit-field">
          <span>Send from</span>
          <input type="time" required value={start} onChange={(event) => setStart(event.target.value)} />
        </label>
        <label className="limit-field">
          <span>Send until</span>
          <input type="time" required value={end} onChange={(event) => setEnd(event.target.value)} />
        </label>
      </div>
      {start === end && <p className="notice" role="status">The window must open and close at different times.</p>}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={save.isPending || start === end}>
          {save.isPending ? "Saving…" : "Save quiet hours"}
        </button>
      </div>
      {save.isError && <p className="notice error" role="alert">Not saved: {describeError(save.error)}</p>}
    </form>
  );
}

export function QuietHoursSettings({ workspace }: { workspace: WorkspaceView }) {
  const quietHours = useQuietHours(workspace.workspaceId);
  const mayChange = mayChangeSettings(workspace);
  return (
    <section aria-labelledby="quiet-hours-heading">
      <h2 id="quiet-hours-heading">Quiet hours</h2>
      <p className="muted">When marketing messages may reach recipients, in their local time (US practice: 8 am to 9 pm).</p>
      <QueryNotice status={quietHours.status} error={quietHours.error} what="the quiet hours" />
      {quietHours.data !== undefined && (
        <>
          <QuietHoursSummary quietHours={quietHours.data} />
          {mayChange && <QuietHoursForm key={JSON.stringify([quietHours.data.enabled, quietHours.data.start, quietHours.data.end])}
            workspace={workspace} quietHours={quietHours.data} />}
        </>
      )}
    </section>
  );
}
