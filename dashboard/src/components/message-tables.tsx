// The rows of a list, as plain tables. Rows keep the order they were loaded in (see use-live-list).
import type { JobView, ScheduleView, WorkspaceView } from "../../../supabase/functions/_shared/api-types.ts";
import type { Row } from "../messages/live-rows.ts";
import { formatRelative, formatTime } from "../format/time.ts";
import { Link } from "../router/router.tsx";
import { paths } from "../router/paths.ts";
import { ScheduleActions } from "./actions.tsx";
import { JobStatusCell, StatusBadge } from "./status-badge.tsx";

function preview(body: string): string {
  return body.length > 70 ? `${body.slice(0, 69)}…` : body;
}

function JobRow({ job, workspace }: { job: JobView; workspace: WorkspaceView }) {
  return (
    <tr data-id={job.jobId} data-status={job.status}>
      <td><JobStatusCell status={job.status} messageStatus={job.messageStatus} /></td>
      <td>
        <time dateTime={job.scheduledTime}>{formatTime(job.scheduledTime, workspace.timezone)}</time>
        <span className="muted small"> {formatRelative(job.scheduledTime)}</span>
      </td>
      <td className="nowrap">{job.to}</td>
      <td><Link to={paths.detail(workspace.workspaceId, job.jobId)}>{preview(job.body)}</Link></td>
      <td className="numeric">{job.attempts}/{job.maxAttempts}</td>
      <td>
        {job.lastError?.code ? <code className="error-code" title={job.lastError.message ?? undefined}>{job.lastError.code}</code> : ""}
      </td>
    </tr>
  );
}

function ScheduleAsMessageRow({ schedule, workspace }: { schedule: ScheduleView; workspace: WorkspaceView }) {
  return (
    <tr data-id={schedule.jobId} data-status={schedule.status}>
      <td><StatusBadge status={schedule.status} /> <span className="muted small">recurring</span></td>
      <td>
        <time dateTime={schedule.startAt}>{formatTime(schedule.startAt, workspace.timezone)}</time>
        <span className="muted small"> starts</span>
      </td>
      <td className="nowrap">{schedule.to}</td>
      <td><Link to={paths.detail(workspace.workspaceId, schedule.jobId)}>{preview(schedule.body)}</Link></td>
      <td className="numeric">{schedule.counts.sent} sent</td>
      <td />
    </tr>
  );
}

export function MessagesTable({ rows, workspace, caption }: { rows: readonly Row[]; workspace: WorkspaceView; caption: string }) {
  return (
    <div className="table-scroll">
      <table className="rows">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Status</th>
            <th scope="col">Scheduled</th>
            <th scope="col">To</th>
            <th scope="col">Message</th>
            <th scope="col" className="numeric">Attempts</th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => row.kind === "job"
            ? <JobRow key={row.jobId} job={row} workspace={workspace} />
            : <ScheduleAsMessageRow key={row.jobId} schedule={row} workspace={workspace} />)}
        </tbody>
      </table>
    </div>
  );
}

export function SchedulesTable({ rows, workspace, caption }: { rows: readonly ScheduleView[]; workspace: WorkspaceView; caption: string }) {
  return (
    <div className="table-scroll">
      <table className="rows">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Status</th>
            <th scope="col">To</th>
            <th scope="col">Message</th>
            <th scope="col">Repeats</th>
            <th scope="col">Next runs</th>
            <th scope="col">Occurrences</th>
            {workspace.canWrite && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((s) => (
            <tr key={s.jobId} data-id={s.jobId} data-status={s.status}>
              <td><StatusBadge status={s.status} />{s.endedReason !== null && <span className="muted small"> {s.endedReason.replaceAll("_", " ")}</span>}</td>
              <td className="nowrap">{s.to}</td>
              <td><Link to={paths.detail(workspace.workspaceId, s.jobId)}>{preview(s.body)}</Link></td>
              <td><code>{s.cron}</code> <span className="muted small">{s.timezone}</span></td>
              <td>
                {s.nextRuns.length === 0 ? <span className="muted">—</span> : (
                  <ul className="plain nowrap">
                    {s.nextRuns.slice(0, 3).map((run) => (
                      <li key={run}><time dateTime={run}>{formatTime(run, s.timezone)}</time></li>
                    ))}
                  </ul>
                )}
              </td>
              <td className="small">
                {s.counts.sent} sent · {s.counts.failed} failed · {s.counts.pending} pending
                {s.counts.missed + s.counts.skipped > 0 && ` · ${s.counts.missed} missed · ${s.counts.skipped} skipped`}
              </td>
              {workspace.canWrite && (
                <td className="nowrap"><ScheduleActions workspaceId={workspace.workspaceId} scheduleId={s.jobId} status={s.status} to={s.to} compact /></td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
