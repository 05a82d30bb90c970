// Starts dev/functions-server.ts under the project's Deno (npm package `deno`) as a child process
// and waits until it listens. Used by `npm start` and by the API tests (with port 0: free ports).
import { spawn } from "node:child_process";
import path from "node:path";
import { projectRoot } from "./local-env.ts";

export interface FunctionsServer {
  /** e.g. http://127.0.0.1:54321/functions/v1 */
  functionsUrl: string;
  /** e.g. http://127.0.0.1:3000/api */
  apiUrl: string;
  /** e.g. http://127.0.0.1:3000/ when the dashboard is served (dashboardDir), else null. */
  dashboardUrl: string | null;
  /** Everything the server wrote to stderr so far (its 5xx log lines among it). */
  stderr(): string;
  stop(): Promise<void>;
}

export interface FunctionsServerOptions {
  functionsPort: number;
  apiPort: number;
  /** SUPABASE_DB_URL, SUPABASE_JWT_SECRET… as hosted Supabase gives its functions. */
  env: Record<string, string>;
  /** Echo the server's stderr to ours (npm start) instead of only collecting it (tests). */
  echoStderr?: boolean;
  /** A built dashboard (dashboard/dist) to serve at / on the API port. */
  dashboardDir?: string;
  /** Serve the local sign-in endpoints (/__local/users, /__local/token): npm start and tests only. */
  localSignIn?: boolean;
}

export function startFunctionsServer(options: FunctionsServerOptions): Promise<FunctionsServer> {
  const deno = path.join(projectRoot, "node_modules/.bin/deno");
  const dashboardDir = options.dashboardDir === undefined ? undefined : path.resolve(options.dashboardDir);
  const readable = [projectRoot];
  if (dashboardDir !== undefined && path.relative(projectRoot, dashboardDir).startsWith("..")) readable.push(dashboardDir);
  const child = spawn(deno, [
    "run", "--cached-only", "--no-prompt", "--allow-net", "--allow-env", `--allow-read=${readable.join(",")}`,
    "dev/functions-server.ts",
  ], {
    cwd: projectRoot,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      DENO_NO_UPDATE_CHECK: "1",
      SMS_FUNCTIONS_PORT: String(options.functionsPort),
      SMS_API_PORT: String(options.apiPort),
      ...(dashboardDir === undefined ? {} : { SMS_DASHBOARD_DIR: dashboardDir }),
      ...(options.localSignIn === true ? { SMS_LOCAL_SIGN_IN: "1" } : {}),
      ...options.env,
    },
  });
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    stderr += chunk;
    if (options.echoStderr) process.stderr.write(chunk);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  return new Promise((resolve, reject) => {
    let stdout = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk;
      const line = stdout.split("\n").find((l) => l.startsWith('{"event":"listening"'));
      if (line === undefined) return;
      const { functionsUrl, apiUrl, dashboardUrl } = JSON.parse(line) as
        { functionsUrl: string; apiUrl: string; dashboardUrl: string | null };
      resolve({
        functionsUrl,
        apiUrl,
        dashboardUrl,
        stderr: () => stderr,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
          await exited;
        },
      });
    });
    child.once("exit", (code) => reject(new Error(`the functions server exited (code ${String(code)}) before listening:\n${stderr}`)));
    child.once("error", reject);
  });
}
