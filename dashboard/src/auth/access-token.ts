// Bare access tokens: one opened with http://…/#access_token=<token> or minted by the local sign-in.
// Kept in localStorage until they expire; nothing refreshes them (sign in again).
import type { Session } from "./session.ts";

const storageKey = "sms-dashboard:access-token";

export interface TokenClaims {
  sub?: string;
  email?: string;
  role?: string;
  /** Expiry, in seconds since the epoch. */
  exp?: number;
}

/** The token's payload, unverified (the API verifies it); null when it is not a JWT. */
export function decodeTokenClaims(token: string): TokenClaims | null {
  const payload = token.split(".")[1];
  if (payload === undefined) return null;
  try {
    const base64 = payload.replaceAll("-", "+").replaceAll("_", "/");
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof claims === "object" && claims !== null ? claims as TokenClaims : null;
  } catch {
    return null;
  }
}

/** Milliseconds until the token expires (0 when expired or unreadable; Infinity without exp). */
export function tokenLifetimeMs(token: string, now = Date.now()): number {
  const claims = decodeTokenClaims(token);
  if (claims === null) return 0;
  if (claims.exp === undefined) return Number.POSITIVE_INFINITY;
  return Math.max(0, claims.exp * 1000 - now);
}

/**
 * Takes `#access_token=…` from the address and removes the fragment at once (history.replaceState),
 * so the token is not left in the address bar, history entry or a copied link. A Supabase Auth
 * redirect (its fragment carries a refresh_token too) is left for supabase-js to read.
 */
export function takeTokenFromFragment(location: Location, history: History): string | null {
  if (!location.hash.startsWith("#")) return null;
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get("access_token");
  if (token === null || token === "" || params.has("refresh_token")) return null;
  history.replaceState(history.state, "", `${location.pathname}${location.search}`);
  return token;
}

export const tokenStore = {
  read(): string | null {
    try {
      return localStorage.getItem(storageKey);
    } catch {
      return null;
    }
  },
  write(token: string): void {
    localStorage.setItem(storageKey, token);
  },
  clear(): void {
    localStorage.removeItem(storageKey);
  },
};

/** A session over a bare token. */
export function tokenSession(token: string): Session {
  return {
    email: decodeTokenClaims(token)?.email ?? null,
    accessToken: () => Promise.resolve(token),
    signOut: () => {
      tokenStore.clear();
      return Promise.resolve();
    },
  };
}
