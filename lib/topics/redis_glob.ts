/**
 * Redis glob escaping for topic prefixes: `PSUBSCRIBE denosocket:0:chat\:*`
 * must match the prefix literally, whatever characters a topic holds.
 *
 * @module
 */

/**
 * Escapes Redis glob characters so a topic prefix matches literally.
 *
 * @example
 * ```ts
 * import { globEscape, unglob } from "./redis_glob.ts";
 * import assert from "node:assert/strict";
 * assert.equal(globEscape("a*b?"), "a\\*b\\?");
 * assert.equal(unglob(globEscape("[x]\\")), "[x]\\");
 * ```
 */
export function globEscape(s: string): string {
  return s.replace(/[*?[\]\\]/g, "\\$&");
}

/** Undoes `globEscape`. */
export function unglob(s: string): string {
  return s.replace(/\\(.)/g, "$1");
}
