// `npm test`: a fresh database, then the pgTAP suite (pg_prove) and the vitest suite against it.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { projectRoot, testCluster, dbUser, dbPassword, dbName } from "./local-env.ts";
import { createTestDatabase, removeTestDatabase } from "./test-database.ts";

const started = Date.now();
const url = createTestDatabase();
let failed = false;
try {
  const pgTapDir = path.join(projectRoot, "supabase/tests/database");
  const files = readdirSync(pgTapDir).filter((f) => f.endsWith(".sql")).sort()
    .map((f) => path.join(pgTapDir, f));
  console.log(`\n== pgTAP (${files.length} files) ==`);
  const prove = spawnSync("pg_prove", [
    "--host", "127.0.0.1", "--port", String(testCluster.port), "--dbname", dbName,
    "--username", dbUser, "--failures", "--timer", ...files,
  ], { stdio: "inherit", env: { ...process.env, PGPASSWORD: dbPassword, PGOPTIONS: "-c search_path=public,extensions -c client_min_messages=warning" } });
  if (prove.status !== 0) failed = true;

  console.log("\n== vitest ==");
  const vitest = spawnSync(path.join(projectRoot, "node_modules/.bin/vitest"),
    ["run", ...process.argv.slice(2)],
    { stdio: "inherit", env: { ...process.env, DATABASE_URL: url } });
  if (vitest.status !== 0) failed = true;
} finally {
  removeTestDatabase();
}
console.log(`\nTest command finished in ${((Date.now() - started) / 1000).toFixed(1)} s: ${failed ? "FAILED" : "all suites passed"}`);
process.exit(failed ? 1 : 0);
