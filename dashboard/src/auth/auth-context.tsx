// Who is signed in. A bare token (from the local sign-in or #access_token) wins over a Supabase
// session; it signs out when it expires. In supabase mode supabase-js is loaded on demand and
// keeps (and refreshes) its own session.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { config } from "../config.ts";
import { tokenLifetimeMs, tokenSession, tokenStore } from "./access-token.ts";
import type { Session } from "./session.ts";
import type { SupabaseAuth } from "./supabase-auth.ts";

export type AuthState =
  | { status: "starting" }
  | { status: "signed-out"; notice: string | null }
  | { status: "signed-in"; session: Session; expiresInMs: number };

export interface Auth {
  state: AuthState;
  /** Signs in with a bare access token (local sign-in). */
  signInWithToken(token: string): void;
  signOut(notice?: string): void;
  /** supabase mode: supabase-js once loaded; null in local mode. */
  supabase: SupabaseAuth | null;
}

export const expiredNotice = "Your session expired. Sign in again.";
const supabaseMode = import.meta.env.VITE_AUTH_MODE === "supabase";

function stateFromStoredToken(): AuthState {
  const token = tokenStore.read();
  if (token !== null) {
    const expiresInMs = tokenLifetimeMs(token);
    if (expiresInMs > 0) return { status: "signed-in", session: tokenSession(token), expiresInMs };
    tokenStore.clear();
    if (!supabaseMode) return { status: "signed-out", notice: expiredNotice };
  }
  return supabaseMode ? { status: "starting" } : { status: "signed-out", notice: null };
}

async function loadSupabase(): Promise<SupabaseAuth> {
  const { loadSupabaseAuth } = await import("./supabase-auth.ts");
  return await loadSupabaseAuth(config.supabaseUrl, config.supabaseAnonKey);
}

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<AuthState>(stateFromStoredToken);
  const [supabase, setSupabase] = useState<SupabaseAuth | null>(null);
  // The state as of the last render, for callbacks and the async supabase start-up.
  const current = useRef(state);
  useEffect(() => {
    current.current = state;
  }, [state]);

  const signOut = useCallback((notice?: string) => {
    const was = current.current;
    if (was.status === "signed-in") void was.session.signOut();
    setState({ status: "signed-out", notice: notice ?? null });
  }, []);

  const signInWithToken = useCallback((token: string) => {
    tokenStore.write(token);
    setState({ status: "signed-in", session: tokenSession(token), expiresInMs: tokenLifetimeMs(token) });
  }, []);

  // supabase mode: load supabase-js (a separate chunk), restore its session, follow its changes.
  useEffect(() => {
    if (!supabaseMode) return;
    let unsubscribe = (): void => {};
    let cancelled = false;
    void loadSupabase().then(async (auth) => {
      if (cancelled) return;
      setSupabase(auth);
      unsubscribe = auth.onChange((session) => {
        if (tokenStore.read() !== null) return; // a bare token is in charge
        // supabase-js repeats SIGNED_IN (tab focus, other tabs): the same user keeps the same session.
        const was = current.current;
        if (session !== null && was.status === "signed-in" && was.session.email === session.email) return;
        setState(session === null
          ? { status: "signed-out", notice: null }
          : { status: "signed-in", session, expiresInMs: Number.POSITIVE_INFINITY });
      });
      if (current.current.status !== "starting") return;
      const session = await auth.currentSession();
      setState(session === null
        ? { status: "signed-out", notice: null }
        : { status: "signed-in", session, expiresInMs: Number.POSITIVE_INFINITY });
    }, (error: unknown) => {
      setState({ status: "signed-out", notice: `Supabase Auth could not be loaded: ${String(error)}` });
    });
    return () => {
      cancelled = true;
      unsubscribe();
    };
  }, []);

  // A bare token cannot be refreshed: sign out when it expires rather than fail every request.
  useEffect(() => {
    if (state.status !== "signed-in" || !Number.isFinite(state.expiresInMs)) return;
    const timer = setTimeout(() => signOut(expiredNotice), Math.min(state.expiresInMs, 2 ** 31 - 1));
    return () => clearTimeout(timer);
  }, [state, signOut]);

  const auth = useMemo<Auth>(() => ({ state, signInWithToken, signOut, supabase }), [state, signInWithToken, signOut, supabase]);
  return <AuthContext.Provider value={auth}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (auth === null) throw new Error("useAuth outside AuthProvider");
  return auth;
}
