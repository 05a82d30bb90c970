// Runs before `npm start` and `npm test`: on a fresh clone, install the locked npm dependencies
// first, so the quick start is just those two commands. Plain JS: it runs before tsx exists.
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
if (!existsSync(path.join(root, "node_modules/.bin/tsx"))) {
  console.log("node_modules is missing: running npm ci ...");
  const result = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
  process.exit(result.status ?? 1);
}
