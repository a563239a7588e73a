/**
 * `acceptKey()`: the `Sec-WebSocket-Accept` value for a client's key.
 *
 * @module
 */
import { createHash } from "node:crypto";

/** The GUID RFC 6455 §1.3 appends to every key. */
const WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/**
 * Computes `Sec-WebSocket-Accept` for a client key (RFC 6455 §4.2.2).
 * `node:crypto` rather than `crypto.subtle`: ~1.4 µs vs ~33 µs per key
 * under Deno 2.9, which showed in handshakes per second.
 *
 * @example
 * ```ts
 * import { acceptKey } from "./accept_key.ts";
 * import assert from "node:assert/strict";
 * // The example from RFC 6455 §1.3.
 * assert.equal(
 *   acceptKey("dGhlIHNhbXBsZSBub25jZQ=="),
 *   "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
 * );
 * ```
 */
export function acceptKey(key: string): string {
  return createHash("sha1").update(key + WS_GUID).digest("base64");
}
