// One schedule-bulk batch: how far it has got (jobs by status, deliveries by Twilio status), the
// recipients refused when it was sent (shown to the session that sent it: the API keeps only their
// count), a link to its messages, Cancel for its pending messages and Retry for its failed ones.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { WorkspaceView } from "../../../supabase/functions/_shared/api-types.ts";
import { useApi } from "../api/api-context.tsx";
import { ApiError } from "../api/api-client.ts";
import { queryKeys, useBatchStatus } from "../api/queries.ts";
import { RetryBatchButton } from "../components/actions.tsx";
import { ConfirmAction } from "../components/confirm-action.tsx";
import { usePageTitle } from "../components/page-title.ts";
import { QueryNotice } from "../components/query-notice.tsx";
import { StatusCountLinks } from "../components/status-counts.tsx";
import { formatRelative, formatTime } from "../format/time.ts";
import { Link, withSearch } from "../router/router.tsx";
import type { SentBatch } from "./bulk-page.tsx";
import { paths } from "../router/paths.ts";

export function BatchPage({ workspace, batchId }: { workspace: WorkspaceView; batchId: string }) {
  usePageTitle(`Batch ${batchId}`);
  const api = useApi();
  const queryClient = useQueryClient();
  const status = useBatchStatus(workspace.workspaceId, batchId);
  // Only in the cache of the session that sent it; never fetched.
  const sent = useQuery<SentBatch | null>({
    queryKey: queryKeys.bulkResult(workspace.workspaceId, batchId), queryFn: () => null, enabled: false, staleTime: Number.POSITIVE_INFINITY,
  }).data;
  const refused = (sent?.result.items ?? []).filter((item) => item.error !== undefined);
  const data = status.data;
  const pending = data === undefined ? 0 : data.counts.scheduled + data.counts.queued + data.counts.processing + data.counts.retrying;
  const done = data === undefined ? 0 : data.total - pending;
  const notFound = status.error instanceof ApiError && status.error.code === "batch_not_found";

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to={paths.bulk(workspace.workspaceId)}>Bulk send</Link> <span aria-hidden="true">/</span> <span>{batchId}</span>
      </nav>
      <div className="page-head with-actions">
        <div>
          <h1>Batch</h1>
          <p className="muted"><code>{batchId}</code></p>
        </div>
        {workspace.canWrite && data !== undefined && data.counts.failed > 0 && (
          <RetryBatchButton workspaceId={workspace.workspaceId} batchId={batchId} failed={data.counts.failed}
            onDone={() => void queryClient.invalidateQueries({ queryKey: queryKeys.batch(workspace.workspaceId, batchId) })} />
        )}
        {workspace.canWrite && pending > 0 && (
          <ConfirmAction
            label="Cancel pending messages"
            title={`Cancel the ${pending} pending messages of this batch?`}
            description={<p>Messages already sent stay sent. This cannot be undone.</p>}
            confirmLabel="Cancel them"
            danger
            run={() => api.post("cancel-job", { workspaceId: workspace.workspaceId, jobId: batchId })}
            onDone={() => void queryClient.invalidateQueries({ queryKey: queryKeys.batch(workspace.workspaceId, batchId) })}
          />
        )}
      </div>
      {notFound
        ? <p className="notice" role="alert">There is no batch {batchId} in {workspace.name}.</p>
        : <QueryNotice status={status.status} error={status.error} what="the batch" />}
      {data !== undefined && (
        <>
          <dl className="figures">
            <div className="figure"><dt>Recipients scheduled</dt><dd data-figure="accepted">{data.accepted}</dd></div>
            <div className="figure"><dt>Recipients refused</dt><dd data-figure="rejected">{data.rejected}</dd></div>
            <div className="figure">
              <dt>Due</dt>
              <dd><time dateTime={data.scheduledTime}>{formatTime(data.scheduledTime, workspace.timezone)}</time> <span className="muted small">{formatRelative(data.scheduledTime)}</span></dd>
            </div>
            <div className="figure">
              <dt>Progress</dt>
              <dd>
                <progress max={Math.max(data.total, 1)} value={done} aria-label="Messages finished" /> {done} of {data.total} finished
              </dd>
            </div>
          </dl>
          <h2>Messages by status</h2>
          <StatusCountLinks workspaceId={workspace.workspaceId} counts={data.counts} filters={{ batch: batchId }} />
          <h2>Delivery (Twilio)</h2>
          <ul className="status-counts" aria-label="Delivery statuses">
            {Object.entries(data.messageStatuses).filter(([, n]) => n > 0).map(([name, n]) => (
              <li key={name} className="count tone-neutral" data-delivery={name}>
                <span className="count-value">{n}</span> <span className="count-label">{name === "none" ? "not reported" : name}</span>
              </li>
            ))}
          </ul>
          <p><Link to={withSearch(paths.messages(workspace.workspaceId), { batch: batchId })}>Show this batch's messages</Link></p>
        </>
      )}
      {refused.length > 0 && (
        <section aria-labelledby="refused-heading">
          <h2 id="refused-heading">Refused recipients</h2>
          <div className="table-scroll">
            <table className="rows">
              <caption className="visually-hidden">Recipients refused when the batch was sent</caption>
              <thead><tr><th scope="col">File row</th><th scope="col">Number</th><th scope="col">Code</th><th scope="col">Why</th></tr></thead>
              <tbody>
                {refused.map((item) => (
                  <tr key={item.index} data-index={item.index}>
                    <td className="numeric">{sent?.fileRows[item.index] ?? item.index + 1}</td>
                    <td>{item.to}</td>
                    <td><code className="error-code">{item.error?.code}</code></td>
                    <td>{item.error?.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </>
  );
}
