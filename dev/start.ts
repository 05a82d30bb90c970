// `npm start`: the whole local stack in the foreground. Ctrl-C (or `npm stop`) shuts it down.
import { apiPort, databaseUrl, devCluster, functionsPort, localAuth } from "./local-env.ts";
import { ensureSystemPackages } from "./system-packages.ts";
import { initCluster, isRunning, startCluster, stopCluster } from "./postgres-cluster.ts";
import { setUpDatabase } from "./database-setup.ts";
import { startFunctionsServer } from "./functions-process.ts";

ensureSystemPackages();
initCluster(devCluster);
const alreadyRunning = isRunning(devCluster);
if (!alreadyRunning) startCluster(devCluster);
const url = databaseUrl(devCluster);
// Idempotent: the CLI applies only new migrations and the seed skips existing rows.
setUpDatabase(url);

// The Edge Functions under Deno, with the variables hosted Supabase gives them.
const functions = await startFunctionsServer({
  functionsPort,
  apiPort,
  echoStderr: true,
  env: {
    SUPABASE_DB_URL: url,
    SUPABASE_URL: `http://127.0.0.1:${functionsPort}`,
    SUPABASE_JWT_SECRET: localAuth.jwtSecret,
    SUPABASE_JWT_ISSUER: localAuth.issuer,
  },
});

console.log(`
SMS scheduler local stack is up.
  Database        ${url}
${alreadyRunning ? "  (reused a database that was already running)\n" : ""}  Edge Functions  ${functions.functionsUrl}/<name>   e.g. ${functions.functionsUrl}/trigger/health
  API (spec URLs) ${functions.apiUrl}/trigger/<route>      e.g. ${functions.apiUrl}/trigger/health
  Access token    npm run -s token [-- member@demo.test]

Press Ctrl-C to stop.`);

let stopping = false;
async function shutDown(reason: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${reason}: stopping the local stack...`);
  await functions.stop();
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
    void functions.stop().then(() => process.exit(0));
  }
}, 2000);
