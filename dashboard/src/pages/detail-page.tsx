// One job, or one schedule (sched_… ids): every field, the event timeline, and the actions the
// user may take. Polled until nothing more can change; the timeline follows the item.
import type { JobView, ScheduleView, WorkspaceView } from "../../../supabase/functions/_shared/api-types.ts";
import { ApiError } from "../api/api-client.ts";
import { eventsVersion, useEvents, useJobOrSchedule } from "../api/queries.ts";
import { CancelJobButton, RetryJobButton, ScheduleActions } from "../components/actions.tsx";
import { EventTimeline } from "../components/event-timeline.tsx";
import { usePageTitle } from "../components/page-title.ts";
import { QueryNotice } from "../components/query-notice.tsx";
import { JobStatusCell, StatusBadge } from "../components/status-badge.tsx";
import { isPendingJob } from "../format/statuses.ts";
import { formatRelative, formatTime } from "../format/time.ts";
import { Link } from "../router/router.tsx";
import { paths } from "../router/paths.ts";
import { useState, type ReactNode } from "react";

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function When({ iso, timeZone }: { iso: string | null; timeZone: string }) {
  if (iso === null) return <span className="muted">—</span>;
  return <><time dateTime={iso}>{formatTime(iso, timeZone)}</time> <span className="muted small">{formatRelative(iso)}</span></>;
}

function Json({ value }: { value: unknown }) {
  const text = JSON.stringify(value, null, 2);
  return text === "{}" || text === "[]" ? <span className="muted">none</span> : <pre className="json">{text}</pre>;
}

/** The template a message was rendered from, its version, and the values used. */
function TemplateUsed({ template, workspaceId }: { template: JobView["template"]; workspaceId: string }) {
  if (template === null) return <span className="muted">none (plain text)</span>;
  const values = Object.entries(template.variables);
  return (
    <>
      <Link to={paths.template(workspaceId, template.templateId)}>{template.templateId}</Link>, version {template.version}
      {values.length > 0 && (
        <ul className="plain small">
          {values.map(([name, value]) => <li key={name}><code>{name}</code>: {value ?? <span className="muted">(nothing)</span>}</li>)}
        </ul>
      )}
    </>
  );
}

/** Segments as counted at creation, and Twilio's count once reported (a disagreement is shown). */
function Segments({ segments, encoding, twilioSegments }: { segments: number | null; encoding: string | null; twilioSegments?: number | null }) {
  if (segments === null) return <span className="muted">not counted (inserted directly)</span>;
  return (
    <>
      {segments} ({encoding})
      {twilioSegments !== undefined && twilioSegments !== null && (
        twilioSegments === segments
          ? <span className="muted small"> · Twilio counted {twilioSegments}</span>
          : <span className="badge tone-warn"> Twilio counted {twilioSegments}</span>
      )}
    </>
  );
}

/** The retry policy recorded on the job, one line per error class. */
function RetryPolicy({ policy }: { policy: JobView["retryPolicy"] }) {
  const classes = [["rateLimited", "Rate limited (429)"], ["serverError", "Twilio 5xx, timeouts"], ["carrier", "Carrier, queue"]] as const;
  return (
    <ul className="plain small" aria-label="Retry policy">
      {classes.map(([name, label]) => {
        const rule = policy[name];
        const wait = rule.backoff === "fixed" ? `every ${rule.baseSeconds} s` : `${rule.baseSeconds} s doubling to ${rule.maxSeconds} s`;
        return <li key={name} data-retry-class={name}>{label}: {rule.maxAttempts} attempts, {wait}{rule.jitter ? ", with jitter" : ""}</li>;
      })}
    </ul>
  );
}

/** Why the sender was chosen (JobView.senderSelection), in words. */
const senderSelectionLabels: Record<NonNullable<JobView["senderSelection"]>, string> = {
  explicit: "given in the request",
  geo_match: "the recipient's country",
  sticky: "the recipient's last sender",
  default: "the workspace default",
};

function JobFields({ job, workspace }: { job: JobView; workspace: WorkspaceView }) {
  const tz = workspace.timezone;
  return (
    <dl className="fields">
      <Field label="Status"><JobStatusCell status={job.status} messageStatus={job.messageStatus} /></Field>
      <Field label="Status reason">{job.statusReason ?? <span className="muted">—</span>}</Field>
      <Field label="Delivery status (Twilio)">{job.messageStatus ?? <span className="muted">not reported yet</span>}</Field>
      <Field label="To">{job.to}</Field>
      <Field label="From">{job.fromNumber}{job.senderSelection !== null && (
        <span className="muted"> ({senderSelectionLabels[job.senderSelection]})</span>
      )}</Field>
      <Field label="Category">{job.category === "marketing" ? "Marketing (obeys quiet hours)" : "Transactional"}</Field>
      <Field label="Message"><p className="body-text">{job.body}</p></Field>
      <Field label="Template"><TemplateUsed template={job.template} workspaceId={workspace.workspaceId} /></Field>
      <Field label="Segments"><Segments segments={job.segments} encoding={job.encoding} twilioSegments={job.twilioSegments} /></Field>
      <Field label="Media">{job.mediaUrls.length === 0 ? <span className="muted">none</span> : (
        <ul className="plain">{job.mediaUrls.map((url) => <li key={url}><a href={url} rel="noreferrer noopener" target="_blank">{url}</a></li>)}</ul>
      )}</Field>
      <Field label="Scheduled"><When iso={job.scheduledTime} timeZone={tz} />{job.requestedTime !== null && (
        <span className="muted"> — moved by quiet hours from <When iso={job.requestedTime} timeZone={tz} /></span>
      )}</Field>
      <Field label="Next attempt"><When iso={job.nextAttemptTime} timeZone={tz} /></Field>
      <Field label="Accepted by Twilio"><When iso={job.completedTime} timeZone={tz} /></Field>
      <Field label="Expires">{job.expiresTime === null ? <span className="muted">never</span> : <When iso={job.expiresTime} timeZone={tz} />}</Field>
      <Field label="Attempts">{job.attempts} of {job.maxAttempts}</Field>
      <Field label="Retry policy"><RetryPolicy policy={job.retryPolicy} /></Field>
      <Field label="Last error">{job.lastError === null ? <span className="muted">none</span> : (
        <>{job.lastError.code !== null && <code className="error-code">{job.lastError.code}</code>} {job.lastError.message}</>
      )}</Field>
      <Field label="Twilio SID">{job.twilioSid === null ? <span className="muted">not sent yet</span> : <code>{job.twilioSid}</code>}</Field>
      <Field label="Schedule">{job.scheduleId === null ? <span className="muted">one-off</span> : (
        <Link to={paths.detail(workspace.workspaceId, job.scheduleId)}>{job.scheduleId}</Link>
      )}</Field>
      <Field label="Metadata"><Json value={job.metadata} /></Field>
      <Field label="Created"><When iso={job.createdTime} timeZone={tz} /></Field>
      <Field label="Updated"><When iso={job.updatedTime} timeZone={tz} /></Field>
      <Field label="Id"><code>{job.jobId}</code></Field>
    </dl>
  );
}

function ScheduleFields({ schedule, workspace }: { schedule: ScheduleView; workspace: WorkspaceView }) {
  const tz = schedule.timezone;
  const c = schedule.counts;
  return (
    <dl className="fields">
      <Field label="Status"><StatusBadge status={schedule.status} />{schedule.endedReason !== null && ` (${schedule.endedReason.replaceAll("_", " ")})`}</Field>
      <Field label="Repeats"><code>{schedule.cron}</code> in {tz}</Field>
      <Field label="Next runs">{schedule.nextRuns.length === 0 ? <span className="muted">none</span> : (
        <ol className="plain">{schedule.nextRuns.map((run) => <li key={run}><When iso={run} timeZone={tz} /></li>)}</ol>
      )}</Field>
      <Field label="Occurrences">
        {c.occurrences} created: {c.sent} sent, {c.failed} failed, {c.pending} pending, {c.cancelled} cancelled, {c.missed} missed, {c.skipped} skipped
      </Field>
      <Field label="Latest occurrence">{schedule.lastOccurrence === null ? <span className="muted">none yet</span> : (
        <>
          <Link to={paths.detail(workspace.workspaceId, schedule.lastOccurrence.jobId)}>
            <When iso={schedule.lastOccurrence.time} timeZone={tz} />
          </Link>{" "}
          <JobStatusCell status={schedule.lastOccurrence.status} messageStatus={schedule.lastOccurrence.messageStatus} />
        </>
      )}</Field>
      <Field label="Starts"><When iso={schedule.startAt} timeZone={tz} /></Field>
      <Field label="Ends">{schedule.endAt === null ? <span className="muted">never</span> : <When iso={schedule.endAt} timeZone={tz} />}</Field>
      <Field label="At most">{schedule.maxOccurrences === null ? <span className="muted">no limit</span> : `${schedule.maxOccurrences} messages`}</Field>
      <Field label="To">{schedule.to}</Field>
      <Field label="From">{schedule.fromNumber}</Field>
      <Field label="Message"><p className="body-text">{schedule.body}</p></Field>
      <Field label="Template"><TemplateUsed template={schedule.template} workspaceId={workspace.workspaceId} /></Field>
      <Field label="Segments"><Segments segments={schedule.segments} encoding={schedule.encoding} /></Field>
      <Field label="Metadata"><Json value={schedule.metadata} /></Field>
      <Field label="Created"><When iso={schedule.createdTime} timeZone={tz} /></Field>
      <Field label="Updated"><When iso={schedule.updatedTime} timeZone={tz} /></Field>
      <Field label="Id"><code>{schedule.jobId}</code></Field>
    </dl>
  );
}

export function DetailPage({ workspace, id }: { workspace: WorkspaceView; id: string }) {
  const item = useJobOrSchedule(workspace.workspaceId, id);
  const data = item.data;
  const events = useEvents(workspace.workspaceId, id, eventsVersion(data));
  const isSchedule = data?.kind === "recurring" || id.startsWith("sched_");
  const listPath = isSchedule ? paths.schedules(workspace.workspaceId) : paths.messages(workspace.workspaceId);
  usePageTitle(`${isSchedule ? "Schedule" : "Message"} ${id}`);
  const timeZone = data?.kind === "recurring" ? data.timezone : workspace.timezone;
  const notFound = item.error instanceof ApiError && item.error.code === "job_not_found";
  // While the user decides, the job may be claimed: keep the dialog (the API then says why it refuses).
  const [deciding, setDeciding] = useState(false);
  // Likewise for a retry: once it succeeds the job is pending again, and the dialog closes itself.
  const [retrying, setRetrying] = useState(false);

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to={listPath}>{isSchedule ? "Schedules" : "Messages"}</Link> <span aria-hidden="true">/</span> <span>{id}</span>
      </nav>
      <div className="page-head with-actions">
        <h1>{isSchedule ? "Schedule" : "Message"}{data !== undefined && <> to {data.to}</>}</h1>
        {data !== undefined && workspace.canWrite && (
          data.kind === "job"
            ? data.status === "failed" || retrying
              ? <RetryJobButton workspaceId={workspace.workspaceId} jobId={data.jobId} to={data.to}
                  expired={data.statusReason === "expired"} onOpenChange={setRetrying} />
              : (isPendingJob(data.status) || deciding) &&
                <CancelJobButton workspaceId={workspace.workspaceId} jobId={data.jobId} to={data.to} onOpenChange={setDeciding} />
            : <ScheduleActions workspaceId={workspace.workspaceId} scheduleId={data.jobId} status={data.status} to={data.to} />
        )}
      </div>
      {notFound
        ? <p className="notice" role="alert">There is no {isSchedule ? "schedule" : "message"} {id} in {workspace.name}.</p>
        : <QueryNotice status={item.status} error={item.error} what={isSchedule ? "the schedule" : "the message"} />}
      {data !== undefined && (
        <div className="detail">
          <section aria-labelledby="fields-heading">
            <h2 id="fields-heading">Details</h2>
            {data.kind === "job" ? <JobFields job={data} workspace={workspace} /> : <ScheduleFields schedule={data} workspace={workspace} />}
          </section>
          <section aria-labelledby="timeline-heading">
            <h2 id="timeline-heading">Timeline</h2>
            <QueryNotice status={events.status} error={events.error} what="the timeline" />
            {events.data !== undefined && <EventTimeline events={events.data.events} truncated={events.data.truncated} timeZone={timeZone} />}
          </section>
        </div>
      )}
    </>
  );
}
