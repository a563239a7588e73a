/**
 * Close-code and reason rules for `conn.close()`. Deno's own `close()` sends
 * invalid codes unchecked, so the check is ours.
 *
 * @module
 */

const encoder = new TextEncoder();

/** Longest close reason allowed on the wire: 125-byte control payload − 2. */
export const MAX_REASON_BYTES = 123;

/**
 * Throws a `RangeError` unless `code` may be sent by a handler (1000 or
 * 3000–4999) and `reason` fits in 123 UTF-8 bytes.
 *
 * @example
 * ```ts
 * import { assertHandlerClose } from "./close_code.ts";
 * assertHandlerClose(4000, "bye"); // ok
 * ```
 */
export function assertHandlerClose(code: number, reason: string): void {
  if (
    !Number.isInteger(code) || (code !== 1000 && (code < 3000 || code > 4999))
  ) {
    throw new RangeError(
      `close code ${code} is not allowed: use 1000 or 3000-4999`,
    );
  }
  assertReason(reason);
}

/**
 * Throws a `RangeError` when `reason` is longer than 123 UTF-8 bytes.
 *
 * @example
 * ```ts
 * import { assertReason } from "./close_code.ts";
 * assertReason("done");
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
 * UTF-8 byte length of a string without allocating.
 *
 * @example
 * ```ts
 * import { utf8Length } from "./close_code.ts";
 * utf8Length("é"); // 2
 * ```
 */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 2; // surrogate pair: 4 bytes for 2 code units
      i++;
    } else n += 2;
  }
  return n;
}

/** Encodes a reason for a close frame. */
export function encodeReason(reason: string): Uint8Array {
  return encoder.encode(reason);
}
