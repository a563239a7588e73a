/**
 * `Router`: maps a request path to a handler, with `[name]` parameters.
 * Static paths are a single map lookup, so the common case costs nothing.
 *
 * @module
 */
import type { Handler } from "../types.ts";

/**
 * One route: its pattern (`/rooms/:name`; `/*` serves every WebSocket path
 * no other route serves), handler and source file.
 */
export interface Route {
  pattern: string;
  handler: Handler<unknown>;
  file: string;
  /** Shown after the file in the route table, e.g. `program`. */
  note?: string;
}

/** The pattern of the route that serves every otherwise unserved path. */
export const FALLBACK_PATTERN = "/*";

/** A matched route with its parameters. */
export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

interface Dynamic {
  route: Route;
  segments: string[];
}

const NO_PARAMS: Record<string, string> = Object.freeze({}) as Record<
  string,
  string
>;

/**
 * Finds the handler for a path.
 *
 * @example
 * ```ts
 * import { Router } from "./router.ts";
 * import assert from "node:assert/strict";
 * const router = new Router([{
 *   pattern: "/rooms/:name",
 *   handler: { message() {} },
 *   file: "rooms/[name].ts",
 * }]);
 * assert.equal(router.match("/rooms/lobby")?.params.name, "lobby");
 * ```
 */
export class Router {
  readonly routes: readonly Route[];
  /** The `/*` route's match, for upgrades no other route takes; or null. */
  readonly fallback: RouteMatch | null = null;
  #exact = new Map<string, RouteMatch>();
  #dynamic: Dynamic[] = [];

  constructor(routes: Route[]) {
    this.routes = [...routes].sort((a, b) =>
      a.pattern.localeCompare(b.pattern)
    );
    for (const route of this.routes) {
      if (route.pattern === FALLBACK_PATTERN) {
        this.fallback = { route, params: NO_PARAMS };
      } else if (route.pattern.includes("/:")) {
        this.#dynamic.push({ route, segments: route.pattern.split("/") });
      } else this.#exact.set(route.pattern, { route, params: NO_PARAMS });
    }
    // Fewer parameters first, so /rooms/lobby beats /:any/lobby.
    this.#dynamic.sort((a, b) => paramCount(a) - paramCount(b));
  }

  /** The route for `pathname`, or `null`. A trailing slash is ignored. */
  match(pathname: string): RouteMatch | null {
    const exact = this.#exact.get(pathname);
    if (exact) return exact;
    if (pathname.length > 1 && pathname.endsWith("/")) {
      return this.match(pathname.slice(0, -1));
    }
    if (this.#dynamic.length === 0) return null;
    const parts = pathname.split("/");
    for (const { route, segments } of this.#dynamic) {
      if (segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < segments.length && ok; i++) {
        const seg = segments[i];
        if (seg.startsWith(":")) {
          const value = safeDecode(parts[i]);
          if (value === null || value === "") ok = false;
          else params[seg.slice(1)] = value;
        } else ok = seg === parts[i];
      }
      if (ok) return { route, params };
    }
    return null;
  }
}

function paramCount(d: Dynamic): number {
  return d.segments.filter((s) => s.startsWith(":")).length;
}

function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}
