/**
 * `servePlainHttp()`: the app's answer to a request that is not a WebSocket
 * upgrade — an endpoint's page, a static file, a tool page, or a 404.
 *
 * @module
 */
import { endpointPage } from "./endpoint_page.ts";
import { refuse } from "./refuse.ts";
import type { RouteMatch } from "../routing/router.ts";
import { serveStatic } from "./static_files.ts";
import { serveToolPage } from "./tool_pages.ts";

/**
 * Answers a plain HTTP request for `path` (`match`: its WebSocket route, if
 * any; `staticDir`: the static site, if any).
 *
 * @example
 * ```ts ignore
 * const res = await servePlainHttp(req, "/", null, "./public");
 * ```
 */
export async function servePlainHttp(
  req: Request,
  path: string,
  match: RouteMatch | null,
  staticDir: string | null,
): Promise<Response> {
  if (match) {
    if (req.method === "GET" || req.method === "HEAD") {
      return endpointPage(req, match.route);
    }
    return refuse(405, `${path} is a WebSocket endpoint: use GET`, {
      allow: "GET",
    });
  }
  if (staticDir) {
    const res = await serveStatic(req, staticDir, path);
    if (res) return res;
  }
  const tool = await serveToolPage(req, path);
  if (tool) return tool;
  return refuse(404, `not found: ${path}`);
}
