/**
 * `serveStatic()`: files from one folder with correct types, `HEAD`, `ETag`
 * and 304, and no way out of the folder: not by `..`, and not by a symlink
 * whose target lies outside it (websocketd shipped that escape and fixed it).
 *
 * @module
 */
import { extname, join, sep } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".htm": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".wasm": "application/wasm",
  ".woff2": "font/woff2",
  ".map": "application/json; charset=utf-8",
};

/**
 * The `Content-Type` for a file name (`application/octet-stream` if unknown).
 *
 * @example
 * ```ts
 * import { contentType } from "./static_files.ts";
 * import assert from "node:assert/strict";
 * assert.equal(contentType("index.html"), "text/html; charset=utf-8");
 * ```
 */
export function contentType(name: string): string {
  return TYPES[extname(name).toLowerCase()] ?? "application/octet-stream";
}

/**
 * Serves `pathname` from `root`, or returns `null` when there is no such file
 * (the caller answers 404). `..`, encoded slashes, NUL, dot-files and files
 * whose real path (symlinks resolved) leaves `root` never match.
 *
 * @example
 * ```ts
 * import { serveStatic } from "./static_files.ts";
 * import assert from "node:assert/strict";
 * const root = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${root}/hi.txt`, "hi");
 * await Deno.writeTextFile(`${root}/.env`, "SECRET=1");
 * const req = (path: string) => new Request(`http://x${path}`);
 * const res = await serveStatic(req("/hi.txt"), root, "/hi.txt");
 * assert.equal(await res?.text(), "hi");
 * assert.equal(await serveStatic(req("/.env"), root, "/.env"), null);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function serveStatic(
  req: Request,
  root: string,
  pathname: string,
): Promise<Response | null> {
  const rel = safeRelative(pathname);
  if (rel === null) return null;
  let path = join(root, rel);
  let real: string;
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
    if (info.isDirectory) {
      // A folder URL without its slash would break relative links in the page.
      if (!pathname.endsWith("/")) return null;
      path = join(path, "index.html");
      info = await Deno.stat(path);
    }
    if (!info.isFile) return null;
    // stat() follows symlinks: `passwd -> /etc/passwd` in the folder is a
    // file as far as it knows. Serve only what really lies below the root,
    // and open the resolved path, so a link swapped after this check is not
    // followed.
    real = await Deno.realPath(path);
    if (!isBelow(await Deno.realPath(root), real)) return null;
  } catch {
    return null;
  }
  if (req.method !== "GET" && req.method !== "HEAD") {
    return new Response("method not allowed\n", {
      status: 405,
      headers: { allow: "GET, HEAD" },
    });
  }
  const etag = `W/"${info.size.toString(36)}-${
    (info.mtime?.getTime() ?? 0).toString(36)
  }"`;
  const headers = new Headers({
    "content-type": contentType(path),
    etag,
    "cache-control": "no-cache",
  });
  if (info.mtime) headers.set("last-modified", info.mtime.toUTCString());
  if (matchesEtag(req.headers.get("if-none-match"), etag)) {
    return new Response(null, { status: 304, headers });
  }
  headers.set("content-length", String(info.size));
  if (req.method === "HEAD") return new Response(null, { headers });
  const file = await Deno.open(real, { read: true });
  return new Response(file.readable, { headers });
}

/**
 * The path below the root that `pathname` names, or `null` when it tries to
 * leave it or cannot be decoded safely.
 *
 * @example
 * ```ts
 * import { safeRelative } from "./static_files.ts";
 * import assert from "node:assert/strict";
 * assert.equal(safeRelative("/a/%2e%2e/b"), null);
 * assert.equal(safeRelative("/css/site.css"), "css/site.css");
 * ```
 */
export function safeRelative(pathname: string): string | null {
  // Encoded separators would let a single URL segment hide a path step.
  if (/%2f|%5c|%00/i.test(pathname)) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes("\\") || decoded.includes("\0")) return null;
  const parts = decoded.split("/").filter((p) => p !== "" && p !== ".");
  // Dot-files and dot-folders (.env, .git/config), and `..`, a step out of
  // the folder (URL parsing removes those first; a caller may not have).
  if (parts.some((p) => p.startsWith("."))) return null;
  return parts.join("/");
}

/** True if the real path `path` is `root` itself or inside it. */
function isBelow(root: string, path: string): boolean {
  return path === root ||
    path.startsWith(root.endsWith(sep) ? root : root + sep);
}

function matchesEtag(header: string | null, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  const bare = etag.replace(/^W\//, "");
  return header.split(",").some((t) => t.trim().replace(/^W\//, "") === bare);
}
