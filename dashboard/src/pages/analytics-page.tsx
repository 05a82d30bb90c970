// Delivery analytics: how many messages went out, how many arrived and why the rest did not, what
// they cost, how punctual the scheduler was and how fast carriers delivered, over a period chosen
// in the address (?range=30d&granularity=day&group=sender), from GET analytics.
import { useMemo, useState } from "react";
import type { AnalyticsFigures, AnalyticsResult, WorkspaceView } from "../../../supabase/functions/_shared/api-types.ts";
import {
  analyticsGroups, analyticsParams, analyticsQuery, analyticsRanges, readAnalyticsControls,
  type AnalyticsControls, type AnalyticsGroup, type AnalyticsRange,
} from "../analytics/analytics-period.ts";
import { useAnalytics } from "../api/queries.ts";
import { type ChartSeries, TimeChart } from "../components/analytics-chart.tsx";
import { seriesColours } from "../components/activity-chart.tsx";
import { usePageTitle } from "../components/page-title.ts";
import { QueryNotice } from "../components/query-notice.tsx";
import { formatTime } from "../format/time.ts";
import { Link, navigate, useLocation, withSearch } from "../router/router.tsx";
import { paths } from "../router/paths.ts";

const percent = (rate: number | null): string => rate === null ? "–" : `${(Math.round(rate * 1000) / 10).toFixed(1)}%`;

/** A duration in ms as people read it: 850 ms, 3.2 s, 4.5 min, 2.1 h. */
export function formatMs(ms: number | null): string {
  if (ms === null) return "–";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

const formatCost = (cost: AnalyticsFigures["cost"]): string =>
  cost.length === 0 ? "–" : cost.map((c) => `${c.amount.toFixed(4)} ${c.currency}`).join(", ");

function Controls({ controls, onChange }: { controls: AnalyticsControls; onChange: (next: AnalyticsControls) => void }) {
  return (
    <div className="list-toolbar">
      <label className="field">
        <span>Period</span>
        <select value={controls.range} onChange={(e) => onChange({ ...controls, range: e.target.value as AnalyticsRange })}>
          {Object.entries(analyticsRanges).map(([value, range]) => <option key={value} value={value}>{range.label}</option>)}
        </select>
      </label>
      <label className="field">
        <span>Buckets</span>
        <select value={controls.granularity} onChange={(e) => onChange({ ...controls, granularity: e.target.value === "hour" ? "hour" : "day" })}>
          <option value="day">Days</option>
          <option value="hour">Hours</option>
        </select>
      </label>
      <label className="field">
        <span>Group by</span>
        <select value={controls.group} onChange={(e) => onChange({ ...controls, group: e.target.value as AnalyticsGroup | "" })}>
          <option value="">Nothing</option>
          {Object.entries(analyticsGroups).map(([value, label]) => <option key={value} value={value}>{label}</option>)}
        </select>
      </label>
    </div>
  );
}

function Totals({ totals }: { totals: AnalyticsFigures }) {
  const items: [string, string, string?][] = [
    ["Attempted", String(totals.attempted)],
    ["Sent (accepted by Twilio)", String(totals.sent)],
    ["Delivered", String(totals.delivered)],
    ["Delivery rate", percent(totals.deliveryRate), "delivered ÷ (delivered + undelivered + failed)"],
    ["Undelivered", String(totals.undelivered)],
    ["Failed", String(totals.failed), `${totals.failedOurs} before Twilio, ${totals.failedTwilio} at Twilio`],
    ["Cancelled", String(totals.cancelled)],
    ["Segments", String(totals.segments), `${percent(totals.ucs2SegmentShare)} UCS-2`],
    ["Cost", formatCost(totals.cost)],
    ["Opt-outs", String(totals.optOuts ?? 0), `${percent(totals.optOutRate)} of sent`],
    ["No final status after 24 h", String(totals.stuck)],
  ];
  return (
    <dl className="figures" data-testid="analytics-totals">
      {items.map(([label, value, note]) => (
        <div key={label} className={label === "No final status after 24 h" && totals.stuck > 0 ? "figure warn" : "figure"}>
          <dt>{label}</dt>
          <dd><strong>{value}</strong>{note !== undefined && <span className="muted small"> ({note})</span>}</dd>
        </div>
      ))}
    </dl>
  );
}

function Timing({ totals }: { totals: AnalyticsFigures }) {
  return (
    <div className="table-scroll">
      <table className="rows">
        <caption className="muted small">Percentiles within 19% (rounded up); the maximum is exact.</caption>
        <thead>
          <tr><th scope="col">Measure</th><th scope="col" className="numeric">p50</th><th scope="col" className="numeric">p95</th><th scope="col" className="numeric">Max</th></tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">Send lag (scheduled → accepted by Twilio)</th>
            <td className="numeric">{formatMs(totals.sendLagMs.p50)}</td>
            <td className="numeric">{formatMs(totals.sendLagMs.p95)}</td>
            <td className="numeric">{formatMs(totals.sendLagMs.max)}</td>
          </tr>
          <tr>
            <th scope="row">Delivery latency (accepted → delivered)</th>
            <td className="numeric">{formatMs(totals.latencyMs.p50)}</td>
            <td className="numeric">{formatMs(totals.latencyMs.p95)}</td>
            <td className="numeric">–</td>
          </tr>
        </tbody>
      </table>
    </div>
  );
}

function Failures({ failures }: { failures: AnalyticsResult["failuresByCode"] }) {
  if (failures.length === 0) return <p className="muted">No failures.</p>;
  return (
    <div className="table-scroll">
      <table className="rows" data-testid="analytics-failures">
        <thead>
          <tr>
            <th scope="col">Code</th>
            <th scope="col">Meaning</th>
            <th scope="col" className="numeric">Failures</th>
            <th scope="col" className="numeric">Share</th>
          </tr>
        </thead>
        <tbody>
          {failures.map((failure) => (
            <tr key={failure.code} data-code={failure.code}>
              <td><code className="error-code">{failure.code}</code></td>
              <td>{failure.meaning ?? <span className="muted">Unknown code</span>}</td>
              <td className="numeric">{failure.count}</td>
              <td className="numeric">{percent(failure.share)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Groups({ result, group }: { result: AnalyticsResult; group: AnalyticsGroup }) {
  const label = analyticsGroups[group];
  return (
    <div className="table-scroll">
      <table className="rows" data-testid="analytics-groups">
        <thead>
          <tr>
            <th scope="col">{label}</th>
            <th scope="col" className="numeric">Sent</th>
            <th scope="col" className="numeric">Delivered</th>
            <th scope="col" className="numeric">Failed</th>
            <th scope="col" className="numeric">Delivery rate</th>
            <th scope="col" className="numeric">Segments</th>
            <th scope="col">Cost</th>
            <th scope="col" className="numeric">Send lag p95</th>
            <th scope="col">Top failure</th>
          </tr>
        </thead>
        <tbody>
          {result.groups.map((g) => (
            <tr key={g.key ?? ""} data-group={g.key ?? ""}>
              <th scope="row">
                {g.key === null ? <span className="muted">None</span>
                  : group === "batch" ? <Link to={paths.batch(result.workspaceId, g.key)}>{g.key}</Link> : g.key}
              </th>
              <td className="numeric">{g.totals.sent}</td>
              <td className="numeric">{g.totals.delivered}</td>
              <td className="numeric">{g.totals.failed}</td>
              <td className="numeric">{percent(g.totals.deliveryRate)}</td>
              <td className="numeric">{g.totals.segments}</td>
              <td>{formatCost(g.totals.cost)}</td>
              <td className="numeric">{formatMs(g.totals.sendLagMs.p95)}</td>
              <td>{g.failuresByCode[0] === undefined ? "–" : <code className="error-code">{g.failuresByCode[0].code}</code>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Charts({ result }: { result: AnalyticsResult }) {
  const times = useMemo(() => result.buckets.map((b) => b.time), [result]);
  const volume = useMemo((): ChartSeries[] => [
    { label: "Sent", colour: seriesColours.sent, values: result.buckets.map((b) => b.sent), fill: "rgba(37, 99, 235, 0.12)" },
    { label: "Delivered", colour: seriesColours.delivered, values: result.buckets.map((b) => b.delivered), dash: [6, 4] },
    { label: "Failed", colour: seriesColours.failed, values: result.buckets.map((b) => b.failed + b.undelivered) },
    { label: "Delivery rate", colour: "#7c3aed", axis: "right",
      values: result.buckets.map((b) => b.deliveryRate === null ? null : Math.round(b.deliveryRate * 1000) / 10) },
  ], [result]);
  const timing = useMemo((): ChartSeries[] => [
    { label: "Send lag p95", colour: "#0e7490", values: result.buckets.map((b) => b.sendLagMs.p95) },
    { label: "Delivery latency p95", colour: "#a16207", values: result.buckets.map((b) => b.latencyMs.p95), dash: [6, 4] },
  ], [result]);
  const per = result.granularity === "day" ? "per day" : "per hour";
  const { totals } = result;
  return (
    <>
      <TimeChart times={times} series={volume} timeZone={result.timezone} leftUnit="messages" rightUnit="%"
        caption={`Volume and delivery rate ${per}: ${totals.sent} sent, ${totals.delivered} delivered, ` +
          `${totals.failed + totals.undelivered} failed or undelivered, delivery rate ${percent(totals.deliveryRate)}.`} />
      <TimeChart times={times} series={timing} timeZone={result.timezone} leftUnit="ms"
        caption={`Send lag and delivery latency (p95) ${per}: send lag p95 ${formatMs(totals.sendLagMs.p95)}, ` +
          `delivery latency p95 ${formatMs(totals.latencyMs.p95)}.`} />
    </>
  );
}

export function AnalyticsPage({ workspace }: { workspace: WorkspaceView }) {
  usePageTitle(`Analytics · ${workspace.name}`);
  const location = useLocation();
  const controls = readAnalyticsControls(location.search);
  // The period ends at the hour after the page opened (not a moving "now": one cache key, polled
  // for fresh figures); reopening the page moves it on.
  const [now] = useState(() => Date.now());
  const query = useMemo(() => analyticsQuery(workspace.workspaceId, controls, now),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [workspace.workspaceId, controls.range, controls.granularity, controls.group, now]);
  const analytics = useAnalytics(query);
  const change = (next: AnalyticsControls) =>
    navigate(withSearch(paths.analytics(workspace.workspaceId), analyticsParams(next)), { replace: true });
  const tz = workspace.timezone;
  const result = analytics.data;

  return (
    <>
      <div className="page-head">
        <h1>Analytics</h1>
        <p className="muted">
          {workspace.name} · {controls.granularity === "day" ? `days in ${tz}` : "hours"}
          {result !== undefined && <> · <time dateTime={result.from}>{formatTime(result.from, tz)}</time> to <time dateTime={result.to}>{formatTime(result.to, tz)}</time></>}
        </p>
      </div>
      <Controls controls={controls} onChange={change} />
      <QueryNotice status={analytics.status} error={analytics.error} what="the analytics" />
      {result !== undefined && (
        <>
          <section aria-labelledby="totals-heading">
            <h2 id="totals-heading">Totals</h2>
            <Totals totals={result.totals} />
          </section>
          <section aria-labelledby="trend-heading">
            <h2 id="trend-heading">Over time</h2>
            <Charts result={result} />
          </section>
          <section aria-labelledby="timing-heading">
            <h2 id="timing-heading">Send lag and delivery latency</h2>
            <Timing totals={result.totals} />
          </section>
          <section aria-labelledby="cost-heading">
            <h2 id="cost-heading">Cost</h2>
            {result.totals.cost.length === 0 ? <p className="muted">Twilio has reported no prices for this period.</p> : (
              <div className="table-scroll">
                <table className="rows" data-testid="analytics-cost">
                  <thead><tr><th scope="col">Currency</th><th scope="col" className="numeric">Amount</th></tr></thead>
                  <tbody>
                    {result.totals.cost.map((c) => (
                      <tr key={c.currency}><th scope="row">{c.currency}</th><td className="numeric">{c.amount.toFixed(4)}</td></tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
          <section aria-labelledby="failures-heading">
            <h2 id="failures-heading">Failures by error code</h2>
            <Failures failures={result.failuresByCode} />
          </section>
          {controls.group !== "" && result.groupBy === controls.group && (
            <section aria-labelledby="groups-heading">
              <h2 id="groups-heading">By {analyticsGroups[controls.group].toLowerCase()}</h2>
              {result.groups.length === 0 ? <p className="muted">No messages in this period.</p> : <Groups result={result} group={controls.group} />}
            </section>
          )}
        </>
      )}
    </>
  );
}
