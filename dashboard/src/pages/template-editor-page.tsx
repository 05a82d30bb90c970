// One template: its name, body and merge fields, with a live preview of what a message made from
// it would be (text, encoding, segments, the characters forcing UCS-2). The draft is previewed by
// the API itself (preview-message with a draft), so the editor refuses exactly what saving would.
// Viewers and archived templates get the preview without the form's actions.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import type { TemplateView, WorkspaceView } from "../../../supabase/functions/_shared/api-types.ts";
import { databaseLimits } from "../../../supabase/functions/_shared/limits.ts";
import { useApi } from "../api/api-context.tsx";
import { describeError } from "../api/api-client.ts";
import { queryKeys, usePreview, useTemplates } from "../api/queries.ts";
import { ConfirmAction } from "../components/confirm-action.tsx";
import { MessagePreview } from "../components/message-preview.tsx";
import { usePageTitle } from "../components/page-title.ts";
import { QueryNotice } from "../components/query-notice.tsx";
import { useDebounced } from "../live/use-debounced.ts";
import { Link, navigate } from "../router/router.tsx";
import { paths } from "../router/paths.ts";
import {
  createRequest, type DraftVariable, draftOf, emptyDraft, newVariable, previewRequest, type TemplateDraft, undeclaredNames, updateRequest,
} from "../templates/template-draft.ts";

/** Typing pauses this long before the preview is asked for. */
const previewDelayMs = 300;

export function TemplateEditorPage({ workspace, id }: { workspace: WorkspaceView; id: string }) {
  const isNew = id === "new";
  const templates = useTemplates(workspace.workspaceId);
  const template = templates.data?.templates.find((t) => t.templateId === id);
  usePageTitle(isNew ? "New template" : `Template ${template?.name ?? id}`);
  const breadcrumb = (
    <nav aria-label="Breadcrumb" className="breadcrumb">
      <Link to={paths.templates(workspace.workspaceId)}>Templates</Link> <span aria-hidden="true">/</span>{" "}
      <span>{isNew ? "New" : template?.name ?? id}</span>
    </nav>
  );
  if (isNew) {
    return <>{breadcrumb}<TemplateEditor workspace={workspace} template={null} /></>;
  }
  if (templates.status !== "success") {
    return <>{breadcrumb}<QueryNotice status={templates.status} error={templates.error} what="the template" /></>;
  }
  if (template === undefined) {
    return <>{breadcrumb}<p className="notice" role="alert">There is no template {id} in {workspace.name}.</p></>;
  }
  return <>{breadcrumb}<TemplateEditor key={template.templateId} workspace={workspace} template={template} /></>;
}

function TemplateEditor({ workspace, template }: { workspace: WorkspaceView; template: TemplateView | null }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<TemplateDraft>(() => (template === null ? emptyDraft() : draftOf(template)));
  const [savedVersion, setSavedVersion] = useState<number | null>(null);
  const editable = workspace.canWrite && template?.archived !== true;

  const change = (next: Partial<TemplateDraft>) => setDraft((current) => ({ ...current, ...next }));
  const changeVariable = (key: number, next: Partial<DraftVariable>) =>
    change({ variables: draft.variables.map((v) => (v.key === key ? { ...v, ...next } : v)) });

  const request = useMemo(() => previewRequest(draft), [draft]);
  const preview = usePreview(workspace.workspaceId, useDebounced(request, previewDelayMs));
  const missing = undeclaredNames(draft);

  const save = useMutation({
    mutationFn: async () => {
      if (template === null) return await api.post("create-template", createRequest(workspace.workspaceId, draft));
      const update = updateRequest(workspace.workspaceId, template, draft);
      return update === null ? template : await api.post("update-template", update);
    },
    onSuccess: (saved) => {
      setSavedVersion(saved.version);
      // The list is this page's source: show the saved template at once, then refetch.
      queryClient.setQueryData(queryKeys.templates(workspace.workspaceId), (list: { templates: TemplateView[] } | undefined) =>
        list === undefined ? list : { templates: [...list.templates.filter((t) => t.templateId !== saved.templateId), saved] });
      void queryClient.invalidateQueries({ queryKey: queryKeys.templates(workspace.workspaceId) });
      if (template === null) navigate(paths.template(workspace.workspaceId, saved.templateId), { replace: true });
    },
  });

  return (
    <>
      <div className="page-head with-actions">
        <div>
          <h1>{template === null ? "New template" : template.name}</h1>
          {template !== null && (
            <p className="muted">
              Version {template.version}{template.archived ? " · archived: no new message can use it" : ""} · <code>{template.templateId}</code>
            </p>
          )}
        </div>
        {template !== null && editable && (
          <ConfirmAction
            label="Archive template"
            title="Archive this template?"
            description={<p>No new message can use “{template.name}”, and its name becomes free. Messages already created keep their text.</p>}
            confirmLabel="Archive"
            danger
            run={() => api.post("archive-template", { workspaceId: workspace.workspaceId, templateId: template.templateId })}
            onDone={() => {
              void queryClient.invalidateQueries({ queryKey: queryKeys.templates(workspace.workspaceId) });
              navigate(paths.templates(workspace.workspaceId));
            }}
          />
        )}
      </div>
      <div className="editor">
        <form
          aria-label="Template"
          onSubmit={(event) => {
            event.preventDefault();
            save.mutate();
          }}
        >
          <fieldset disabled={!editable} className="plain-fieldset">
            <label className="field wide">
              Name
              <input value={draft.name} maxLength={databaseLimits.template_name_max_chars} required
                onChange={(e) => change({ name: e.target.value })} />
            </label>
            <label className="field wide">
              Text
              <textarea value={draft.body} rows={6} maxLength={databaseLimits.template_body_max_chars} required spellCheck
                aria-describedby="body-help" onChange={(e) => change({ body: e.target.value })} />
            </label>
            <p id="body-help" className="muted small">
              Merge fields: <code>{"{{ time }}"}</code>, <code>{"{{ first_name | default: 'there' }}"}</code>; filters upcase, downcase,
              capitalize, truncate; <code>{"{% if name %}…{% else %}…{% endif %}"}</code>.
            </p>
            {editable && missing.length > 0 && (
              <p className="small">
                Used but not declared:{" "}
                {missing.map((name) => (
                  <button key={name} type="button" className="link-button"
                    onClick={() => change({ variables: [...draft.variables, newVariable({ name })] })}>
                    declare {name}
                  </button>
                ))}
              </p>
            )}
          </fieldset>
          <VariablesTable draft={draft} editable={editable} onChange={changeVariable}
            onRemove={(key) => change({ variables: draft.variables.filter((v) => v.key !== key) })} />
          {editable && (
            <div className="form-actions">
              <button type="button" className="button" disabled={draft.variables.length >= databaseLimits.template_variables_max}
                onClick={() => change({ variables: [...draft.variables, newVariable()] })}>
                Add merge field
              </button>
              <button type="submit" className="button primary" disabled={save.isPending}>
                {save.isPending ? "Saving…" : template === null ? "Create template" : "Save as new version"}
              </button>
            </div>
          )}
          {save.isError && <p className="notice error" role="alert">{describeError(save.error)}</p>}
          {savedVersion !== null && !save.isPending && !save.isError && (
            <p className="notice" role="status">Saved: version {savedVersion}.</p>
          )}
        </form>
        <section aria-labelledby="preview-heading" className="preview-panel">
          <h2 id="preview-heading">Preview</h2>
          <div aria-live="polite">
            {request === null && <p className="muted">Write the text to see the message.</p>}
            {request !== null && preview.isError && <p className="notice error" role="alert">{describeError(preview.error)}</p>}
            {request !== null && !preview.isError && preview.data !== undefined && <MessagePreview preview={preview.data} />}
          </div>
        </section>
      </div>
    </>
  );
}

function VariablesTable({ draft, editable, onChange, onRemove }: {
  draft: TemplateDraft;
  editable: boolean;
  onChange: (key: number, next: Partial<DraftVariable>) => void;
  onRemove: (key: number) => void;
}) {
  if (draft.variables.length === 0) return <p className="muted small">No merge fields.</p>;
  return (
    <div className="table-scroll">
      <table className="rows variables">
        <caption className="visually-hidden">Merge fields</caption>
        <thead>
          <tr>
            <th scope="col">Merge field</th>
            <th scope="col">Required</th>
            <th scope="col">Default</th>
            <th scope="col">Sample value (preview only)</th>
            {editable && <th scope="col"><span className="visually-hidden">Remove</span></th>}
          </tr>
        </thead>
        <tbody>
          {draft.variables.map((v, i) => {
            const label = v.name.trim() === "" ? `merge field ${i + 1}` : v.name;
            return (
              <tr key={v.key}>
                <td>
                  <input aria-label={`Name of ${label}`} value={v.name} disabled={!editable} maxLength={64}
                    onChange={(e) => onChange(v.key, { name: e.target.value })} />
                </td>
                <td>
                  <input type="checkbox" aria-label={`${label} is required`} checked={v.required} disabled={!editable}
                    onChange={(e) => onChange(v.key, { required: e.target.checked })} />
                </td>
                <td>
                  <input aria-label={`Default of ${label}`} value={v.default} disabled={!editable}
                    maxLength={databaseLimits.template_value_max_chars} onChange={(e) => onChange(v.key, { default: e.target.value })} />
                </td>
                <td>
                  <input aria-label={`Sample value of ${label}`} value={v.sample} maxLength={databaseLimits.template_value_max_chars}
                    onChange={(e) => onChange(v.key, { sample: e.target.value })} />
                </td>
                {editable && (
                  <td>
                    <button type="button" className="link-button" aria-label={`Remove ${label}`} onClick={() => onRemove(v.key)}>Remove</button>
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
