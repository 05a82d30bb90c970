// Vite build of the dashboard: a static single-page app (dashboard/dist) for any static host.
// Build-time settings (Vite env, from the environment or dashboard/.env*):
//   VITE_API_BASE_URL       the trigger function's URL (default /api/trigger: same origin, as `npm start` serves it)
//   VITE_AUTH_MODE          local (default: the local stack's sign-in) or supabase (Supabase Auth via supabase-js)
//   VITE_SUPABASE_URL       https://<ref>.supabase.co, required in supabase mode
//   VITE_SUPABASE_ANON_KEY  the project's anon (publishable) key, required in supabase mode
// `npm run build` (dev/dashboard-build.ts) runs this and prints the gzipped JavaScript size.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, loadEnv } from "vite";

const dashboardDir = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig(({ command, mode }) => {
  // dashboard/.env* files and the process environment (which wins), VITE_ variables only.
  const env = loadEnv(mode, dashboardDir, "VITE_");
  const authMode = env.VITE_AUTH_MODE ?? "local";
  if (authMode !== "local" && authMode !== "supabase") {
    throw new Error(`VITE_AUTH_MODE must be local or supabase, got ${JSON.stringify(authMode)}`);
  }
  if (authMode === "supabase" && (!env.VITE_SUPABASE_URL || !env.VITE_SUPABASE_ANON_KEY)) {
    throw new Error("VITE_AUTH_MODE=supabase needs VITE_SUPABASE_URL and VITE_SUPABASE_ANON_KEY");
  }
  return {
    root: dashboardDir,
    base: "/",
    // The React JSX runtime, without a plugin: no fast refresh is needed for a static build.
    oxc: { jsx: { runtime: "automatic" } },
    define: {
      // Always a literal, so the supabase-js import is dropped from local builds (dead code).
      "import.meta.env.VITE_AUTH_MODE": JSON.stringify(authMode),
      // A build gets React's production build even when NODE_ENV says otherwise.
      ...(command === "build" ? { "process.env.NODE_ENV": JSON.stringify("production") } : {}),
    },
    build: {
      outDir: "dist",
      emptyOutDir: true,
      target: "es2022",
      // Keep asset names hashed and stable: the local server caches /assets/* for a year.
      assetsDir: "assets",
      reportCompressedSize: false,
      rolldownOptions: {
        // TanStack Query marks its hooks "use client" for React Server Components; meaningless in a SPA.
        onwarn(warning, warn) {
          if (warning.code !== "MODULE_LEVEL_DIRECTIVE") warn(warning);
        },
      },
    },
    // `npx vite dashboard` for development, against a running `npm start`.
    server: {
      port: 5173,
      proxy: { "/api": "http://127.0.0.1:3000", "/__local": "http://127.0.0.1:3000" },
    },
  };
});
