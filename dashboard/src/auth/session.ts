// What the rest of the app knows of a signed-in user: who, a token for the API, how to leave.
export interface Session {
  email: string | null;
  /** A current access token for the API (a Supabase session refreshes its own). */
  accessToken(): Promise<string>;
  signOut(): Promise<void>;
}
