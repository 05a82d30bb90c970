// A job's (or schedule's) event log as a timeline: each attempt, its error code, message and
// meaning, the retry time, Twilio's SID and every delivery status, oldest first.
import type { JobEventView } from "../../../supabase/functions/_shared/api-types.ts";
import { formatTime } from "../format/time.ts";
import { StatusBadge } from "./status-badge.tsx";

const titles: Record<string, string> = {
  created: "Created",
  claimed: "Sending (picked up by a worker)",
  retry_scheduled: "Attempt failed, retry scheduled",
  completed: "Accepted by Twilio",
  failed: "Failed",
  cancelled: "Cancelled",
  message_status: "Delivery status",
  duplicate_send: "Sent again after an in-doubt attempt",
  duplicate_message_status: "Status for another send of this message",
  price_reported: "Price reported by Twilio",
  occurrences_missed: "Occurrences missed",
  occurrence_skipped: "Occurrence skipped",
  paused: "Paused",
  resumed: "Resumed",
  ended: "Ended",
  materialise_failed: "Could not create an occurrence",
};

/** Shown by their own labels below; the rest of `details` is listed as recorded. */
const describedKeys = new Set(["reason", "next_attempt_at", "twilio_sid", "message_status", "to", "from", "lease_owner",
  "lease_expires_at", "max_attempts"]);

function text(value: unknown): string | null {
  if (value === null || value === undefined || value === "") return null;
  return typeof value === "string" ? value : JSON.stringify(value);
}

function EventFacts({ event, timeZone }: { event: JobEventView; timeZone: string }) {
  const d = event.details;
  const deliveryStatus = event.type === "message_status" ? text(d.to) : null;
  const facts: [string, string][] = [];
  if (event.attempt !== null && event.attempt > 0 && event.type !== "created") {
    const of = text(d.max_attempts);
    facts.push(["Attempt", of === null ? String(event.attempt) : `${event.attempt} of ${of}`]);
  }
  if (event.fromStatus !== null && event.toStatus !== null && event.fromStatus !== event.toStatus) {
    facts.push(["Status", `${event.fromStatus} → ${event.toStatus}`]);
  }
  if (event.occurrenceTime !== null) facts.push(["Occurrence", formatTime(event.occurrenceTime, timeZone)]);
  const reason = text(d.reason);
  if (reason !== null) facts.push(["Reason", reason]);
  const retryAt = text(d.next_attempt_at);
  if (event.type === "retry_scheduled" && retryAt !== null) facts.push(["Next attempt", formatTime(retryAt, timeZone)]);
  const sid = text(d.twilio_sid);
  if (sid !== null) facts.push(["Twilio SID", sid]);
  const reported = event.type === "message_status" ? null : text(d.message_status);
  if (reported !== null) facts.push(["Delivery status", reported]);
  const worker = text(d.lease_owner);
  if (worker !== null && (event.type === "claimed" || event.type === "retry_scheduled")) facts.push(["Worker", worker]);
  for (const [key, value] of Object.entries(d)) {
    const shown = text(value);
    if (describedKeys.has(key) || shown === null) continue;
    // Recorded times are database timestamps: show them like every other time.
    facts.push([key.replaceAll("_", " "), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(shown) ? formatTime(shown, timeZone) : shown]);
  }
  return (
    <>
      {deliveryStatus !== null && <p className="event-status"><StatusBadge status={deliveryStatus} /></p>}
      {(event.errorCode !== null || event.errorMessage !== null) && (
        <p className="event-error">
          {event.errorCode !== null && <code className="error-code">{event.errorCode}</code>}
          {event.errorMessage !== null && <span> {event.errorMessage}</span>}
          {event.errorMeaning !== null && <span className="muted"> — {event.errorMeaning}</span>}
        </p>
      )}
      {facts.length > 0 && (
        <dl className="facts">
          {facts.map(([label, value], i) => (
            <div key={`${label}-${i}`}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      )}
    </>
  );
}

export function EventTimeline({ events, truncated, timeZone }: { events: readonly JobEventView[]; truncated: boolean; timeZone: string }) {
  if (events.length === 0) return <p className="muted">No events yet.</p>;
  return (
    <>
      {truncated && <p className="muted">Older events are left out: showing the latest {events.length}.</p>}
      <ol className="timeline">
        {events.map((event) => (
          <li key={event.eventId} className={`event event-${event.type}`} data-event-type={event.type}>
            <div className="event-head">
              <time dateTime={event.time}>{formatTime(event.time, timeZone, { ms: true })}</time>
              <strong>{titles[event.type] ?? event.type}</strong>
            </div>
            <EventFacts event={event} timeZone={timeZone} />
          </li>
        ))}
      </ol>
    </>
  );
}
