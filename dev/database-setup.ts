// Brings a running cluster to the project's schema: compatibility bootstrap, then the migrations
// through the pinned supabase CLI (exactly as against hosted Supabase), then the seed.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { projectRoot } from "./local-env.ts";

const psql = "/usr/lib/postgresql/15/bin/psql";

function check(what: string, result: ReturnType<typeof spawnSync>): void {
  if (result.status !== 0) {
    throw new Error(`${what} failed (exit ${String(result.status)}):\n${String(result.stdout ?? "")}${String(result.stderr ?? "")}`);
  }
}

export function runSqlFile(databaseUrl: string, file: string): void {
  check(`psql ${path.relative(projectRoot, file)}`, spawnSync(psql, [
    databaseUrl, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", file,
  ], { encoding: "utf8", env: { ...process.env, PGOPTIONS: "-c client_min_messages=warning" } }));
}

export function runSql(databaseUrl: string, sql: string): void {
  check(`psql -c ${sql}`, spawnSync(psql, [databaseUrl, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
    { encoding: "utf8", env: { ...process.env, PGOPTIONS: "-c client_min_messages=warning" } }));
}

export function applyBootstrap(databaseUrl: string): void {
  runSqlFile(databaseUrl, path.join(projectRoot, "dev/supabase-compat/bootstrap.sql"));
}

export function applyMigrations(databaseUrl: string): void {
  const cli = path.join(projectRoot, "node_modules/.bin/supabase");
  // A local database built before the migrations were consolidated (architecture pass) has a
  // migration history this checkout does not know: it can only be rebuilt.
  check("supabase db push (if the local database predates these migrations, run `npm run db:reset`)", spawnSync(cli, [
    "db", "push", "--db-url", `${databaseUrl}?sslmode=disable`, "--yes",
  ], { cwd: projectRoot, encoding: "utf8", env: { ...process.env, DO_NOT_TRACK: "1", SUPABASE_TELEMETRY_DISABLED: "1" } }));
}

export function applySeed(databaseUrl: string): void {
  runSqlFile(databaseUrl, path.join(projectRoot, "supabase/seed.sql"));
}

export function setUpDatabase(databaseUrl: string): void {
  applyBootstrap(databaseUrl);
  applyMigrations(databaseUrl);
  applySeed(databaseUrl);
}
