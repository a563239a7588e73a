/**
 * RFC 6455 rules that need no parser state beyond "is a message open":
 * header bit checks (§5.2, §5.4, §5.5) and close payloads (§5.5.1, §7.4).
 * Kept apart from the parser so each rule reads as one line.
 *
 * @module
 */

import { isValidWireCloseCode } from "./close_code.ts";
import { decodeUtf8 } from "./utf8.ts";

/**
 * Checks a header's first two bytes. Returns what is wrong (always a 1002
 * protocol error), or null. `messageOpen`: a fragmented message awaits
 * continuation frames; `deflate`: permessage-deflate was negotiated.
 *
 * @example
 * ```ts
 * import { headerViolation } from "./frame_rules.ts";
 * import assert from "node:assert/strict";
 * assert.equal(headerViolation(0x81, 0x85, false, false), null); // masked text
 * assert.equal(
 *   headerViolation(0x81, 0x05, false, false),
 *   "unmasked client frame",
 * );
 * ```
 */
export function headerViolation(
  b0: number,
  b1: number,
  messageOpen: boolean,
  deflate: boolean,
): string | null {
  const fin = (b0 & 0x80) !== 0, rsv1 = (b0 & 0x40) !== 0;
  const opcode = b0 & 0x0f;
  if (b0 & 0x30) return "RSV2/RSV3 set";
  if (opcode >= 8) {
    if (opcode > 10) return "unknown opcode";
    if (!fin) return "fragmented control frame";
    if ((b1 & 0x7f) > 125) return "control frame too long";
    if (rsv1) return "RSV1 on a control frame";
  } else if (opcode === 0) {
    if (!messageOpen) return "continuation without a message";
    if (rsv1) return "RSV1 on a continuation frame";
  } else if (opcode <= 2) {
    if (messageOpen) return "new message inside a fragmented one";
    if (rsv1 && !deflate) return "RSV1 without permessage-deflate";
  } else return "unknown opcode";
  if (!(b1 & 0x80)) return "unmasked client frame";
  return null;
}

/**
 * Reads a 16-bit (`len7` 126) or 64-bit (`len7` 127) payload length at
 * `b[p..]`. The caller has rejected a 64-bit length with the MSB set; the
 * rest is exact up to 2^53 and only compared against the size cap.
 *
 * @example
 * ```ts
 * import { extendedLength } from "./frame_rules.ts";
 * import assert from "node:assert/strict";
 * assert.equal(extendedLength(new Uint8Array([0x01, 0x00]), 0, 126), 256);
 * ```
 */
export function extendedLength(b: Uint8Array, p: number, len7: number): number {
  if (len7 === 126) return (b[p] << 8) | b[p + 1];
  const hi = ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>>
    0;
  const lo = ((b[p + 4] << 24) | (b[p + 5] << 16) | (b[p + 6] << 8) |
    b[p + 7]) >>> 0;
  return hi * 0x100000000 + lo;
}

/**
 * The most bytes a message of `size` bytes can take on the wire: its frame
 * header (at most 14 bytes) and, under permessage-deflate, deflate's worst
 * case for data that does not compress (stored blocks: 5 bytes per 16 KiB,
 * under 1/1024 of the size). What a send buffer must hold to send one
 * message of `--max-message-size`.
 *
 * @example
 * ```ts
 * import { wireSizeBound } from "./frame_rules.ts";
 * import assert from "node:assert/strict";
 * assert.equal(wireSizeBound(16 * 1024 * 1024), 16 * 1024 * 1024 + 16448);
 * ```
 */
export function wireSizeBound(size: number): number {
  return size + Math.floor(size / 1024) + 64;
}

/** A decoded close payload, or why it is invalid (`error` is the code to send). */
export type ClosePayload =
  | { error: 0; code: number; reason: string }
  | { error: 1002 | 1007; code: 0; reason: string };

/**
 * Decodes a close frame's payload: empty means 1005 (no status), one byte
 * or a code not valid on the wire is a 1002, a non-UTF-8 reason a 1007.
 *
 * @example
 * ```ts
 * import { parseClosePayload } from "./frame_rules.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(
 *   parseClosePayload(new Uint8Array([0x03, 0xe8, 0x6f, 0x6b])),
 *   { error: 0, code: 1000, reason: "ok" },
 * );
 * ```
 */
export function parseClosePayload(p: Uint8Array): ClosePayload {
  if (p.length === 0) return { error: 0, code: 1005, reason: "" };
  if (p.length === 1) {
    return { error: 1002, code: 0, reason: "1-byte close payload" };
  }
  const code = (p[0] << 8) | p[1];
  if (!isValidWireCloseCode(code)) {
    return { error: 1002, code: 0, reason: "invalid close code" };
  }
  const reason = decodeUtf8(p.subarray(2));
  if (reason === null) return { error: 1007, code: 0, reason: "invalid UTF-8" };
  return { error: 0, code, reason };
}
