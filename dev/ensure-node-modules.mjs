// Runs before `npm start` and `npm test`: on a fresh clone, or after a pull that added a
// dependency, install the locked npm dependencies first, so the quick start is just those two
// commands. Plain JS: it runs before tsx exists.
import { existsSync, readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const declared = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies });
const missing = declared.filter((name) => !existsSync(path.join(root, "node_modules", name, "package.json")));
if (!existsSync(path.join(root, "node_modules/.bin/tsx")) || missing.length > 0) {
  console.log(missing.length > 0 && missing.length < declared.length
    ? `node_modules lacks ${missing.join(", ")}: running npm ci ...`
    : "node_modules is missing: running npm ci ...");
  const result = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
