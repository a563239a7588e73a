/**
 * Reading one client frame header (RFC 6455 §5.2), possibly split across
 * TCP chunks. The fields go into one shared `FrameHeader` object, read at
 * once by the caller: a parser keeps no header buffer of its own, and a
 * header split across chunks is kept only as the few bytes that came.
 *
 * @module
 */

import { copyOut } from "./bytes.ts";
import { extendedLength, headerViolation } from "./frame_rules.ts";

/** The last header read (shared: copy what you need before the next read). */
export interface FrameHeader {
  fin: boolean;
  rsv1: boolean;
  opcode: number;
  /** Payload length. */
  length: number;
  /** The 4 masking-key bytes, big-endian. */
  mask: number;
  /** Why the header is invalid (after a -1): always a 1002. */
  error: string;
  /** After `readFrameHeader` returned 0: the header's start, to keep. */
  partial: Uint8Array | null;
}

/** Where `readHeader` leaves the fields. */
export const header: FrameHeader = {
  fin: false,
  rsv1: false,
  opcode: 0,
  length: 0,
  mask: 0,
  error: "",
  partial: null,
};

// Puts a split header together (reads run to completion, never interleaved).
const JOINED = new Uint8Array(14);

/**
 * Reads the header at `b[off..off+avail]` into `header`. Returns the bytes
 * it takes, 0 if incomplete, -1 if invalid (`header.error` says why).
 * `messageOpen`: a fragmented message awaits continuations; `deflate`:
 * permessage-deflate was agreed.
 *
 * @example
 * ```ts
 * import { header, readHeader } from "./frame_header.ts";
 * import assert from "node:assert/strict";
 * const b = new Uint8Array([0x81, 0x85, 1, 2, 3, 4]); // masked text, 5 bytes
 * assert.equal(readHeader(b, 0, b.length, false, false), 6);
 * assert.equal(header.length, 5);
 * assert.equal(readHeader(b, 0, 3, false, false), 0); // incomplete
 * ```
 */
export function readHeader(
  b: Uint8Array,
  off: number,
  avail: number,
  messageOpen: boolean,
  deflate: boolean,
): number {
  if (avail < 2) return 0;
  const b0 = b[off], b1 = b[off + 1];
  const bad = headerViolation(b0, b1, messageOpen, deflate);
  if (bad !== null) return invalid(bad);
  let len = b1 & 0x7f;
  const need = len === 126 ? 8 : len === 127 ? 14 : 6;
  if (avail < need) return 0;
  if (len === 127 && b[off + 2] & 0x80) return invalid("64-bit length MSB set");
  if (len >= 126) len = extendedLength(b, off + 2, len);
  const p = off + need - 4;
  header.mask = (b[p] << 24 | b[p + 1] << 16 | b[p + 2] << 8 | b[p + 3]) >>> 0;
  header.fin = (b0 & 0x80) !== 0;
  header.rsv1 = (b0 & 0x40) !== 0;
  header.opcode = b0 & 0x0f;
  header.length = len;
  return need;
}

function invalid(why: string): -1 {
  header.error = why;
  return -1;
}

/**
 * `readHeader` at `chunk[pos..]`, continuing `partial`, the first bytes of
 * a header that came in the last chunk (or null). Returns the bytes taken
 * from `chunk`, -1 if invalid, or 0 if still short: `header.partial` is
 * then the start to keep (a copy: the chunk may be reused), else null.
 *
 * @example
 * ```ts
 * import { header, readFrameHeader } from "./frame_header.ts";
 * import assert from "node:assert/strict";
 * const start = new Uint8Array([0x82]); // then an empty binary frame's rest
 * assert.equal(readFrameHeader(null, start, 0, false, false), 0);
 * const rest = new Uint8Array([0x80, 9, 9, 9, 9]);
 * assert.equal(readFrameHeader(header.partial, rest, 0, false, false), 5);
 * assert.equal(header.opcode, 2);
 * ```
 */
export function readFrameHeader(
  partial: Uint8Array | null,
  chunk: Uint8Array,
  pos: number,
  messageOpen: boolean,
  deflate: boolean,
): number {
  header.partial = null;
  if (partial === null) {
    const used = readHeader(
      chunk,
      pos,
      chunk.length - pos,
      messageOpen,
      deflate,
    );
    if (used === 0) header.partial = copyOut(chunk.subarray(pos));
    return used;
  }
  const have = partial.length;
  const take = Math.min(14 - have, chunk.length - pos);
  JOINED.set(partial);
  JOINED.set(chunk.subarray(pos, pos + take), have);
  const used = readHeader(JOINED, 0, have + take, messageOpen, deflate);
  if (used === 0) header.partial = copyOut(JOINED.subarray(0, have + take));
  return used <= 0 ? used : used - have;
}
