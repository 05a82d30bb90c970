// The Limits page's API section: the workspace's API rate limits in force (its own or the
// defaults), what is left of the signed-in user's budgets now (each caller has its own), and for
// owners a form to change the limits. Its own file: the page gains other sections (senders) later.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { ApiRateLimitName } from "../../../supabase/functions/_shared/api-schemas.ts";
import type { RateLimitSettings, WorkspaceView } from "../../../supabase/functions/_shared/api-types.ts";
import { describeError } from "../api/api-client.ts";
import { useApi } from "../api/api-context.tsx";
import { queryKeys, useRateLimits } from "../api/queries.ts";
import { QueryNotice } from "./query-notice.tsx";

type Usage = RateLimitSettings["usage"][number];

/** Each budget: its name in the header fields, how the page names it, and its two limits. */
const budgets = [
  { policy: "writes", label: "Writes (POST requests)", rate: "writeRatePerSecond", burst: "writeBurst", per: "per second" },
  { policy: "reads", label: "Reads (GET requests)", rate: "readRatePerSecond", burst: "readBurst", per: "per second" },
  { policy: "bulk-recipients", label: "Bulk recipients", rate: "bulkRecipientsPerMinute", burst: "bulkRecipientsBurst", per: "per minute" },
] as const satisfies readonly { policy: Usage["policy"]; label: string; rate: ApiRateLimitName; burst: ApiRateLimitName; per: string }[];

const limitLabels: Record<ApiRateLimitName, string> = {
  writeRatePerSecond: "Writes per second",
  writeBurst: "Writes at once (burst)",
  readRatePerSecond: "Reads per second",
  readBurst: "Reads at once (burst)",
  bulkRecipientsPerMinute: "Bulk recipients per minute",
  bulkRecipientsBurst: "Bulk recipients at once (burst)",
};
const limitNames = Object.keys(limitLabels) as ApiRateLimitName[];

const number = (n: number) => n.toLocaleString("en");

function Source({ settings, names }: { settings: RateLimitSettings; names: readonly ApiRateLimitName[] }) {
  return names.every((name) => settings.overrides[name] === undefined)
    ? <span className="muted">default</span>
    : <span>this workspace</span>;
}

function UsageTable({ settings }: { settings: RateLimitSettings }) {
  return (
    <div className="table-scroll">
      <table className="rows" aria-label="API limits and your usage">
        <thead>
          <tr>
            <th scope="col">Budget</th>
            <th scope="col" className="numeric">Rate</th>
            <th scope="col" className="numeric">At once</th>
            <th scope="col">Set by</th>
            <th scope="col" className="numeric">Left now</th>
            <th scope="col" className="numeric">Full again in</th>
          </tr>
        </thead>
        <tbody>
          {budgets.map((b) => {
            const usage = settings.usage.find((u) => u.policy === b.policy);
            const spent = usage !== undefined && usage.remaining < usage.quota;
            return (
              <tr key={b.policy}>
                <th scope="row">{b.label}</th>
                <td className="numeric">{number(settings.limits[b.rate])} {b.per}</td>
                <td className="numeric">{number(settings.limits[b.burst])}</td>
                <td><Source settings={settings} names={[b.rate, b.burst]} /></td>
                <td className="numeric">{usage === undefined ? "–" : `${number(usage.remaining)} of ${number(usage.quota)}`}</td>
                <td className="numeric">{usage === undefined || !spent ? "full" : `${usage.resetSeconds} s`}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Owners' form: every limit, blank for the default. */
function LimitsForm({ workspace, settings }: { workspace: WorkspaceView; settings: RateLimitSettings }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const initial = () => Object.fromEntries(limitNames.map((n) => [n, settings.overrides[n]?.toString() ?? ""])) as Record<ApiRateLimitName, string>;
  const [draft, setDraft] = useState(initial);
  const save = useMutation({
    mutationFn: async () => {
      const limits: Partial<Record<ApiRateLimitName, number | null>> = {};
      for (const name of limitNames) limits[name] = draft[name].trim() === "" ? null : Number(draft[name]);
      return await api.post("update-rate-limits", { workspaceId: workspace.workspaceId, limits });
    },
    onSuccess: (saved) => queryClient.setQueryData(queryKeys.rateLimits(workspace.workspaceId), saved),
  });
  return (
    <form
      aria-label="Change the API limits"
      onSubmit={(event) => {
        event.preventDefault();
        save.mutate();
      }}
    >
      <h3>Change the limits</h3>
      <p className="muted">Blank: the default. They apply to every caller of this workspace, each with its own budget, from the next request.</p>
      <div className="limits-form">
        {limitNames.map((name) => (
          <label key={name} className="limit-field">
            <span>{limitLabels[name]}</span>
            <input
              type="number" min={1} max={settings.maximums[name]} step={1} inputMode="numeric"
              placeholder={number(settings.defaults[name])}
              value={draft[name]}
              onChange={(event) => setDraft({ ...draft, [name]: event.target.value })}
            />
          </label>
        ))}
      </div>
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={save.isPending}>{save.isPending ? "Saving…" : "Save limits"}</button>
      </div>
      {save.isError && <p className="notice error" role="alert">Not saved: {describeError(save.error)}</p>}
      {save.isSuccess && <p className="muted" role="status">Saved.</p>}
    </form>
  );
}

export function ApiUsage({ workspace }: { workspace: WorkspaceView }) {
  const limits = useRateLimits(workspace.workspaceId);
  const settings = limits.data;
  // Owners and the service role (no role) may change them; the API checks again.
  const mayChange = workspace.role === "owner" || workspace.role === null;
  return (
    <section aria-labelledby="api-limits-heading">
      <h2 id="api-limits-heading">API requests</h2>
      <p className="muted">
        Each caller has its own budgets in this workspace: a burst it may spend at once, refilled at the rate. A request
        over a budget is refused with 429 and Retry-After, and nothing is done. Your budgets:
      </p>
      <QueryNotice status={limits.status} error={limits.error} what="the API limits" />
      {settings !== undefined && (
        <>
          <UsageTable settings={settings} />
          {mayChange && <LimitsForm key={JSON.stringify(settings.overrides)} workspace={workspace} settings={settings} />}
        </>
      )}
    </section>
  );
}
