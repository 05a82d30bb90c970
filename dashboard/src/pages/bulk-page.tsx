// Bulk send: one message (a template or plain text) to a customer list uploaded as CSV. The columns
// are mapped to the phone number and the template's merge fields, the first rows are previewed as
// the API renders them (text and segments), the rows sure to be refused are listed, and the batch is
// sent now or at a time with one schedule-bulk request. Then the batch's own page follows it.
import { useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import type { ScheduleBulkResult, WorkspaceView } from "../../../supabase/functions/_shared/api-types.ts";
import { apiLimits } from "../../../supabase/functions/_shared/limits.ts";
import { useApi } from "../api/api-context.tsx";
import { queryKeys, usePreview, useSenders, useTemplates } from "../api/queries.ts";
import { estimateSend, formatDuration, longestValiditySeconds } from "../bulk/send-estimate.ts";
import {
  type ColumnMapping, type CsvTable, guessMapping, type MergeField, parseCsv, recipientsOf, type RecipientRow, rowProblems,
} from "../bulk/csv-recipients.ts";
import { ConfirmAction } from "../components/confirm-action.tsx";
import { MessagePreview } from "../components/message-preview.tsx";
import { usePageTitle } from "../components/page-title.ts";
import { QueryNotice } from "../components/query-notice.tsx";
import { navigate } from "../router/router.tsx";
import { paths } from "../router/paths.ts";

/** Rows previewed through the API before sending. */
const previewRows = 3;
/** Refused rows listed before sending (the count says how many in all). */
const problemsShown = 20;

/** schedule-bulk's answer, and the file row of each recipient sent (items are in this order). */
export interface SentBatch {
  result: ScheduleBulkResult;
  fileRows: number[];
}

type Content = { kind: "template"; templateId: string } | { kind: "body"; body: string };

export function BulkPage({ workspace }: { workspace: WorkspaceView }) {
  usePageTitle(`Bulk send · ${workspace.name}`);
  const templates = useTemplates(workspace.workspaceId);
  const usable = (templates.data?.templates ?? []).filter((t) => !t.archived);
  const [content, setContent] = useState<Content>({ kind: "template", templateId: "" });
  const template = content.kind === "template" ? usable.find((t) => t.templateId === content.templateId) : undefined;
  const mergeFields: MergeField[] = template?.variables ?? [];
  const [file, setFile] = useState<{ name: string; table: CsvTable } | null>(null);
  const [mapping, setMapping] = useState<ColumnMapping>({ phone: null, variables: {} });
  const [when, setWhen] = useState<{ kind: "now" } | { kind: "at"; local: string }>({ kind: "now" });

  // Computed on each render: 10,000 rows take a few milliseconds.
  const recipients = file === null ? [] : recipientsOf(file.table, mapping);
  const problems = rowProblems(recipients, mergeFields);
  const refusedRows = new Set(problems.map((p) => p.row));
  const ready = recipients.filter((r) => !refusedRows.has(r.row));
  const tooMany = recipients.length > apiLimits.bulk_recipients_max;
  const hasContent = content.kind === "body" ? content.body.trim() !== "" : template !== undefined;
  const scheduledTime = when.kind === "at" && when.local !== "" ? new Date(when.local) : null;
  const canSend = workspace.canWrite && hasContent && ready.length > 0 && !tooMany && (when.kind === "now" || scheduledTime !== null);

  async function load(chosen: File): Promise<void> {
    const table = parseCsv(await chosen.text());
    setFile({ name: chosen.name, table });
    setMapping(guessMapping(table.columns, mergeFields.map((f) => f.name)));
  }

  function chooseTemplate(templateId: string): void {
    setContent({ kind: "template", templateId });
    const chosen = usable.find((t) => t.templateId === templateId);
    if (file !== null && chosen !== undefined) setMapping(guessMapping(file.table.columns, chosen.variables.map((v) => v.name)));
  }

  return (
    <>
      <div className="page-head">
        <h1>Bulk send</h1>
        <p className="muted">One message to a list of people: a CSV file with a phone column, and a column for each merge field.</p>
      </div>
      <div className="bulk-steps">
        <section aria-labelledby="bulk-message">
          <h2 id="bulk-message">1. Message</h2>
          <div className="segmented" role="group" aria-label="Message from">
            <button type="button" aria-pressed={content.kind === "template"} onClick={() => setContent({ kind: "template", templateId: "" })}>Template</button>
            <button type="button" aria-pressed={content.kind === "body"} onClick={() => setContent({ kind: "body", body: "" })}>Plain text</button>
          </div>
          {content.kind === "template"
            ? (
              <>
                <QueryNotice status={templates.status} error={templates.error} what="templates" />
                <label className="field wide">
                  Template
                  <select value={content.templateId} onChange={(e) => chooseTemplate(e.target.value)}>
                    <option value="">Choose a template…</option>
                    {usable.map((t) => <option key={t.templateId} value={t.templateId}>{t.name} (version {t.version})</option>)}
                  </select>
                </label>
                {template !== undefined && <p className="body-text template-text muted">{template.body}</p>}
              </>
            )
            : (
              <label className="field wide">
                Text
                <textarea rows={4} value={content.body} maxLength={1600} onChange={(e) => setContent({ kind: "body", body: e.target.value })} />
              </label>
            )}
        </section>

        <section aria-labelledby="bulk-recipients">
          <h2 id="bulk-recipients">2. Recipients</h2>
          <label className="field wide">
            CSV file (header row first)
            <input type="file" accept=".csv,text/csv" onChange={(e) => { const chosen = e.target.files?.[0]; if (chosen !== undefined) void load(chosen); }} />
          </label>
          {file !== null && (
            <>
              <p data-testid="file-summary">
                {file.name}: {file.table.rows.length} rows, columns {file.table.columns.join(", ") || "none"}.
              </p>
              {file.table.problems.length > 0 && (
                <ul className="warnings" aria-label="Problems reading the file">{file.table.problems.map((p) => <li key={p}>{p}</li>)}</ul>
              )}
              <ColumnMap columns={file.table.columns} mergeFields={mergeFields} mapping={mapping} onChange={setMapping} />
            </>
          )}
        </section>

        {file !== null && mapping.phone !== null && (
          <section aria-labelledby="bulk-check">
            <h2 id="bulk-check">3. Check</h2>
            {tooMany && (
              <p className="notice error" role="alert">
                The file has {recipients.length} rows; one batch takes at most {apiLimits.bulk_recipients_max}. Split the file.
              </p>
            )}
            <p data-testid="bulk-counts"><strong>{ready.length}</strong> ready to send, <strong>{problems.length}</strong> will be refused.</p>
            {problems.length > 0 && (
              <div className="table-scroll">
                <table className="rows">
                  <caption className="visually-hidden">Rows that will be refused</caption>
                  <thead><tr><th scope="col">Row</th><th scope="col">Number</th><th scope="col">Why</th></tr></thead>
                  <tbody>
                    {problems.slice(0, problemsShown).map((p) => (
                      <tr key={p.row} data-row={p.row}><td className="numeric">{p.row}</td><td>{p.to || "—"}</td><td>{p.reason}</td></tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {problems.length > problemsShown && <p className="muted small">and {problems.length - problemsShown} more.</p>}
            {hasContent && ready.length > 0 && (
              <div className="bulk-previews">
                {ready.slice(0, previewRows).map((r) => (
                  <RowPreview key={r.row} workspaceId={workspace.workspaceId} content={content} recipient={r} />
                ))}
              </div>
            )}
          </section>
        )}

        {file !== null && (
          <section aria-labelledby="bulk-send">
            <h2 id="bulk-send">4. Send</h2>
            <div className="segmented" role="group" aria-label="When">
              <button type="button" aria-pressed={when.kind === "now"} onClick={() => setWhen({ kind: "now" })}>Now</button>
              <button type="button" aria-pressed={when.kind === "at"} onClick={() => setWhen({ kind: "at", local: "" })}>At a time</button>
            </div>
            {when.kind === "at" && (
              <label className="field">
                Send at (your browser's time)
                <input type="datetime-local" value={when.local} onChange={(e) => setWhen({ kind: "at", local: e.target.value })} />
              </label>
            )}
            {hasContent && ready.length > 0 && (
              <SendDuration workspaceId={workspace.workspaceId} content={content} recipients={ready} />
            )}
            <div className="form-actions">
              {workspace.canWrite
                ? <SendButton workspace={workspace} disabled={!canSend} content={content} recipients={ready} scheduledTime={scheduledTime} />
                : <p className="muted">Viewers cannot send.</p>}
            </div>
          </section>
        )}
      </div>
    </>
  );
}

function ColumnMap({ columns, mergeFields, mapping, onChange }: {
  columns: readonly string[];
  mergeFields: readonly MergeField[];
  mapping: ColumnMapping;
  onChange: (mapping: ColumnMapping) => void;
}) {
  return (
    <fieldset className="plain-fieldset column-map">
      <legend className="small muted">Columns</legend>
      <label className="field">
        Phone number
        <select value={mapping.phone ?? ""} onChange={(e) => onChange({ ...mapping, phone: e.target.value === "" ? null : e.target.value })}>
          <option value="">Choose a column…</option>
          {columns.map((c) => <option key={c} value={c}>{c}</option>)}
        </select>
      </label>
      {mergeFields.map((f) => (
        <label key={f.name} className="field">
          {f.name}{f.required ? " (required)" : ""}
          <select value={mapping.variables[f.name] ?? ""} onChange={(e) => onChange({ ...mapping, variables: { ...mapping.variables, [f.name]: e.target.value } })}>
            <option value="">{f.default === null ? "— not from the file —" : `— default: ${f.default} —`}</option>
            {columns.map((c) => <option key={c} value={c}>{c}</option>)}
          </select>
        </label>
      ))}
    </fieldset>
  );
}

function RowPreview({ workspaceId, content, recipient }: { workspaceId: string; content: Content; recipient: RecipientRow }) {
  const request = content.kind === "body"
    ? { body: content.body, to: recipient.to }
    : { templateId: content.templateId, variables: recipient.variables, to: recipient.to };
  const preview = usePreview(workspaceId, request);
  return (
    <figure className="row-preview" data-row={recipient.row}>
      <figcaption className="small muted">Row {recipient.row}: {recipient.to}</figcaption>
      {preview.isError && <p className="notice error" role="alert">{preview.error instanceof Error ? preview.error.message : "Could not preview"}</p>}
      {preview.data !== undefined && <MessagePreview preview={preview.data} />}
    </figure>
  );
}

/**
 * How long the batch takes at the default sender's rate, after what already waits for it; a warning
 * when that is longer than a message can wait (Twilio's longest validity). Segments per message come
 * from the first row's preview (the same request as its preview above, so no extra call).
 */
function SendDuration({ workspaceId, content, recipients }: { workspaceId: string; content: Content; recipients: readonly RecipientRow[] }) {
  const senders = useSenders(workspaceId);
  const first = recipients[0];
  const preview = usePreview(workspaceId, first === undefined ? null : content.kind === "body"
    ? { body: content.body, to: first.to }
    : { templateId: content.templateId, variables: first.variables, to: first.to });
  const sender = senders.data?.senders.find((s) => s.isDefault);
  if (sender === undefined || preview.data === undefined) return null;
  const estimate = estimateSend(sender, recipients.length, preview.data.segments);
  const text = `From ${sender.sender} at ${sender.messagesPerSecond} segments/s, sending takes about ${formatDuration(estimate.seconds)}` +
    (sender.backlog.messages > 0 ? ` (${formatDuration(estimate.backlogSeconds)} of it for ${sender.backlog.messages} messages already waiting).` : ".");
  return estimate.tooLong
    ? <p className="notice warning" role="alert" data-testid="send-duration">{text} That is longer than a message can wait (Twilio's longest validity, {formatDuration(longestValiditySeconds)}): the last messages would go out many hours late. Split the list or use a faster sender.</p>
    : <p className="muted small" data-testid="send-duration">{text}</p>;
}

function SendButton({ workspace, disabled, content, recipients, scheduledTime }: {
  workspace: WorkspaceView;
  disabled: boolean;
  content: Content;
  recipients: readonly RecipientRow[];
  scheduledTime: Date | null;
}) {
  const api = useApi();
  const queryClient = useQueryClient();
  // One Idempotency-Key per request: sending the same batch again (a retry after a lost answer)
  // gets the first answer back instead of a second batch; any change makes a new request.
  const lastRequest = useRef<{ json: string; key: string } | null>(null);
  const count = recipients.length;
  const noun = count === 1 ? "message" : "messages";
  if (disabled) return <button type="button" className="button primary" disabled>Send {count} {noun}</button>;
  return (
    <ConfirmAction
      label={`Send ${count} ${noun}`}
      title={`Send ${count} ${noun}?`}
      description={<p>{scheduledTime === null ? "They go out now." : `They go out at ${scheduledTime.toLocaleString()}.`} Each recipient gets one message.</p>}
      confirmLabel={`Send ${count} ${noun}`}
      run={async () => {
        const request = {
          workspaceId: workspace.workspaceId,
          ...(content.kind === "body" ? { body: content.body } : { templateId: content.templateId }),
          recipients: recipients.map((r) => (content.kind === "body" ? { to: r.to } : { to: r.to, variables: r.variables })),
          ...(scheduledTime === null ? {} : { scheduledTime: scheduledTime.toISOString() }),
        };
        const json = JSON.stringify(request);
        if (lastRequest.current?.json !== json) lastRequest.current = { json, key: crypto.randomUUID() };
        const result = await api.post("schedule-bulk", request, { idempotencyKey: lastRequest.current.key });
        // The batch page shows the refused recipients of this answer (GET batch-status has only counts).
        const sentBatch: SentBatch = { result, fileRows: recipients.map((r) => r.row) };
        queryClient.setQueryData(queryKeys.bulkResult(workspace.workspaceId, result.batchId), sentBatch);
        void queryClient.invalidateQueries({ queryKey: queryKeys.stats(workspace.workspaceId) });
        navigate(paths.batch(workspace.workspaceId, result.batchId));
      }}
    />
  );
}
