// The app: providers, then sign-in or the signed-in shell with the page the address names.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode, useCallback, useEffect, useState, type ReactNode } from "react";
import { ApiError, describeError } from "./api/api-client.ts";
import { ApiProvider } from "./api/api-context.tsx";
import { useWorkspaces } from "./api/queries.ts";
import { AuthProvider, useAuth } from "./auth/auth-context.tsx";
import type { Session } from "./auth/session.ts";
import { Shell } from "./components/shell.tsx";
import { RefreshIntervalProvider } from "./live/refresh-interval.tsx";
import { NotFoundPage } from "./pages/not-found-page.tsx";
import { SignInPage } from "./pages/sign-in-page.tsx";
import { renderWorkspacePage, workspaceNav } from "./pages/workspace-pages.tsx";
import { navigate, useLocation } from "./router/router.tsx";
import { paths, splitWorkspacePath } from "./router/paths.ts";

const lastWorkspaceKey = "sms-dashboard:workspace";

function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // A refusal (4xx) will not change by asking again; a network or server error might.
        retry: (failures, error) => failures < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
      },
    },
  });
}

export function Dashboard() {
  return (
    <StrictMode>
      <AuthProvider>
        <QueryClientPerSession>
          <RefreshIntervalProvider>
            <App />
          </RefreshIntervalProvider>
        </QueryClientPerSession>
      </AuthProvider>
    </StrictMode>
  );
}

/**
 * A new query cache for each session (and for signed-out): the next user never sees the previous
 * one's answers. The old cache's polls stop as its components unmount (each poll belongs to a
 * mounted query observer), and the cache is then garbage.
 */
function QueryClientPerSession({ children }: { children: ReactNode }) {
  const { state } = useAuth();
  const session = state.status === "signed-in" ? state.session : null;
  const [scope, setScope] = useState(() => ({ session, client: createQueryClient() }));
  if (scope.session !== session) setScope({ session, client: createQueryClient() });
  return <QueryClientProvider client={scope.client}>{children}</QueryClientProvider>;
}

function App() {
  const { state, signOut } = useAuth();
  const refused = useCallback(() => signOut("The API no longer accepts your access token (expired or revoked). Sign in again."), [signOut]);

  if (state.status === "starting") return <main id="main"><p className="muted" role="status">Loading…</p></main>;
  if (state.status === "signed-out") return <SignInPage notice={state.notice} />;
  return (
    <ApiProvider session={state.session} onUnauthorized={refused}>
      <SignedIn session={state.session} onSignOut={() => signOut()} />
    </ApiProvider>
  );
}

function SignedIn({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const { pathname } = useLocation();
  const workspaces = useWorkspaces();
  const list = workspaces.data?.workspaces;
  const place = splitWorkspacePath(pathname);
  const workspace = list?.find((w) => w.workspaceId === place?.workspaceId) ?? null;

  // "/" opens the workspace used last (or the first).
  useEffect(() => {
    if (pathname !== "/" || list === undefined || list.length === 0) return;
    const last = localStorage.getItem(lastWorkspaceKey);
    const target = list.find((w) => w.workspaceId === last) ?? list[0];
    if (target !== undefined) navigate(paths.overview(target.workspaceId), { replace: true });
  }, [pathname, list]);

  useEffect(() => {
    if (workspace !== null) localStorage.setItem(lastWorkspaceKey, workspace.workspaceId);
  }, [workspace]);

  if (list === undefined) {
    return (
      <main id="main">
        {workspaces.isError
          ? <>
            <p className="notice error" role="alert">Could not load your workspaces: {describeError(workspaces.error)}</p>
            <button type="button" className="button" onClick={onSignOut}>Sign out</button>
          </>
          : <p className="muted" role="status">Loading your workspaces…</p>}
      </main>
    );
  }

  let page;
  if (list.length === 0) {
    page = <NotFoundPage message={`${session.email ?? "This account"} is not a member of any workspace yet.`} />;
  } else if (pathname === "/") {
    page = <p className="muted" role="status">Opening your workspace…</p>;
  } else if (place === null) {
    page = <NotFoundPage message={`Nothing lives at ${pathname}.`} />;
  } else if (workspace === null) {
    page = <NotFoundPage message={`You are not a member of a workspace "${place.workspaceId}".`} />;
  } else {
    page = renderWorkspacePage(place.rest, workspace) ?? <NotFoundPage message={`Nothing lives at ${pathname}.`} />;
  }
  return (
    <Shell nav={workspaceNav} workspaces={list} workspace={workspace} email={session.email} onSignOut={onSignOut}>
      {page}
    </Shell>
  );
}
