/**
 * Where routes come from: the committed manifest, or a folder at run time.
 *
 * @module
 */
import manifest from "../../handlers/manifest.gen.ts";
import { loadHandlerDir, routesFromManifest } from "./manifest.ts";
import type { Route } from "./router.ts";

/**
 * The routes for `handlersDir` (loaded at run time) or, when `null`, the
 * manifest's (static imports, so Deploy and `deno compile` include them).
 *
 * @example
 * ```ts ignore
 * const routes = await loadRoutes(null);
 * ```
 */
export function loadRoutes(handlersDir: string | null): Promise<Route[]> {
  if (handlersDir) return loadHandlerDir(handlersDir);
  return Promise.resolve(routesFromManifest(manifest));
}

/**
 * A readable table of routes, one per line.
 *
 * @example
 * ```ts ignore
 * console.log(routeTable(routes));
 * ```
 */
export function routeTable(routes: readonly Route[]): string {
  if (routes.length === 0) return "  (no handlers)";
  const width = Math.max(...routes.map((r) => r.pattern.length));
  return routes.map((r) => {
    const protocols = r.handler.protocols?.length
      ? `  protocols: ${r.handler.protocols.join(", ")}`
      : "";
    return `  ${r.pattern.padEnd(width)}  ${r.file}${protocols}`;
  }).join("\n");
}
