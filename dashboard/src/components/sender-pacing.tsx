// Sending limits of a workspace (issue 14): each sender's configured rate, what is due and waiting
// for it and how long that takes to drain, and the daily message cap with today's usage. Exported
// for the Limits page; it polls GET senders and GET sending-limits.
import type { WorkspaceView } from "../../../supabase/functions/_shared/api-types.ts";
import { useSenders, useSendingLimits } from "../api/queries.ts";
import { formatDuration } from "../bulk/send-estimate.ts";
import { QueryNotice } from "./query-notice.tsx";

const kindNames = { long_code: "Long code", toll_free: "Toll-free", short_code: "Short code", messaging_service: "Messaging Service" } as const;

export function SenderPacing({ workspace }: { workspace: WorkspaceView }) {
  const senders = useSenders(workspace.workspaceId);
  const limits = useSendingLimits(workspace.workspaceId);
  return (
    <section aria-labelledby="sender-pacing">
      <h2 id="sender-pacing">Senders</h2>
      <QueryNotice status={senders.status} error={senders.error} what="senders" />
      {senders.data !== undefined && (
        <table className="table" data-testid="senders-table">
          <thead>
            <tr><th>Sender</th><th>Kind</th><th>Rate</th><th>Waiting now</th><th>Time to send it</th></tr>
          </thead>
          <tbody>
            {senders.data.senders.map((s) => (
              <tr key={s.sender} data-sender={s.sender}>
                <td>{s.sender}{s.label === null ? "" : ` · ${s.label}`}{s.isDefault ? " (default)" : ""}</td>
                <td>{kindNames[s.kind]}</td>
                <td>{s.messagesPerSecond} segments/s{s.defaultRate ? " (default for its kind)" : ""}</td>
                <td>{s.backlog.messages} messages ({s.backlog.segments} segments)</td>
                <td>{s.backlog.messages === 0 ? "—" : formatDuration(s.drainSeconds)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2 id="daily-cap">Daily message cap</h2>
      <QueryNotice status={limits.status} error={limits.error} what="the daily cap" />
      {limits.data !== undefined && (
        <p data-testid="daily-cap">
          {limits.data.dailyMessageCap === null
            ? `No cap: ${limits.data.usedToday} sent today (${limits.data.localDay}, ${limits.data.timezone}).`
            : `${limits.data.usedToday} of ${limits.data.dailyMessageCap} sent today (${limits.data.localDay}, ${limits.data.timezone}); ` +
              `the count starts again at ${new Date(limits.data.resetsTime).toLocaleString()}.`}
          {limits.data.heldMessages > 0 && ` ${limits.data.heldMessages} messages wait for the next day.`}
        </p>
      )}
    </section>
  );
}
