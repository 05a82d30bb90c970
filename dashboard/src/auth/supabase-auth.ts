// Hosted sign-in: Supabase Auth through supabase-js (email + password, magic link). Imported only
// in supabase mode (a dynamic import behind a build-time constant), so local builds leave it out.
import type { SupabaseClient } from "@supabase/supabase-js";
import type { Session } from "./session.ts";

export interface SupabaseAuth {
  /** The stored session (supabase-js also completes a magic-link redirect here). */
  currentSession(): Promise<Session | null>;
  signInWithPassword(email: string, password: string): Promise<Session>;
  /** Emails a sign-in link that returns to this page. */
  sendMagicLink(email: string): Promise<void>;
  /** Called when supabase-js signs in (a magic link in another tab) or out (refresh failed). */
  onChange(listener: (session: Session | null) => void): () => void;
}

function toSession(client: SupabaseClient, email: string | undefined): Session {
  return {
    email: email ?? null,
    async accessToken() {
      const { data, error } = await client.auth.getSession();
      if (error !== null || data.session === null) throw new Error("Your session ended. Sign in again.");
      return data.session.access_token;
    },
    async signOut() {
      await client.auth.signOut();
    },
  };
}

export async function loadSupabaseAuth(url: string, anonKey: string): Promise<SupabaseAuth> {
  const { createClient } = await import("@supabase/supabase-js");
  const client = createClient(url, anonKey, {
    auth: { persistSession: true, autoRefreshToken: true, detectSessionInUrl: true },
  });
  return {
    async currentSession() {
      const { data } = await client.auth.getSession();
      return data.session === null ? null : toSession(client, data.session.user.email);
    },
    async signInWithPassword(email, password) {
      const { data, error } = await client.auth.signInWithPassword({ email, password });
      if (error !== null) throw new Error(error.message);
      return toSession(client, data.user.email);
    },
    async sendMagicLink(email) {
      const redirectTo = `${window.location.origin}${window.location.pathname}${window.location.search}`;
      const { error } = await client.auth.signInWithOtp({ email, options: { emailRedirectTo: redirectTo, shouldCreateUser: false } });
      if (error !== null) throw new Error(error.message);
    },
    onChange(listener) {
      const { data } = client.auth.onAuthStateChange((event, session) => {
        if (event === "SIGNED_OUT") listener(null);
        else if (event === "SIGNED_IN" && session !== null) listener(toSession(client, session.user.email));
      });
      return () => data.subscription.unsubscribe();
    },
  };
}
