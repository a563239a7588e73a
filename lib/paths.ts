/**
 * Paths of the project's own folders, resolved from this file rather than the
 * working directory, so `deno run`, `deno serve`, Deploy and compiled
 * binaries all find them.
 *
 * @module
 */
import { resolve } from "node:path";

/** The project root (the folder holding `main.ts`). */
export const PROJECT_ROOT: string = resolve(import.meta.dirname ?? ".", "..");

/** The default static folder. */
export const STATIC_DIR: string = resolve(PROJECT_ROOT, "static");

/** The default handlers folder. */
export const HANDLERS_DIR: string = resolve(PROJECT_ROOT, "handlers");

/**
 * A `file:` URL for an absolute path.
 *
 * @example
 * ```ts
 * import { toFileUrl } from "./paths.ts";
 * import assert from "node:assert/strict";
 * assert.equal(toFileUrl("/tmp/a b.ts").href, "file:///tmp/a%20b.ts");
 * ```
 */
export function toFileUrl(path: string): URL {
  const url = new URL("file://");
  url.pathname = path;
  return url;
}
