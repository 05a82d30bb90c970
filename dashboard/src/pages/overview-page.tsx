// The morning screen: what is waiting, what is late, what failed and why, and whether the sweep runs.
import { useState } from "react";
import type { WorkspaceView } from "../../../supabase/functions/_shared/api-types.ts";
import { useStats } from "../api/queries.ts";
import { ActivityChart } from "../components/activity-chart.tsx";
import { usePageTitle } from "../components/page-title.ts";
import { QueryNotice } from "../components/query-notice.tsx";
import { StatusCountLinks } from "../components/status-counts.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { formatDuration, formatRelative, formatTime } from "../format/time.ts";
import { Link, withSearch } from "../router/router.tsx";
import { paths } from "../router/paths.ts";

type Period = "hour" | "week";

export function OverviewPage({ workspace }: { workspace: WorkspaceView }) {
  usePageTitle(`Overview · ${workspace.name}`);
  const stats = useStats(workspace.workspaceId);
  const [period, setPeriod] = useState<Period>("hour");
  const messages = paths.messages(workspace.workspaceId);
  const tz = workspace.timezone;

  return (
    <>
      <div className="page-head">
        <h1>Overview</h1>
        <p className="muted">
          {workspace.name} · times in {tz}
          {stats.data !== undefined && <> · figures of <time dateTime={stats.data.time}>{formatTime(stats.data.time, tz)}</time></>}
        </p>
      </div>
      <QueryNotice status={stats.status} error={stats.error} what="the overview" />
      {stats.data !== undefined && (
        <>
          <section aria-labelledby="counts-heading">
            <h2 id="counts-heading">Messages by status</h2>
            <StatusCountLinks workspaceId={workspace.workspaceId} counts={stats.data.counts} />
          </section>

          <section aria-labelledby="health-heading">
            <h2 id="health-heading">Health</h2>
            <dl className="figures">
              <div className={stats.data.oldestOverdue !== null && stats.data.oldestOverdue.ageSeconds > 60 ? "figure warn" : "figure"}>
                <dt>Oldest overdue message</dt>
                <dd>
                  {stats.data.oldestOverdue === null ? "None: nothing is late" : (
                    <>
                      <strong>{formatDuration(stats.data.oldestOverdue.ageSeconds)}</strong> late
                      <span className="muted small"> (due <time dateTime={stats.data.oldestOverdue.time}>{formatTime(stats.data.oldestOverdue.time, tz)}</time>)</span>
                    </>
                  )}
                </dd>
              </div>
              <div className="figure">
                <dt>Retries pending</dt>
                <dd><Link to={withSearch(messages, { status: "retrying" })}><strong>{stats.data.retriesPending}</strong></Link></dd>
              </div>
              <div className={stats.data.failuresLastHour > 0 ? "figure bad" : "figure"}>
                <dt>Failures in the last hour</dt>
                <dd><Link to={withSearch(messages, { status: "failed", range: "1h" })}><strong>{stats.data.failuresLastHour}</strong></Link></dd>
              </div>
              <div className={stats.data.sweep.healthy ? "figure" : "figure bad"}>
                <dt>Last pg_cron sweep</dt>
                <dd>
                  <StatusBadge status={stats.data.sweep.healthy ? "healthy" : "late"} />{" "}
                  {stats.data.sweep.lastRunTime === null ? "never ran" : (
                    <span className="small">
                      <time dateTime={stats.data.sweep.lastRunTime}>{formatTime(stats.data.sweep.lastRunTime, tz)}</time>{" "}
                      ({formatRelative(stats.data.sweep.lastRunTime)})
                    </span>
                  )}
                </dd>
              </div>
            </dl>
          </section>

          <section aria-labelledby="activity-heading">
            <div className="section-head">
              <h2 id="activity-heading">Sent, delivered and failed</h2>
              <div className="segmented" role="group" aria-label="Period">
                <button type="button" aria-pressed={period === "hour"} onClick={() => setPeriod("hour")}>Last hour, per minute</button>
                <button type="button" aria-pressed={period === "week"} onClick={() => setPeriod("week")}>Last 7 days, per hour</button>
              </div>
            </div>
            <ActivityChart
              buckets={period === "hour" ? stats.data.perMinute : stats.data.perHour}
              timeZone={tz}
              caption={period === "hour" ? "Last hour, per minute" : "Last 7 days, per hour"}
            />
          </section>

          <section aria-labelledby="codes-heading">
            <h2 id="codes-heading">Failures by error code, last 7 days</h2>
            {stats.data.failuresByCode.length === 0 ? <p className="muted">No failures.</p> : (
              <div className="table-scroll">
                <table className="rows">
                  <thead>
                    <tr>
                      <th scope="col">Code</th>
                      <th scope="col">Meaning</th>
                      <th scope="col" className="numeric">Failures</th>
                      <th scope="col" className="numeric">Share</th>
                    </tr>
                  </thead>
                  <tbody>
                    {stats.data.failuresByCode.map((failure) => (
                      <tr key={failure.code} data-code={failure.code}>
                        <td><code className="error-code">{failure.code}</code></td>
                        <td>{failure.meaning ?? <span className="muted">Unknown code</span>}</td>
                        <td className="numeric">{failure.count}</td>
                        <td className="numeric">{Math.round(failure.share * 100)}%</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      )}
    </>
  );
}
