/**
 * The server's own browser tools — the dev console and the benchmark page,
 * with their shared CSS and JS, and the topics client `/denosocket.js` —
 * served from the bundled `static/` folder even when `--static` points
 * elsewhere or is off, so a browser GET of a handler path always lands on a
 * working console. A file of the same name in the user's static folder wins
 * (it is tried first).
 *
 * @module
 */
import { STATIC_DIR } from "../paths.ts";
import { serveStatic } from "./static_files.ts";

/** Paths of the built-in tool files. */
export const TOOL_PATHS: ReadonlySet<string> = new Set([
  "/console.html",
  "/console.js",
  "/benchmark.html",
  "/benchmark.js",
  "/site.css",
  "/ws_url.js",
  "/format.js",
  "/upgrade_check.js",
  "/favicon.svg",
  "/denosocket.js",
]);

/**
 * Serves a built-in tool file, or returns `null` for any other path.
 *
 * @example
 * ```ts ignore
 * const res = await serveToolPage(req, "/console.html");
 * ```
 */
export function serveToolPage(
  req: Request,
  pathname: string,
): Promise<Response | null> {
  if (!TOOL_PATHS.has(pathname)) return Promise.resolve(null);
  return serveStatic(req, STATIC_DIR, pathname);
}
