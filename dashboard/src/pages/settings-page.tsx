// The workspace's settings: its regions (Twilio processing region and edge, Trigger.dev region), its
// quiet hours, and its senders (kind, country and pace).
import type { SenderView, WorkspaceView } from "../../../supabase/functions/_shared/api-types.ts";
import { useSenders } from "../api/queries.ts";
import { usePageTitle } from "../components/page-title.ts";
import { QueryNotice } from "../components/query-notice.tsx";
import { QuietHoursSettings } from "../components/quiet-hours-settings.tsx";
import { RegionSettings } from "../components/region-settings.tsx";

const kindNames = { long_code: "Long code", toll_free: "Toll-free", short_code: "Short code", messaging_service: "Messaging Service" } as const;

/** The senders table's columns, in order. */
const senderColumns: readonly { header: string; numeric?: boolean; cell(sender: SenderView): string }[] = [
  { header: "Sender", cell: (s) => `${s.sender}${s.label === null ? "" : ` · ${s.label}`}${s.isDefault ? " (default)" : ""}` },
  { header: "Kind", cell: (s) => kindNames[s.kind] },
  { header: "Country", cell: (s) => s.country ?? "— (set it for geo-match)" },
  { header: "Messages per second", numeric: true, cell: (s) => `${s.messagesPerSecond.toLocaleString("en")}${s.defaultRate ? " (default for its kind)" : ""}` },
];

function Senders({ workspace }: { workspace: WorkspaceView }) {
  const senders = useSenders(workspace.workspaceId);
  return (
    <section aria-labelledby="settings-senders-heading">
      <h2 id="settings-senders-heading">Senders</h2>
      <p className="muted">
        The numbers and Messaging Services this workspace sends from, each paced at its rate in message segments per
        second (Limits shows what waits for each). A message without a sender leaves from one of its recipient’s
        country, else from the one of their last message, else from the default.
      </p>
      <QueryNotice status={senders.status} error={senders.error} what="senders" />
      {senders.data !== undefined && (
        <div className="table-scroll">
          <table className="rows" aria-label="Senders" data-testid="settings-senders">
            <thead>
              <tr>{senderColumns.map((c) => <th key={c.header} scope="col" className={c.numeric ? "numeric" : undefined}>{c.header}</th>)}</tr>
            </thead>
            <tbody>
              {senders.data.senders.map((s) => (
                <tr key={s.sender} data-sender={s.sender}>
                  {senderColumns.map((c) => <td key={c.header} className={c.numeric ? "numeric" : undefined}>{c.cell(s)}</td>)}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function SettingsPage({ workspace }: { workspace: WorkspaceView }) {
  usePageTitle(`Settings · ${workspace.name}`);
  return (
    <>
      <div className="page-head">
        <h1>Settings</h1>
        <p className="muted">Where this workspace’s messages are processed, when marketing messages may be sent, and what it sends from.</p>
      </div>
      <RegionSettings workspace={workspace} />
      <QuietHoursSettings workspace={workspace} />
      <Senders workspace={workspace} />
    </>
  );
}
