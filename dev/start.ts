// `npm start`: the whole local stack in the foreground. Ctrl-C (or `npm stop`) shuts it down.
import { spawn } from "node:child_process";
import postgres from "postgres";
import { apiPort, databaseUrl, devCluster, functionsPort, localAuth, projectRoot, twilioSimulatorPort } from "./local-env.ts";
import { ensureSystemPackages } from "./system-packages.ts";
import { initCluster, isRunning, startCluster, stopCluster } from "./postgres-cluster.ts";
import { setUpDatabase } from "./database-setup.ts";
import { buildDashboard, dashboardDistDir } from "./dashboard-build.ts";
import { startFunctionsServer } from "./functions-process.ts";
import { startTwilioSimulator } from "./twilio-simulator/start-twilio-simulator.ts";

ensureSystemPackages();
initCluster(devCluster);
const alreadyRunning = isRunning(devCluster);
if (!alreadyRunning) startCluster(devCluster);
const url = databaseUrl(devCluster);
// Idempotent: the CLI applies only new migrations and the seed skips existing rows.
setUpDatabase(url);

// The dashboard is a static build (as hosted); the functions server below serves it at / next to
// /api/trigger/*, with the local sign-in endpoints its sign-in page uses.
await buildDashboard();

// The Edge Functions under Deno, with the variables hosted Supabase gives them.
const functions = await startFunctionsServer({
  functionsPort,
  apiPort,
  echoStderr: true,
  dashboardDir: dashboardDistDir,
  localSignIn: true,
  env: {
    SUPABASE_DB_URL: url,
    SUPABASE_URL: `http://127.0.0.1:${functionsPort}`,
    SUPABASE_JWT_SECRET: localAuth.jwtSecret,
    SUPABASE_JWT_ISSUER: localAuth.issuer,
  },
});

// The Twilio simulator knows every workspace's (simulator) credentials from the database.
const sql = postgres(url, { max: 1, onnotice: () => undefined });
const accounts = Object.fromEntries((await sql<{ account_sid: string; auth_token: string }[]>`
  select account_sid, auth_token from private.twilio_credentials`).map((r) => [r.account_sid, r.auth_token]));
await sql.end();
const simulator = await startTwilioSimulator({ accounts, port: twilioSimulatorPort });

// One local runner (more: `npm run worker` in another terminal). TWILIO_API_BASE_URL=https://api.twilio.com
// sends through real Twilio with the workspaces' real credentials instead.
const twilioApi = process.env.TWILIO_API_BASE_URL ?? simulator.url;
const runner = spawn(process.execPath, ["--import", "tsx", "delivery/local-runner-main.ts"], {
  cwd: projectRoot,
  stdio: ["ignore", "inherit", "inherit"],
  env: {
    ...process.env,
    DATABASE_URL: url,
    TWILIO_API_BASE_URL: twilioApi,
    STATUS_CALLBACK_URL: `${functions.functionsUrl}/twilio-status`,
  },
});
const runnerExited = new Promise<void>((resolve) => runner.once("exit", () => resolve()));

console.log(`
SMS scheduler local stack is up.
  Dashboard       http://localhost:${apiPort}/   (sign in as a seeded user, e.g. owner@demo.test)
  Database        ${url}
${alreadyRunning ? "  (reused a database that was already running)\n" : ""}  Edge Functions  ${functions.functionsUrl}/<name>   e.g. ${functions.functionsUrl}/trigger/health
  API (spec URLs) ${functions.apiUrl}/trigger/<route>      e.g. ${functions.apiUrl}/trigger/health
  Access token    npm run -s token [-- member@demo.test]
  Twilio          ${twilioApi === simulator.url ? `simulator ${simulator.url} (what it received: ${simulator.url}/__simulator/messages)` : twilioApi}
  Runner          1 local runner (add more with npm run worker)

Press Ctrl-C to stop.`);

let stopping = false;
async function shutDown(reason: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${reason}: stopping the local stack...`);
  if (runner.exitCode === null) runner.kill("SIGTERM");
  await runnerExited;
  await functions.stop();
  await simulator.stop();
  stopCluster(devCluster);
  console.log("Stopped.");
  process.exit(0);
}
process.on("SIGINT", () => void shutDown("SIGINT"));
process.on("SIGTERM", () => void shutDown("SIGTERM"));

// Stay in the foreground; notice if the database is stopped from elsewhere (`npm stop`).
setInterval(() => {
  if (!stopping && !isRunning(devCluster)) {
    console.log("The database was stopped; exiting.");
    void shutDown("database stopped");
  }
}, 2000);
