/**
 * `routeTable()`: the routes as the start-up banner and `--list-handlers`
 * print them.
 *
 * @module
 */
import type { Route } from "./router.ts";

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
    const note = r.note ? `  (${r.note})` : "";
    return `  ${r.pattern.padEnd(width)}  ${r.file}${note}${protocols}`;
  }).join("\n");
}
