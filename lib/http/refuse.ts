/**
 * `refuse()`: the one shape of every refusal the server sends — a status and
 * a one-line, plain-text reason naming what was wrong.
 *
 * @module
 */

/**
 * A plain-text refusal with a one-line reason.
 *
 * @example
 * ```ts
 * import { refuse } from "./refuse.ts";
 * import assert from "node:assert/strict";
 * const res = refuse(404, "no WebSocket handler at /nope");
 * assert.equal(res.status, 404);
 * assert.equal(await res.text(), "no WebSocket handler at /nope\n");
 * ```
 */
export function refuse(
  status: number,
  reason: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(reason + "\n", {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  });
}
