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
  const res = new Response(reason + "\n", {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  });
  reasons.set(res, reason);
  return res;
}

// The reason of each refusal made here, for the `refused` log line and
// `/_upgrade_check`, without reading (and so consuming) the body.
const reasons = new WeakMap<Response, string>();

/**
 * The reason `refuse()` gave `res`, or `null` for a response made elsewhere
 * (a handler's `accept()`).
 *
 * @example
 * ```ts
 * import { refusalReason, refuse } from "./refuse.ts";
 * import assert from "node:assert/strict";
 * assert.equal(refusalReason(refuse(404, "no WebSocket handler at /x")), "no WebSocket handler at /x");
 * assert.equal(refusalReason(new Response("no", { status: 403 })), null);
 * ```
 */
export function refusalReason(res: Response): string | null {
  return reasons.get(res) ?? null;
}

/**
 * The reason of any refusal: `refusalReason()`, else the first line of a
 * copy of its body (at most 200 characters), else `""`.
 *
 * @example
 * ```ts
 * import { readRefusalReason } from "./refuse.ts";
 * import assert from "node:assert/strict";
 * const res = new Response("wrong token\n", { status: 401 });
 * assert.equal(await readRefusalReason(res), "wrong token");
 * assert.equal(await res.text(), "wrong token\n"); // still there to send
 * ```
 */
export async function readRefusalReason(res: Response): Promise<string> {
  const known = refusalReason(res);
  if (known !== null) return known;
  const body = res.body ? res.clone().body : null;
  if (!body) return "";
  // The first chunk is enough for a one-line reason; a big or endless body
  // is not read any further.
  const reader = body.getReader();
  try {
    const { value } = await reader.read();
    const text = new TextDecoder().decode(value ?? new Uint8Array(0));
    return text.split("\n")[0].slice(0, 200);
  } catch {
    return ""; // a stream that failed
  } finally {
    reader.cancel().catch(() => {});
  }
}
