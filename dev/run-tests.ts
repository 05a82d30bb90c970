// `npm test`: a fresh database, then the pgTAP suite (pg_prove) and the vitest suite against it.
// Ends with one line "N passed, M failed" over both suites.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { projectRoot, testCluster, dbUser, dbPassword, dbName } from "./local-env.ts";
import { createTestDatabase, removeTestDatabase } from "./test-database.ts";

interface Counts { passed: number; failed: number }

/** pg_prove's summary: "Files=13, Tests=583" and, on failure, "Failed 2/40 subtests" per file. */
function pgTapCounts(output: string, exitCode: number | null): Counts {
  const total = Number(/Tests=(\d+)/.exec(output)?.[1] ?? 0);
  const failed = [...output.matchAll(/Failed (\d+)\/\d+ subtests/g)].reduce((n, m) => n + Number(m[1]), 0);
  // A file that died before its plan counts as one failure, so a broken run never reads as green.
  return { passed: total - failed, failed: failed === 0 && exitCode !== 0 ? 1 : failed };
}

function vitestCounts(reportFile: string, exitCode: number | null): Counts {
  try {
    const report = JSON.parse(readFileSync(reportFile, "utf8")) as { numPassedTests: number; numFailedTests: number };
    return { passed: report.numPassedTests, failed: report.numFailedTests || (exitCode === 0 ? 0 : 1) };
  } catch {
    return { passed: 0, failed: 1 };
  }
}

const started = Date.now();
const url = createTestDatabase();
const counts: Counts = { passed: 0, failed: 0 };
const add = (c: Counts): void => { counts.passed += c.passed; counts.failed += c.failed; };
try {
  const pgTapDir = path.join(projectRoot, "supabase/tests/database");
  const files = readdirSync(pgTapDir).filter((f) => f.endsWith(".sql")).sort()
    .map((f) => path.join(pgTapDir, f));
  console.log(`\n== pgTAP (${files.length} files) ==`);
  const prove = spawnSync("pg_prove", [
    "--host", "127.0.0.1", "--port", String(testCluster.port), "--dbname", dbName,
    "--username", dbUser, "--failures", "--timer", ...files,
  ], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, PGPASSWORD: dbPassword, PGOPTIONS: "-c search_path=public,extensions -c client_min_messages=warning" },
  });
  process.stdout.write(prove.stdout);
  add(pgTapCounts(prove.stdout, prove.status));

  console.log("\n== vitest ==");
  const reportDir = path.join(projectRoot, ".tmp");
  mkdirSync(reportDir, { recursive: true });
  const reportFile = path.join(reportDir, `vitest-report-${testCluster.port}.json`);
  rmSync(reportFile, { force: true });
  const vitest = spawnSync(path.join(projectRoot, "node_modules/.bin/vitest"),
    ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${reportFile}`, ...process.argv.slice(2)],
    { stdio: "inherit", env: { ...process.env, DATABASE_URL: url } });
  add(vitestCounts(reportFile, vitest.status));
} finally {
  removeTestDatabase();
}
console.log(`\nTest command finished in ${((Date.now() - started) / 1000).toFixed(1)} s (pgTAP and vitest together):`);
console.log(`${counts.passed} passed, ${counts.failed} failed`);
process.exit(counts.failed > 0 ? 1 : 0);
