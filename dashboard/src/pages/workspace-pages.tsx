// Every page below /w/<workspace>/, in one table: the shell's navigation and the router read it.
// A new page (templates, bulk, analytics…) is one more entry here.
import type { ReactNode } from "react";
import type { WorkspaceView } from "../../../supabase/functions/_shared/api-types.ts";
import type { NavEntry } from "../components/shell.tsx";
import { matchPath } from "../router/router.tsx";
import { AnalyticsPage } from "./analytics-page.tsx";
import { BatchPage } from "./batch-page.tsx";
import { BulkPage } from "./bulk-page.tsx";
import { DetailPage } from "./detail-page.tsx";
import { LimitsPage } from "./limits-page.tsx";
import { MessagesPage } from "./messages-page.tsx";
import { OptOutsPage } from "./opt-outs-page.tsx";
import { OverviewPage } from "./overview-page.tsx";
import { SchedulesPage } from "./schedules-page.tsx";
import { SettingsPage } from "./settings-page.tsx";
import { TemplateEditorPage } from "./template-editor-page.tsx";
import { TemplatesPage } from "./templates-page.tsx";

interface WorkspacePage {
  /** Below /w/<workspace>/, with :params ("messages/:id"). */
  path: string;
  /** Its label in the navigation, for top-level pages. */
  nav?: string;
  render(workspace: WorkspaceView, params: Record<string, string>): ReactNode;
}

const workspacePages: readonly WorkspacePage[] = [
  { path: "", nav: "Overview", render: (workspace) => <OverviewPage workspace={workspace} /> },
  { path: "messages", nav: "Messages", render: (workspace) => <MessagesPage workspace={workspace} /> },
  { path: "messages/:id", render: (workspace, { id = "" }) => <DetailPage key={id} workspace={workspace} id={id} /> },
  { path: "schedules", nav: "Schedules", render: (workspace) => <SchedulesPage workspace={workspace} /> },
  { path: "schedules/:id", render: (workspace, { id = "" }) => <DetailPage key={id} workspace={workspace} id={id} /> },
  { path: "bulk", nav: "Bulk send", render: (workspace) => <BulkPage workspace={workspace} /> },
  { path: "bulk/:id", render: (workspace, { id = "" }) => <BatchPage key={id} workspace={workspace} batchId={id} /> },
  { path: "templates", nav: "Templates", render: (workspace) => <TemplatesPage workspace={workspace} /> },
  { path: "analytics", nav: "Analytics", render: (workspace) => <AnalyticsPage workspace={workspace} /> },
  { path: "limits", nav: "Limits", render: (workspace) => <LimitsPage workspace={workspace} /> },
  { path: "opt-outs", nav: "Opt-outs", render: (workspace) => <OptOutsPage workspace={workspace} /> },
  { path: "settings", nav: "Settings", render: (workspace) => <SettingsPage workspace={workspace} /> },
  { path: "templates/:id", render: (workspace, { id = "" }) => <TemplateEditorPage key={id} workspace={workspace} id={id} /> },
];

export const workspaceNav: readonly NavEntry[] = workspacePages.flatMap((page) =>
  page.nav === undefined ? [] : [{ label: page.nav, section: page.path }]);

/** The page at `rest` (the path below the workspace), or null. */
export function renderWorkspacePage(rest: string, workspace: WorkspaceView): ReactNode | null {
  for (const page of workspacePages) {
    const params = matchPath(page.path, rest);
    if (params !== null) return page.render(workspace, params);
  }
  return null;
}
