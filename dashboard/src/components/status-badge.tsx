import { toneOf } from "../format/statuses.ts";

/** A status as a word with a colour: the word carries the meaning, the colour only helps scanning. */
export function StatusBadge({ status, className = "" }: { status: string; className?: string }) {
  return <span className={`badge tone-${toneOf(status)} ${className}`.trim()}>{status}</span>;
}

/** A job's status with its delivery status when Twilio has reported one. */
export function JobStatusCell({ status, messageStatus }: { status: string; messageStatus: string | null }) {
  return (
    <span className="status-cell">
      <StatusBadge status={status} />
      {messageStatus !== null && status === "completed" && (
        <>
          {" "}<span className="visually-hidden">delivery:</span><StatusBadge status={messageStatus} className="delivery" />
        </>
      )}
    </span>
  );
}
