// A project-owned PostgreSQL 15 cluster with pg_cron, run as a non-root OS user.
import { chownSync, existsSync, mkdirSync, rmSync, writeFileSync, appendFileSync } from "node:fs";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { createHash } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { type ClusterConfig, dbName, dbPassword, dbUser, projectRoot } from "./local-env.ts";
import { isRoot, pgBinDir } from "./system-packages.ts";

/** postgres refuses to run as root; as root we run it as Debian's `postgres` OS user. */
const serverOsUser = "postgres";

function osUserIds(user: string): { uid: number; gid: number } {
  const out = spawnSync("id", ["-u", user], { encoding: "utf8" });
  const outG = spawnSync("id", ["-g", user], { encoding: "utf8" });
  if (out.status !== 0 || outG.status !== 0) {
    throw new Error(`OS user ${user} does not exist (the postgresql-15 package creates it)`);
  }
  return { uid: Number(out.stdout.trim()), gid: Number(outG.stdout.trim()) };
}

function runAsServerUser(cmd: string, args: string[], quiet = false): SpawnSyncReturns<string> {
  const [file, argv] = isRoot()
    ? ["runuser", ["-u", serverOsUser, "--", cmd, ...args]]
    : [cmd, args];
  return spawnSync(file, argv, {
    encoding: "utf8",
    stdio: quiet ? "pipe" : ["ignore", "inherit", "inherit"],
    cwd: os.tmpdir(),
  });
}

function serverUserCanReach(dir: string): boolean {
  if (!isRoot()) return true;
  return runAsServerUser("test", ["-x", dir, "-a", "-w", dir], true).status === 0;
}

export interface ClusterPaths {
  baseDir: string;
  dataDir: string;
  logFile: string;
}

/**
 * The cluster lives in .local/<name> inside the project. If the server's OS user cannot reach the
 * project (a checkout under /root, say), it lives in that user's home instead, one folder per project.
 */
export function clusterPaths(cluster: ClusterConfig): ClusterPaths {
  const localDir = path.join(projectRoot, ".local");
  mkdirSync(localDir, { recursive: true });
  let baseDir = path.join(localDir, cluster.name);
  if (isRoot()) {
    mkdirSync(baseDir, { recursive: true });
    const { uid, gid } = osUserIds(serverOsUser);
    chownSync(baseDir, uid, gid);
    if (!serverUserCanReach(baseDir)) {
      const tag = createHash("sha256").update(projectRoot).digest("hex").slice(0, 12);
      baseDir = path.join("/var/lib/postgresql/sms-scheduler", tag, cluster.name);
      mkdirSync(baseDir, { recursive: true });
      chownSync(path.dirname(path.dirname(baseDir)), uid, gid);
      chownSync(path.dirname(baseDir), uid, gid);
      chownSync(baseDir, uid, gid);
    }
  }
  return { baseDir, dataDir: path.join(baseDir, "data"), logFile: path.join(baseDir, "postgres.log") };
}

function serverConfig(cluster: ClusterConfig): string {
  const lines = [
    "# Added by dev/postgres-cluster.ts",
    "listen_addresses = '127.0.0.1'",
    // No Unix socket: everything connects over TCP, and socket paths have a length limit.
    "unix_socket_directories = ''",
    "shared_preload_libraries = 'pg_cron,pg_stat_statements'",
    `cron.database_name = '${dbName}'`,
    // Background workers instead of libpq connections: no password needed for cron jobs.
    "cron.use_background_workers = on",
    "max_worker_processes = 32",
    "max_connections = 200",
    "timezone = 'UTC'",
    "log_timezone = 'UTC'",
    "log_min_messages = warning",
  ];
  if (cluster.ephemeral) {
    lines.push("fsync = off", "synchronous_commit = off", "full_page_writes = off");
  }
  return lines.join("\n") + "\n";
}

export function isInitialised(cluster: ClusterConfig): boolean {
  return existsSync(path.join(clusterPaths(cluster).dataDir, "PG_VERSION"));
}

export function initCluster(cluster: ClusterConfig): void {
  const paths = clusterPaths(cluster);
  if (isInitialised(cluster)) return;
  const pwFile = path.join(paths.baseDir, ".pwfile");
  writeFileSync(pwFile, `${dbPassword}\n`, { mode: 0o600 });
  if (isRoot()) {
    const { uid, gid } = osUserIds(serverOsUser);
    chownSync(pwFile, uid, gid);
  }
  const result = runAsServerUser(`${pgBinDir}/initdb`, [
    "-D", paths.dataDir,
    "-U", dbUser,
    `--pwfile=${pwFile}`,
    "--auth-host=scram-sha-256",
    "--auth-local=peer",
    "-E", "UTF8",
    "--locale=C.UTF-8",
  ], true);
  rmSync(pwFile, { force: true });
  if (result.status !== 0) {
    throw new Error(`initdb failed:\n${result.stdout}${result.stderr}`);
  }
  appendFileSync(path.join(paths.dataDir, "postgresql.conf"), serverConfig(cluster));
}

export function isRunning(cluster: ClusterConfig): boolean {
  if (!isInitialised(cluster)) return false;
  return runAsServerUser(`${pgBinDir}/pg_ctl`, ["status", "-D", clusterPaths(cluster).dataDir], true).status === 0;
}

/** Starts the server (port from the config, so an env override applies to a reused cluster). */
export function startCluster(cluster: ClusterConfig): void {
  const paths = clusterPaths(cluster);
  const result = runAsServerUser(`${pgBinDir}/pg_ctl`, [
    "start", "-D", paths.dataDir, "-l", paths.logFile, "-w", "-t", "60",
    "-o", `-p ${cluster.port}`,
  ], true);
  if (result.status !== 0) {
    throw new Error(
      `PostgreSQL did not start on port ${cluster.port} (is the port in use?). Log: ${paths.logFile}\n` +
        `${result.stdout}${result.stderr}`,
    );
  }
}

export function stopCluster(cluster: ClusterConfig): void {
  if (!isRunning(cluster)) return;
  const result = runAsServerUser(`${pgBinDir}/pg_ctl`, ["stop", "-D", clusterPaths(cluster).dataDir, "-m", "fast", "-w"], true);
  if (result.status !== 0) throw new Error(`pg_ctl stop failed: ${result.stderr}`);
}

export function destroyCluster(cluster: ClusterConfig): void {
  stopCluster(cluster);
  rmSync(clusterPaths(cluster).dataDir, { recursive: true, force: true });
}
