// Deno, local only: serves the built dashboard (dashboard/dist) from dev/functions-server.ts on the
// API port, so the app and /api/trigger/* share one origin as on a static host in front of the API.
// App paths (no file extension) fall back to index.html so the History API router can deep-link;
// a missing asset is a plain 404, so a stale chunk fails loudly instead of parsing HTML as JS.

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
};

function extensionOf(pathname: string): string {
  const name = pathname.slice(pathname.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return dot <= 0 ? "" : name.slice(dot).toLowerCase();
}

async function readFileIfExists(path: string): Promise<Uint8Array<ArrayBuffer> | null> {
  try {
    return await Deno.readFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.IsADirectory) return null;
    throw error;
  }
}

const compressible = new Set([".html", ".js", ".css", ".svg", ".json", ".txt"]);
/** Gzipped hashed assets, by path: they never change, so each is compressed once. */
const gzipped = new Map<string, Uint8Array<ArrayBuffer>>();

async function gzip(data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([data]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function plain(status: number, text: string, headers: Record<string, string> = {}): Response {
  return new Response(text, { status, headers: { "Content-Type": "text/plain; charset=utf-8", ...headers } });
}

/** A handler for everything under `/` that is not the API: the files of `distDir`, else index.html. */
export function createDashboardFiles(distDir: string): (request: Request) => Promise<Response> {
  const root = distDir.endsWith("/") ? distDir : `${distDir}/`;
  return async (request) => {
    if (request.method !== "GET" && request.method !== "HEAD") return plain(405, "method not allowed", { Allow: "GET, HEAD" });
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(request.url).pathname);
    } catch {
      return plain(400, "bad path");
    }
    if (pathname.includes("\0") || pathname.split("/").some((segment) => segment === "..")) return plain(400, "bad path");
    const extension = extensionOf(pathname);
    const file = pathname === "/" || extension === "" ? null : await readFileIfExists(root + pathname.slice(1));
    if (file === null && extension !== "" && extension !== ".html") return plain(404, `no such file: ${pathname}`);
    const body = file ?? await readFileIfExists(`${root}index.html`);
    if (body === null) return plain(503, `the dashboard is not built: no index.html in ${distDir} (npm run build)`);
    const type = file === null ? "text/html; charset=utf-8" : contentTypes[extension] ?? "application/octet-stream";
    // Hashed bundles never change; index.html must be revalidated so a new build is picked up at once.
    const immutable = file !== null && pathname.startsWith("/assets/");
    const headers: Record<string, string> = {
      "Content-Type": type,
      "Cache-Control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
      "X-Content-Type-Options": "nosniff",
      "Vary": "Accept-Encoding",
    };
    // Compressed as a static host would serve it, so local load times are realistic.
    if (compressible.has(file === null ? ".html" : extension) && /\bgzip\b/.test(request.headers.get("accept-encoding") ?? "")) {
      let compressed = immutable ? gzipped.get(pathname) : undefined;
      if (compressed === undefined) {
        compressed = await gzip(body);
        if (immutable) gzipped.set(pathname, compressed);
      }
      return new Response(compressed, { headers: { ...headers, "Content-Encoding": "gzip" } });
    }
    return new Response(body, { headers });
  };
}
