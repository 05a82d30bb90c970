// Opt-outs: the numbers this workspace must not message (from a recipient's STOP, Twilio's 21610,
// or staff), the latest changes with who made them and why, and what recipients texted lately with
// the keyword action taken. Writers add an opt-out (pending messages to the number are cancelled);
// owners and admins remove one with a reason. The API checks every right again.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useRef, useState } from "react";
import type { InboundMessageView, OptOutEventView, OptOutView, WorkspaceView } from "../../../supabase/functions/_shared/api-types.ts";
import { describeError } from "../api/api-client.ts";
import { useApi } from "../api/api-context.tsx";
import { useInboundMessages, useOptOuts } from "../api/queries.ts";
import { mayChangeSettings } from "../auth/workspace-roles.ts";
import { usePageTitle } from "../components/page-title.ts";
import { QueryNotice } from "../components/query-notice.tsx";
import { formatRelative, formatTime } from "../format/time.ts";

const sourceLabels: Record<OptOutEventView["source"], string> = {
  stop_keyword: "Replied STOP",
  start_keyword: "Replied START",
  twilio_21610: "Twilio: replied STOP (21610)",
  api: "Staff (API or dashboard)",
  manual: "Staff (direct)",
};

const effectLabels: Record<InboundMessageView["effect"], string> = {
  opted_out: "Opted out",
  already_opted_out: "Already opted out",
  opted_in: "Opted back in",
  not_opted_out: "Opt-in: was not opted out",
  kept_staff_opt_out: "Opt-in refused: staff opt-out kept",
  unsupported_sender: "Keyword from a non-phone sender: ignored",
  logged: "Logged",
};

function When({ iso, timezone }: { iso: string; timezone: string }) {
  return (
    <>
      <time dateTime={iso}>{formatTime(iso, timezone)}</time>
      <span className="muted small"> {formatRelative(iso)}</span>
    </>
  );
}

/** Writers: record an opt-out. */
function AddOptOutForm({ workspace }: { workspace: WorkspaceView }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [phone, setPhone] = useState("");
  const [reason, setReason] = useState("");
  const add = useMutation({
    mutationFn: () => api.post("add-opt-out", {
      workspaceId: workspace.workspaceId, phone: phone.trim(), ...(reason.trim() === "" ? {} : { reason: reason.trim() }),
    }, { idempotencyKey: crypto.randomUUID() }),
    onSuccess: () => {
      setPhone("");
      setReason("");
      void queryClient.invalidateQueries({ queryKey: ["opt-outs", workspace.workspaceId] });
    },
  });
  return (
    <form
      aria-label="Add an opt-out"
      className="opt-out-form"
      onSubmit={(event) => {
        event.preventDefault();
        add.mutate();
      }}
    >
      <label>
        <span>Phone number</span>
        <input type="tel" required placeholder="+61412345678" value={phone} onChange={(event) => setPhone(event.target.value)} />
      </label>
      <label>
        <span>Reason (optional)</span>
        <input type="text" maxLength={500} value={reason} onChange={(event) => setReason(event.target.value)} />
      </label>
      <button type="submit" className="button primary" disabled={add.isPending || phone.trim() === ""}>
        {add.isPending ? "Adding…" : "Add opt-out"}
      </button>
      {add.isError && <p className="notice error" role="alert">Not added: {describeError(add.error)}</p>}
      {add.isSuccess && (
        <p className="muted" role="status">
          {add.data.created
            ? `${add.data.optOut.phone} opted out; ${add.data.cancelledJobs} pending message${add.data.cancelledJobs === 1 ? "" : "s"} cancelled.`
            : `${add.data.optOut.phone} had already opted out.`}
        </p>
      )}
    </form>
  );
}

/** Owners and admins: remove one opt-out, with a reason, after asking. */
function RemoveOptOut({ workspace, optOut }: { workspace: WorkspaceView; optOut: OptOutView }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [reason, setReason] = useState("");
  const [key, setKey] = useState("");
  const remove = useMutation({
    mutationFn: () => api.post("remove-opt-out", { workspaceId: workspace.workspaceId, phone: optOut.phone, reason: reason.trim() },
      { idempotencyKey: key }),
    onSuccess: () => {
      dialog.current?.close();
      void queryClient.invalidateQueries({ queryKey: ["opt-outs", workspace.workspaceId] });
    },
  });
  return (
    <>
      <button
        type="button"
        className="button danger"
        aria-label={`Remove the opt-out of ${optOut.phone}`}
        onClick={() => {
          remove.reset();
          setReason("");
          setKey(crypto.randomUUID());
          dialog.current?.showModal();
        }}
      >
        Remove
      </button>
      <dialog ref={dialog} aria-labelledby={titleId} className="confirm-dialog">
        <h2 id={titleId}>Message {optOut.phone} again?</h2>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            remove.mutate();
          }}
        >
          <div className="dialog-body">
            <p>Only remove an opt-out with the recipient’s consent. Messages it cancelled stay cancelled.</p>
            <label className="stacked-field">
              <span>Reason (kept in the history)</span>
              <textarea required maxLength={500} value={reason} onChange={(event) => setReason(event.target.value)} />
            </label>
          </div>
          {remove.isError && <p className="notice error" role="alert">{describeError(remove.error)}</p>}
          <div className="dialog-actions">
            <button type="button" className="button" onClick={() => dialog.current?.close()}>Keep it</button>
            <button type="submit" className="button danger" disabled={remove.isPending || reason.trim() === ""}>
              {remove.isPending ? "Working…" : "Remove opt-out"}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}

export function OptOutsPage({ workspace }: { workspace: WorkspaceView }) {
  usePageTitle(`Opt-outs · ${workspace.name}`);
  const [search, setSearch] = useState("");
  const [phone, setPhone] = useState("");
  const optOuts = useOptOuts(workspace.workspaceId, phone);
  const inbound = useInboundMessages(workspace.workspaceId);
  const mayRemove = mayChangeSettings(workspace);
  const rows = optOuts.data?.optOuts ?? [];
  const history = optOuts.data?.history ?? [];

  return (
    <>
      <div className="page-head">
        <h1>Opt-outs</h1>
        <p className="muted">
          Numbers this workspace must not message. A reply of STOP (or STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE,
          OPTOUT) adds one and cancels the messages still waiting for that number; START, YES or UNSTOP removes it again.
        </p>
      </div>

      {workspace.canWrite && <AddOptOutForm workspace={workspace} />}

      <section aria-labelledby="opt-out-list">
        <h2 id="opt-out-list">Opted out</h2>
        <form
          role="search"
          className="opt-out-search"
          onSubmit={(event) => {
            event.preventDefault();
            setPhone(search.trim());
          }}
        >
          <label>
            <span>Find a number</span>
            <input type="search" placeholder="+61412345678" value={search} onChange={(event) => setSearch(event.target.value)} />
          </label>
          <button type="submit" className="button">Find</button>
          {phone !== "" && <button type="button" className="button" onClick={() => { setSearch(""); setPhone(""); }}>Show all</button>}
        </form>
        <QueryNotice status={optOuts.status} error={optOuts.error} what="opt-outs" />
        {optOuts.status === "success" && rows.length === 0 && (
          <p className="empty">{phone === "" ? "Nobody has opted out." : `${phone} has not opted out.`}</p>
        )}
        {rows.length > 0 && (
          <div className="table-scroll">
            <table className="rows" data-testid="opt-outs-table">
              <caption className="visually-hidden">Numbers that opted out</caption>
              <thead>
                <tr>
                  <th scope="col">Phone</th>
                  <th scope="col">Source</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Since</th>
                  {mayRemove && <th scope="col"><span className="visually-hidden">Actions</span></th>}
                </tr>
              </thead>
              <tbody>
                {rows.map((o) => (
                  <tr key={o.phone} data-phone={o.phone}>
                    <td>{o.phone}</td>
                    <td>{sourceLabels[o.source]}</td>
                    <td>{o.reason ?? <span className="muted">—</span>}</td>
                    <td><When iso={o.createdTime} timezone={workspace.timezone} /></td>
                    {mayRemove && <td><RemoveOptOut workspace={workspace} optOut={o} /></td>}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {optOuts.data?.nextCursor != null && <p className="muted small">Showing the newest {rows.length}; find a number to see any other.</p>}
      </section>

      <section aria-labelledby="opt-out-history">
        <h2 id="opt-out-history">Latest changes</h2>
        {optOuts.status === "success" && history.length === 0 && <p className="empty">No changes yet.</p>}
        {history.length > 0 && (
          <div className="table-scroll">
            <table className="rows" data-testid="opt-out-history">
              <caption className="visually-hidden">Opt-outs added and removed</caption>
              <thead>
                <tr><th scope="col">When</th><th scope="col">Phone</th><th scope="col">Change</th><th scope="col">By</th><th scope="col">Reason</th></tr>
              </thead>
              <tbody>
                {history.slice(0, 20).map((e, i) => (
                  <tr key={`${e.time}-${e.phone}-${i}`}>
                    <td><When iso={e.time} timezone={workspace.timezone} /></td>
                    <td>{e.phone}</td>
                    <td>{e.action === "added" ? "Opted out" : "Opt-out removed"}</td>
                    <td>{sourceLabels[e.source]}</td>
                    <td>{e.reason ?? <span className="muted">—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="inbound-heading">
        <h2 id="inbound-heading">Recent replies</h2>
        <QueryNotice status={inbound.status} error={inbound.error} what="replies" />
        {inbound.status === "success" && inbound.data.messages.length === 0 && <p className="empty">No replies received yet.</p>}
        {inbound.data !== undefined && inbound.data.messages.length > 0 && (
          <div className="table-scroll">
            <table className="rows" data-testid="inbound-table">
              <caption className="visually-hidden">Messages recipients sent to this workspace’s numbers</caption>
              <thead>
                <tr><th scope="col">Received</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Text</th><th scope="col">Action taken</th></tr>
              </thead>
              <tbody>
                {inbound.data.messages.map((m) => (
                  <tr key={m.id} data-sid={m.messageSid}>
                    <td><When iso={m.receivedTime} timezone={workspace.timezone} /></td>
                    <td>{m.from}</td>
                    <td>{m.to}</td>
                    <td className="template-text">{m.body}{m.numMedia > 0 ? ` (+${m.numMedia} media)` : ""}</td>
                    <td>
                      {effectLabels[m.effect]}
                      {m.cancelledJobs > 0 && `; ${m.cancelledJobs} pending message${m.cancelledJobs === 1 ? "" : "s"} cancelled`}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
