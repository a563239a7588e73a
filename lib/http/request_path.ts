/**
 * `requestPathname()`: the path of a request URL without building a `URL`,
 * which is a measurable share of a WebSocket handshake.
 *
 * @module
 */

// scheme://authority/path[?query], the path in characters that `URL` keeps
// as they are: no `.` (dot segments), `%`, `\` or anything it would encode.
const SIMPLE = /^[a-z][a-z0-9+.-]*:\/\/[^/?#\\]*(\/[\w\-/]*)(?:\?[^#]*)?$/;

/**
 * The `pathname` that `new URL(href)` would give, fast for plain paths.
 *
 * @example
 * ```ts
 * import { requestPathname } from "./request_path.ts";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   requestPathname("http://x:8080/chat/room-1?a=b"),
 *   "/chat/room-1",
 * );
 * assert.equal(requestPathname("http://x/a/../b"), "/b");
 * ```
 */
export function requestPathname(href: string): string {
  const m = SIMPLE.exec(href);
  return m ? m[1] : new URL(href).pathname;
}
