// A workspace's message templates: name, merge fields, version, last change; archived ones on
// request. Writers create new ones here; everyone opens one to see it and preview it.
import { useState } from "react";
import type { TemplateView, WorkspaceView } from "../../../supabase/functions/_shared/api-types.ts";
import { useTemplates } from "../api/queries.ts";
import { usePageTitle } from "../components/page-title.ts";
import { QueryNotice } from "../components/query-notice.tsx";
import { formatRelative, formatTime } from "../format/time.ts";
import { Link } from "../router/router.tsx";
import { paths } from "../router/paths.ts";

function VariableList({ template }: { template: TemplateView }) {
  if (template.variables.length === 0) return <span className="muted">none</span>;
  return (
    <>
      {template.variables.map((v) => (
        <code key={v.name} className="char-chip" title={v.required ? "Required" : v.default === null ? "Optional" : `Default: ${v.default}`}>
          {v.name}{v.required ? "*" : ""}
        </code>
      ))}
    </>
  );
}

export function TemplatesPage({ workspace }: { workspace: WorkspaceView }) {
  usePageTitle(`Templates · ${workspace.name}`);
  const templates = useTemplates(workspace.workspaceId);
  const [showArchived, setShowArchived] = useState(false);
  const rows = (templates.data?.templates ?? []).filter((t) => t.archived === showArchived);

  return (
    <>
      <div className="page-head with-actions">
        <div>
          <h1>Templates</h1>
          <p className="muted">Messages with merge fields such as {"{{ first_name }}"}, rendered when a message is created.</p>
        </div>
        {workspace.canWrite && <Link className="button primary" to={paths.template(workspace.workspaceId, "new")}>New template</Link>}
      </div>
      <div className="segmented" role="group" aria-label="Which templates">
        <button type="button" aria-pressed={!showArchived} onClick={() => setShowArchived(false)}>In use</button>
        <button type="button" aria-pressed={showArchived} onClick={() => setShowArchived(true)}>Archived</button>
      </div>
      <section aria-label="Template list" className="template-list">
        <QueryNotice status={templates.status} error={templates.error} what="templates" />
        {templates.status === "success" && rows.length === 0 && (
          <p className="empty">{showArchived ? "No archived templates." : "No templates yet."}</p>
        )}
        {rows.length > 0 && (
          <div className="table-scroll">
            <table className="rows">
              <caption className="visually-hidden">{showArchived ? "Archived templates" : "Templates in use"}</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Text</th>
                  <th scope="col">Merge fields (* required)</th>
                  <th scope="col" className="numeric">Version</th>
                  <th scope="col">Changed</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((t) => (
                  <tr key={t.templateId} data-id={t.templateId}>
                    <td><Link to={paths.template(workspace.workspaceId, t.templateId)}>{t.name}</Link></td>
                    <td className="template-text">{t.body}</td>
                    <td><VariableList template={t} /></td>
                    <td className="numeric">{t.version}</td>
                    <td>
                      <time dateTime={t.updatedTime}>{formatTime(t.updatedTime, workspace.timezone)}</time>
                      <span className="muted small"> {formatRelative(t.updatedTime)}</span>
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
