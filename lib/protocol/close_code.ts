/**
 * Every close-code rule (RFC 6455 §7.4) in one place: which codes may appear
 * on the wire (the parser and writer check these), which a handler may pass to
 * `conn.close()` (Deno's own `close()` sends invalid codes unchecked, so that
 * check is ours), and the close-reason size.
 *
 * @module
 */
import { utf8Length } from "./utf8_length.ts";

/** Longest close reason allowed on the wire: 125-byte control payload − 2. */
export const MAX_REASON_BYTES = 123;

/**
 * Throws a `RangeError` unless `code` may be sent by a handler (1000 or
 * 3000–4999) and `reason` fits in 123 UTF-8 bytes.
 *
 * @example
 * ```ts
 * import { assertHandlerClose } from "./close_code.ts";
 * import assert from "node:assert/strict";
 * assertHandlerClose(4000, "bye"); // ok
 * assert.throws(() => assertHandlerClose(1001, "bye"), RangeError);
 * ```
 */
export function assertHandlerClose(code: number, reason: string): void {
  if (!isValidAppCloseCode(code)) {
    throw new RangeError(
      `close code ${code} is not allowed: use 1000 or 3000-4999`,
    );
  }
  assertReason(reason);
}

/**
 * True if a handler may pass `code` to `conn.close()`: 1000 or 3000–4999,
 * the same rule browsers apply to `WebSocket.close()`.
 *
 * @example
 * ```ts
 * import { isValidAppCloseCode } from "./close_code.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isValidAppCloseCode(4000), true);
 * assert.equal(isValidAppCloseCode(1001), false); // reserved for the server
 * ```
 */
export function isValidAppCloseCode(code: number): boolean {
  return Number.isInteger(code) &&
    (code === 1000 || (code >= 3000 && code <= 4999));
}

/**
 * Throws a `RangeError` when `reason` is longer than 123 UTF-8 bytes.
 *
 * @example
 * ```ts
 * import { assertReason } from "./close_code.ts";
 * import assert from "node:assert/strict";
 * assertReason("done");
 * assert.throws(() => assertReason("x".repeat(124)), RangeError);
 * ```
 */
export function assertReason(reason: string): void {
  if (
    reason.length > MAX_REASON_BYTES / 3 &&
    utf8Length(reason) > MAX_REASON_BYTES
  ) {
    throw new RangeError(
      `close reason is ${
        utf8Length(reason)
      } UTF-8 bytes; at most ${MAX_REASON_BYTES} allowed`,
    );
  }
}

/**
 * True if `code` may appear in a close frame received from a peer:
 * 1000–1003, 1007–1014 (1012–1014 are IANA-registered since RFC 6455) and
 * 3000–4999. 1004, 1005, 1006 and 1015 are reserved and never on the wire.
 *
 * @example
 * ```ts
 * import { isValidWireCloseCode } from "./close_code.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isValidWireCloseCode(1000), true);
 * assert.equal(isValidWireCloseCode(1005), false);
 * ```
 */
export function isValidWireCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) ||
    (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999);
}
