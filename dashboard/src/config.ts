// Build-time configuration (Vite replaces import.meta.env.* when building), read once here.
export type AuthMode = "local" | "supabase";

export interface DashboardConfig {
  /** The trigger function: /api/trigger locally (same origin), https://<ref>.supabase.co/functions/v1/trigger hosted. */
  apiBaseUrl: string;
  /** local: the local stack's sign-in endpoints; supabase: Supabase Auth through supabase-js. */
  authMode: AuthMode;
  supabaseUrl: string;
  supabaseAnonKey: string;
  /** The local stack's sign-in endpoints (dev/local-sign-in.ts), same origin. */
  localSignInUrl: string;
}

export const config: DashboardConfig = {
  apiBaseUrl: (import.meta.env.VITE_API_BASE_URL || "/api/trigger").replace(/\/+$/, ""),
  authMode: import.meta.env.VITE_AUTH_MODE === "supabase" ? "supabase" : "local",
  supabaseUrl: import.meta.env.VITE_SUPABASE_URL ?? "",
  supabaseAnonKey: import.meta.env.VITE_SUPABASE_ANON_KEY ?? "",
  localSignInUrl: "/__local",
};
