// Signing in. Local stack: pick one of the seeded users (the local server mints their token, as
// `npm run token` does). Hosted: Supabase Auth, email + password or a magic link. In both, a link
// ending in #access_token=<token> signs in with that token.
import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useAuth } from "../auth/auth-context.tsx";
import { fetchLocalUsers, mintLocalToken } from "../auth/local-sign-in.ts";
import { config } from "../config.ts";
import { usePageTitle } from "../components/page-title.ts";

export function SignInPage({ notice }: { notice: string | null }) {
  usePageTitle("Sign in");
  return (
    <main id="main" className="sign-in">
      <h1>SMS scheduler</h1>
      <p className="muted">Sign in to see your workspaces' messages.</p>
      {notice !== null && <p className="notice" role="alert">{notice}</p>}
      {config.authMode === "supabase" ? <SupabaseSignIn /> : <LocalSignIn />}
    </main>
  );
}

function LocalSignIn() {
  const auth = useAuth();
  const users = useQuery({ queryKey: ["local-users"], queryFn: ({ signal }) => fetchLocalUsers(signal), retry: false });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  async function signInAs(email: string): Promise<void> {
    setBusy(email);
    setError(null);
    try {
      auth.signInWithToken(await mintLocalToken(email));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setBusy(null);
    }
  }

  if (users.isPending) return <p className="muted" role="status">Loading the local users…</p>;
  if (users.data === null || users.data === undefined || users.data.length === 0) {
    return (
      <section aria-labelledby="token-heading">
        <h2 id="token-heading">Sign in with an access token</h2>
        <p>This server offers no local sign-in. Open the dashboard with a token in the address:</p>
        <pre className="json">{`${window.location.origin}/#access_token=$(npm run -s token)`}</pre>
      </section>
    );
  }
  return (
    <section aria-labelledby="users-heading">
      <h2 id="users-heading">Local stack: choose a user</h2>
      <p className="muted small">These are the users of the local database; each gets a one-hour token, as <code>npm run token</code> prints.</p>
      {error !== null && <p className="notice error" role="alert">{error}</p>}
      <ul className="user-list">
        {users.data.map((user) => (
          <li key={user.email}>
            <button type="button" className="button user-button" disabled={busy !== null} onClick={() => void signInAs(user.email)}>
              <strong>{user.email}</strong>
              <span className="muted small">
                {user.workspaces.length === 0 ? "no workspace" : user.workspaces.map((w) => `${w.role} of ${w.name}`).join(", ")}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function SupabaseSignIn() {
  const { supabase } = useAuth();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [linkEmail, setLinkEmail] = useState("");
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  async function attempt(action: () => Promise<string | null>): Promise<void> {
    setBusy(true);
    setMessage(null);
    try {
      const done = await action();
      if (done !== null) setMessage({ error: false, text: done });
    } catch (e) {
      setMessage({ error: true, text: e instanceof Error ? e.message : String(e) });
    } finally {
      setBusy(false);
    }
  }

  if (supabase === null) return <p className="muted" role="status">Loading sign-in…</p>;
  return (
    <>
      {message !== null && <p className={message.error ? "notice error" : "notice"} role={message.error ? "alert" : "status"}>{message.text}</p>}
      <form className="stack" onSubmit={(e: FormEvent) => {
        e.preventDefault();
        void attempt(async () => {
          await supabase.signInWithPassword(email, password);
          return null; // supabase-js reports the new session (auth-context follows it)
        });
      }}>
        <h2>Email and password</h2>
        <label className="field"><span>Email</span><input type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} /></label>
        <label className="field"><span>Password</span><input type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} /></label>
        <button type="submit" className="button primary" disabled={busy}>Sign in</button>
      </form>
      <form className="stack" onSubmit={(e: FormEvent) => {
        e.preventDefault();
        void attempt(async () => {
          await supabase.sendMagicLink(linkEmail);
          return `We sent a sign-in link to ${linkEmail}. Open it in this browser.`;
        });
      }}>
        <h2>Or get a sign-in link by email</h2>
        <label className="field"><span>Email</span><input type="email" autoComplete="email" required value={linkEmail} onChange={(e) => setLinkEmail(e.target.value)} /></label>
        <button type="submit" className="button" disabled={busy}>Email me a link</button>
      </form>
    </>
  );
}
