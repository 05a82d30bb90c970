// The whole local stack for end-to-end tests: the real test database, the real Deno functions
// server (API + twilio-status), the Twilio simulator, and local runners (in-process or as child
// processes that can be killed). Everything listens on free loopback ports.
import { spawn, type ChildProcess } from "node:child_process";
import { startFunctionsServer, type FunctionsServer } from "../../dev/functions-process.ts";
import { localAuth, projectRoot } from "../../dev/local-env.ts";
import { startTwilioSimulator, type RunningTwilioSimulator } from "../../dev/twilio-simulator/start-twilio-simulator.ts";
import type { SimulatorConfigPatch } from "../../dev/twilio-simulator/simulator-config.ts";
import { createDeliveryDeps } from "../../delivery/delivery-deps.ts";
import { deliveryLimits } from "../../delivery/limits.ts";
import { LocalRunner, type LocalRunnerOptions } from "../../delivery/local-runner.ts";
import { createTwilioSender } from "../../delivery/twilio/sender.ts";
import type { DeliveryResult } from "../../delivery/types.ts";
import { connect, databaseUrl, type Sql } from "./database.ts";

export interface InProcessRunner {
  results: DeliveryResult[];
  errors: unknown[];
  stop(): Promise<void>;
}

export interface ChildRunner {
  process: ChildProcess;
  output(): string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** An API answer; bodies are checked field by field by the tests. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each test asserts the fields it reads
export interface ApiAnswer { status: number; json: any }

export interface LocalStack {
  sql: Sql;
  /** Calls the trigger function over HTTP with a bearer token. */
  api(token: string, method: "GET" | "POST", route: string, body?: unknown): Promise<ApiAnswer>;
  simulator: RunningTwilioSimulator;
  functions: FunctionsServer;
  statusCallbackUrl: string;
  startRunner(options?: Partial<LocalRunnerOptions>): Promise<InProcessRunner>;
  startRunnerProcess(env?: Record<string, string>): Promise<ChildRunner>;
  stop(): Promise<void>;
}

export interface LocalStackOptions {
  /** A built dashboard to serve at / on the API port (tests/dashboard). */
  dashboardDir?: string;
  /** The local sign-in endpoints the dashboard's sign-in page uses. */
  localSignIn?: boolean;
}

export async function startLocalStack(simulatorConfig: SimulatorConfigPatch = {}, options: LocalStackOptions = {}): Promise<LocalStack> {
  const sql = connect({ max: 8 });
  const accounts = Object.fromEntries((await sql<{ account_sid: string; auth_token: string }[]>`
    select account_sid, auth_token from private.twilio_credentials`).map((r) => [r.account_sid, r.auth_token]));
  const simulator = await startTwilioSimulator({ accounts, config: simulatorConfig });
  const functions = await startFunctionsServer({
    functionsPort: 0,
    apiPort: 0,
    env: { SUPABASE_DB_URL: databaseUrl(), SUPABASE_JWT_SECRET: localAuth.jwtSecret },
    ...options,
  });
  const statusCallbackUrl = `${functions.functionsUrl}/twilio-status`;
  const runners: InProcessRunner[] = [];
  const children: ChildRunner[] = [];

  return {
    sql,
    simulator,
    functions,
    statusCallbackUrl,
    async api(token, method, route, body) {
      const response = await fetch(`${functions.functionsUrl}/trigger/${route}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, json: await response.json() };
    },
    async startRunner(options = {}) {
      const results: DeliveryResult[] = [];
      const errors: unknown[] = [];
      const { sql: runnerSql, deps } = createDeliveryDeps({
        databaseUrl: databaseUrl(),
        workerId: `test-runner-${runners.length + 1}-${Date.now()}`,
        statusCallbackUrl,
        sender: createTwilioSender({ apiBaseUrl: simulator.url, timeoutMs: 5_000 }),
        batchCompletions: true,
      });
      const runner = new LocalRunner(runnerSql, deps, {
        claimBatch: 50, claimLookaheadMs: deliveryLimits.runner_claim_lookahead_ms, concurrency: 50, leaseSeconds: 30, maxIdleMs: 1_000, shutdownGraceMs: 5_000,
        onResult: (r) => results.push(r),
        onError: (e) => errors.push(e),
        ...options,
      });
      await runner.start();
      const handle: InProcessRunner = {
        results,
        errors,
        async stop() {
          await runner.stop();
          await runnerSql.end({ timeout: 5 });
        },
      };
      runners.push(handle);
      return handle;
    },
    async startRunnerProcess(env = {}) {
      // node itself, not the tsx CLI: the CLI runs the script in a grandchild that SIGKILL would orphan.
      const child = spawn(process.execPath, ["--import", "tsx", "delivery/local-runner-main.ts"], {
        cwd: projectRoot,
        stdio: ["ignore", "pipe", "pipe"],
        env: {
          ...process.env,
          DATABASE_URL: databaseUrl(),
          TWILIO_API_BASE_URL: simulator.url,
          STATUS_CALLBACK_URL: statusCallbackUrl,
          ...env,
        },
      });
      let output = "";
      child.stdout?.on("data", (chunk: Buffer) => { output += chunk.toString(); });
      child.stderr?.on("data", (chunk: Buffer) => { output += chunk.toString(); });
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`runner did not start:\n${output}`)), 20_000);
        child.stdout?.on("data", () => {
          if (output.includes("started")) { clearTimeout(timer); resolve(); }
        });
        child.once("exit", () => { clearTimeout(timer); reject(new Error(`runner exited:\n${output}`)); });
      });
      const handle: ChildRunner = {
        process: child,
        output: () => output,
        async kill(signal) {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          await exited;
        },
      };
      children.push(handle);
      return handle;
    },
    async stop() {
      await Promise.allSettled(children.map((c) => c.kill("SIGKILL")));
      await Promise.allSettled(runners.map((r) => r.stop()));
      await functions.stop();
      await simulator.stop();
      await sql.end({ timeout: 5 });
    },
  };
}

/** Polls until `check` returns a value (not undefined) or the timeout passes. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000,
  intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
