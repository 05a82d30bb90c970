// The frame every page sits in: navigation (from the page registry), the workspace switcher, the
// live-update interval, who is signed in and sign-out. Pages added later appear in the navigation
// by their entry in pages/workspace-pages.tsx.
import { useEffect, useRef, type ReactNode } from "react";
import type { WorkspaceView } from "../../../supabase/functions/_shared/api-types.ts";
import { RefreshIntervalSelect } from "../live/refresh-interval.tsx";
import { Link, useLocation } from "../router/router.tsx";
import { paths, splitWorkspacePath } from "../router/paths.ts";
import { WorkspaceSwitcher } from "./workspace-switcher.tsx";

export interface NavEntry {
  label: string;
  /** The section below /w/<workspace>: "" for the overview, "messages"… */
  section: string;
}

interface ShellProps {
  nav: readonly NavEntry[];
  workspaces: readonly WorkspaceView[];
  workspace: WorkspaceView | null;
  email: string | null;
  onSignOut: () => void;
  children: ReactNode;
}

export function Shell({ nav, workspaces, workspace, email, onSignOut, children }: ShellProps) {
  const { pathname } = useLocation();
  const section = splitWorkspacePath(pathname)?.rest.split("/")[0] ?? "";
  const main = useRef<HTMLElement>(null);
  const previousPath = useRef(pathname);

  // After moving to another page, start reading (and tabbing) at its content, as a page load would.
  useEffect(() => {
    if (previousPath.current === pathname) return;
    previousPath.current = pathname;
    main.current?.focus({ preventScroll: true });
  }, [pathname]);

  return (
    <div className="app">
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="app-header">
        <div className="brand">SMS scheduler</div>
        {workspace !== null && (
          <nav aria-label="Sections">
            <ul>
              {nav.map((entry) => {
                const to = entry.section === "" ? paths.overview(workspace.workspaceId) : `${paths.overview(workspace.workspaceId)}/${entry.section}`;
                return (
                  <li key={entry.section}>
                    <Link to={to} aria-current={entry.section === section ? "page" : undefined}>{entry.label}</Link>
                  </li>
                );
              })}
            </ul>
          </nav>
        )}
        <div className="toolbar">
          <WorkspaceSwitcher workspaces={workspaces} current={workspace} section={section} />
          <RefreshIntervalSelect />
          <span className="toolbar-field who">
            <span>Signed in</span>
            <strong>{email ?? "(no email)"}{workspace?.role ? ` · ${workspace.role}` : ""}</strong>
          </span>
          <button type="button" className="button" onClick={onSignOut}>Sign out</button>
        </div>
      </header>
      {workspace !== null && !workspace.canWrite && (
        <p className="read-only-note">Read only: as a {workspace.role ?? "reader"} of {workspace.name} you can see everything but change nothing.</p>
      )}
      <main id="main" ref={main} tabIndex={-1}>{children}</main>
    </div>
  );
}
