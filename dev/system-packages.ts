// The Debian packages the local stack needs (the database; for the tests also Chromium, which the
// dashboard's browser tests drive), and their installation on a fresh machine.
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";

export const pgBinDir = "/usr/lib/postgresql/15/bin";

const databasePackages: { pkg: string; file: string }[] = [
  { pkg: "postgresql-15", file: `${pgBinDir}/postgres` },
  { pkg: "postgresql-15-cron", file: "/usr/lib/postgresql/15/lib/pg_cron.so" },
  { pkg: "postgresql-15-pgtap", file: "/usr/share/postgresql/15/extension/pgtap.control" },
  { pkg: "pgtap", file: "/usr/bin/pg_prove" },
];

/** tests/dashboard/browser.test.ts drives Debian's Chromium; Liberation fonts make its screenshots legible. */
const browserTestPackages: { pkg: string; file: string }[] = [
  { pkg: "chromium", file: "/usr/bin/chromium" },
  { pkg: "fonts-liberation", file: "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf" },
];

export interface PackageNeeds {
  /** Also Chromium and fonts for the browser tests (`npm test`). */
  browserTests?: boolean;
}

export function missingPackages(needs: PackageNeeds = {}): string[] {
  const required = needs.browserTests ? [...databasePackages, ...browserTestPackages] : databasePackages;
  return required.filter((r) => !existsSync(r.file)).map((r) => r.pkg);
}

export function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

function run(cmd: string, args: string[]): void {
  const result = spawnSync(cmd, args, {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  if (result.status !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} failed with exit code ${String(result.status)}`);
  }
}

/** Installs missing packages when running as root; otherwise explains exactly what to install. */
export function ensureSystemPackages(needs: PackageNeeds = {}): void {
  const missing = missingPackages(needs);
  if (missing.length === 0) return;
  if (!isRoot()) {
    throw new Error(
      `Missing Debian packages: ${missing.join(" ")}\n` +
        `Install them with:\n  sudo apt-get update && sudo apt-get install -y ${missing.join(" ")}`,
    );
  }
  console.log(`Installing ${missing.join(" ")} ...`);
  run("apt-get", ["update", "-qq"]);
  run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing]);
  const still = missingPackages(needs);
  if (still.length > 0) throw new Error(`Packages still missing after install: ${still.join(" ")}`);
}
