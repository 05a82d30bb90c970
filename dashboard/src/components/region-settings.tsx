// The Settings page's regions (issue 15): where Twilio processes the workspace's messages (region),
// the edge its requests enter through, and the Trigger.dev region its sends run in; the Twilio host
// they make. Owners, admins and the service role (no role) get a form over POST update-regions (the
// API checks the role again and judges the values: invalid_region is shown as it words it); others
// read them.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { RegionsResult, WorkspaceView } from "../../../supabase/functions/_shared/api-types.ts";
import { describeError } from "../api/api-client.ts";
import { useApi } from "../api/api-context.tsx";
import { queryKeys, useRegions } from "../api/queries.ts";
import { mayChangeSettings } from "../auth/workspace-roles.ts";
import { QueryNotice } from "./query-notice.tsx";

const regionNames: Record<string, string> = { us1: "United States (us1)", ie1: "Ireland (ie1)", au1: "Australia (au1)" };
const edgeNames: Record<string, string> = {
  ashburn: "Ashburn, US east", dublin: "Dublin", frankfurt: "Frankfurt", "sao-paulo": "São Paulo", singapore: "Singapore",
  sydney: "Sydney", tokyo: "Tokyo", umatilla: "Umatilla, US west", roaming: "Roaming (nearest)",
};

function RegionSummary({ regions }: { regions: RegionsResult }) {
  return (
    <dl className="region-summary" data-testid="regions-summary">
      <dt>Twilio region</dt>
      <dd>{regions.twilioRegion === null ? `Default: ${regionNames[regions.defaults.twilioRegion] ?? regions.defaults.twilioRegion}` : regionNames[regions.twilioRegion] ?? regions.twilioRegion}</dd>
      <dt>Twilio edge</dt>
      <dd>{regions.twilioEdge === null ? "Default: the nearest, chosen by Twilio" : edgeNames[regions.twilioEdge] ?? regions.twilioEdge}</dd>
      <dt>Twilio API host</dt>
      <dd><code data-testid="twilio-host">{regions.twilioApiHost}</code></dd>
      <dt>Trigger.dev region</dt>
      <dd>{regions.triggerRegion ?? "Default: the Trigger.dev project's region"}</dd>
    </dl>
  );
}

/** Owners' and admins' form: each setting, "Default" (or blank) for Twilio's or the project's own. */
function RegionsForm({ workspace, regions }: { workspace: WorkspaceView; regions: RegionsResult }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [twilioRegion, setTwilioRegion] = useState(regions.twilioRegion ?? "");
  const [twilioEdge, setTwilioEdge] = useState(regions.twilioEdge ?? "");
  const [triggerRegion, setTriggerRegion] = useState(regions.triggerRegion ?? "");
  const save = useMutation({
    mutationFn: async () => await api.post("update-regions", {
      workspaceId: workspace.workspaceId,
      twilioRegion: twilioRegion === "" ? null : twilioRegion,
      twilioEdge: twilioEdge === "" ? null : twilioEdge,
      triggerRegion: triggerRegion.trim() === "" ? null : triggerRegion.trim(),
    }),
    onSuccess: (saved) => queryClient.setQueryData(queryKeys.regions(workspace.workspaceId), saved),
  });
  const needsEdge = twilioRegion !== "" && twilioRegion !== "us1" && twilioEdge === "";
  return (
    <form
      aria-label="Change the regions"
      onSubmit={(event) => {
        event.preventDefault();
        save.mutate();
      }}
    >
      <h3>Change the regions</h3>
      <p className="muted">
        The workspace’s Twilio account must be one of the chosen region’s (Twilio keeps accounts and credentials per region).
        Workers use the new Twilio host within 30 seconds; messages dispatched from now on run in the Trigger.dev region.
      </p>
      <div className="limits-form">
        <label className="limit-field">
          <span>Twilio region</span>
          <select value={twilioRegion} onChange={(event) => setTwilioRegion(event.target.value)}>
            <option value="">Default ({regions.defaults.twilioRegion})</option>
            {regions.allowed.twilioRegions.map((r) => <option key={r} value={r}>{regionNames[r] ?? r}</option>)}
          </select>
        </label>
        <label className="limit-field">
          <span>Twilio edge</span>
          <select value={twilioEdge} onChange={(event) => setTwilioEdge(event.target.value)}>
            <option value="">Default (nearest)</option>
            {regions.allowed.twilioEdges.map((e) => <option key={e} value={e}>{edgeNames[e] ?? e}</option>)}
          </select>
        </label>
        <label className="limit-field">
          <span>Trigger.dev region</span>
          <input
            type="text" placeholder="project default, e.g. eu-central-1" maxLength={regions.allowed.triggerRegionMaxChars}
            spellCheck={false} autoComplete="off"
            value={triggerRegion} onChange={(event) => setTriggerRegion(event.target.value)}
          />
        </label>
      </div>
      {needsEdge && <p className="notice" role="status">A region other than us1 needs an edge: Twilio no longer answers on api.{twilioRegion}.twilio.com.</p>}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={save.isPending}>{save.isPending ? "Saving…" : "Save regions"}</button>
      </div>
      {save.isError && <p className="notice error" role="alert">Not saved: {describeError(save.error)}</p>}
      {save.isSuccess && <p className="muted" role="status">Saved.</p>}
    </form>
  );
}

export function RegionSettings({ workspace }: { workspace: WorkspaceView }) {
  const regions = useRegions(workspace.workspaceId);
  const mayChange = mayChangeSettings(workspace);
  return (
    <section aria-labelledby="regions-heading">
      <h2 id="regions-heading">Regions</h2>
      <p className="muted">
        Where Twilio processes and stores this workspace’s messages, the edge its requests enter Twilio through, and the
        Trigger.dev region its sends run in. The database stays in one region for every workspace.
      </p>
      <QueryNotice status={regions.status} error={regions.error} what="the regions" />
      {regions.data !== undefined && (
        <>
          <RegionSummary regions={regions.data} />
          {mayChange && <RegionsForm key={JSON.stringify([regions.data.twilioRegion, regions.data.twilioEdge, regions.data.triggerRegion])}
            workspace={workspace} regions={regions.data} />}
        </>
      )}
    </section>
  );
}
