// `npm run build [-- --out-dir <dir>]`: the dashboard's production build (default dashboard/dist),
// then its size. Also used by `npm start` (builds before serving) and the browser tests (into their
// own folder, in a child process of their own). The budget is the issue's: under 250 KB of gzipped
// JavaScript; a build over it fails.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { build } from "vite";
import { projectRoot } from "./local-env.ts";

export const dashboardDir = path.join(projectRoot, "dashboard");
export const dashboardDistDir = path.join(dashboardDir, "dist");
/** Gzipped JavaScript the whole app may ship. */
export const bundleBudgetGzipBytes = 250 * 1024;

export interface BundleFile {
  /** Relative to the build folder, e.g. assets/index-3f2a.js */
  file: string;
  bytes: number;
  gzipBytes: number;
}

export interface BundleSize {
  files: BundleFile[];
  /** Every .js file of the build (lazy chunks included). */
  jsGzipBytes: number;
  /** What the first page load fetches: the scripts index.html names and the chunks they import statically. */
  initialJsGzipBytes: number;
}

function filesUnder(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full, base) : [path.relative(base, full)];
  });
}

/** Sizes of a built dashboard: each file raw and gzipped (level 9, as static hosts serve them). */
export function measureBundle(outDir: string = dashboardDistDir): BundleSize {
  const files = filesUnder(outDir).filter((f) => /\.(js|css|html)$/.test(f)).sort().map((file) => {
    const content = readFileSync(path.join(outDir, file));
    return { file: file.split(path.sep).join("/"), bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length };
  });
  const js = files.filter((f) => f.file.endsWith(".js"));
  // The entry (from index.html) and what it imports statically (import … from "./chunk.js").
  const html = readFileSync(path.join(outDir, "index.html"), "utf8");
  const initial = new Set<string>();
  const queue = [...html.matchAll(/<script[^>]+src="\/([^"]+\.js)"/g)].map((m) => m[1] ?? "");
  while (queue.length > 0) {
    const file = queue.pop() ?? "";
    if (initial.has(file) || !js.some((f) => f.file === file)) continue;
    initial.add(file);
    const code = readFileSync(path.join(outDir, file), "utf8");
    for (const m of code.matchAll(/(?:^|[;\s}])import\s*(?:[\w${},*\s]+from\s*)?["']\.\/([^"']+\.js)["']/g)) {
      queue.push(path.posix.join(path.posix.dirname(file), m[1] ?? ""));
    }
  }
  const sum = (list: BundleFile[]) => list.reduce((n, f) => n + f.gzipBytes, 0);
  return { files, jsGzipBytes: sum(js), initialJsGzipBytes: sum(js.filter((f) => initial.has(f.file))) };
}

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

export function formatBundleSize(size: BundleSize): string {
  const width = Math.max(...size.files.map((f) => f.file.length));
  return [
    ...size.files.map((f) => `  ${f.file.padEnd(width)}  ${kb(f.bytes).padStart(9)}  gzip ${kb(f.gzipBytes).padStart(8)}`),
    `  JavaScript, gzipped: ${kb(size.jsGzipBytes)} in all, ${kb(size.initialJsGzipBytes)} on first load ` +
      `(budget ${kb(bundleBudgetGzipBytes)})`,
  ].join("\n");
}

export interface BuildOptions {
  /** Default dashboard/dist. */
  outDir?: string;
  /** Print the file sizes (default true). */
  report?: boolean;
}

/** Builds the dashboard; throws when the JavaScript is over budget. */
export async function buildDashboard(options: BuildOptions = {}): Promise<BundleSize> {
  const outDir = options.outDir ?? dashboardDistDir;
  await build({
    configFile: path.join(dashboardDir, "vite.config.ts"),
    mode: "production",
    logLevel: "warn",
    build: { outDir, emptyOutDir: true },
  });
  const size = measureBundle(outDir);
  if (options.report ?? true) console.log(`Dashboard built in ${path.relative(process.cwd(), outDir) || outDir}:\n${formatBundleSize(size)}`);
  if (size.jsGzipBytes > bundleBudgetGzipBytes) {
    throw new Error(`the dashboard ships ${kb(size.jsGzipBytes)} of gzipped JavaScript, over the ${kb(bundleBudgetGzipBytes)} budget`);
  }
  return size;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const { values } = parseArgs({ options: { "out-dir": { type: "string" } } });
  buildDashboard({ outDir: values["out-dir"] === undefined ? undefined : path.resolve(values["out-dir"]) }).then(
    () => console.log(`  (${((Date.now() - started) / 1000).toFixed(1)} s)`),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
