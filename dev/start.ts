// `npm start`: the whole local stack in the foreground. Ctrl-C (or `npm stop`) shuts it down.
import { databaseUrl, devCluster } from "./local-env.ts";
import { ensureSystemPackages } from "./system-packages.ts";
import { initCluster, isRunning, startCluster, stopCluster } from "./postgres-cluster.ts";
import { setUpDatabase } from "./database-setup.ts";

ensureSystemPackages();
initCluster(devCluster);
const alreadyRunning = isRunning(devCluster);
if (!alreadyRunning) startCluster(devCluster);
const url = databaseUrl(devCluster);
// Idempotent: the CLI applies only new migrations and the seed skips existing rows.
setUpDatabase(url);

console.log(`
SMS scheduler local stack is up.
  Database  ${url}
${alreadyRunning ? "  (reused a database that was already running)\n" : ""}
Press Ctrl-C to stop.`);

let stopping = false;
function shutDown(signal: string): void {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the local stack...`);
  stopCluster(devCluster);
  console.log("Stopped.");
  process.exit(0);
}
process.on("SIGINT", () => shutDown("SIGINT"));
process.on("SIGTERM", () => shutDown("SIGTERM"));

// Stay in the foreground; notice if the database is stopped from elsewhere (`npm stop`).
setInterval(() => {
  if (!stopping && !isRunning(devCluster)) {
    console.log("The database was stopped; exiting.");
    process.exit(0);
  }
}, 2000);
