/**
 * Masked client frames, built byte by byte. The server never sends these;
 * tests and load generators do, including deliberately broken ones, so every
 * header field can be set freely.
 *
 * @example
 * ```ts
 * import { clientFrame } from "./client_frame.ts";
 * clientFrame(1, new TextEncoder().encode("hi")); // masked text "hi"
 * ```
 *
 * @module
 */

import { concatBytes } from "../../lib/protocol/bytes.ts";
import { applyMask } from "../../lib/protocol/mask.ts";

/** Header fields of a hand-built frame. */
export interface ClientFrameOptions {
  /** FIN bit; default true. */
  fin?: boolean;
  /** RSV bits as a 3-bit number (4 = RSV1, 2 = RSV2, 1 = RSV3); default 0. */
  rsv?: number;
  /** Mask key; default a fixed non-zero key. `null` sends it unmasked. */
  mask?: Uint8Array | null;
  /** Force the length form: 7, 16 or 64 bits (default: the shortest). */
  lengthBits?: 7 | 16 | 64;
  /** Announce this length instead of the payload's real one. */
  announcedLength?: number | bigint;
}

const DEFAULT_MASK = new Uint8Array([0x37, 0xfa, 0x21, 0x3d]);

/**
 * Encodes one client frame with `opcode` and `payload`.
 *
 * @example
 * ```ts
 * import { clientFrame } from "./client_frame.ts";
 * clientFrame(9, new Uint8Array(0), { mask: null }); // an unmasked ping
 * ```
 */
export function clientFrame(
  opcode: number,
  payload: Uint8Array | string = new Uint8Array(0),
  opts: ClientFrameOptions = {},
): Uint8Array {
  const data = typeof payload === "string"
    ? new TextEncoder().encode(payload)
    : payload;
  const len = BigInt(opts.announcedLength ?? data.length);
  const bits = opts.lengthBits ??
    (len < 126n ? 7 : len < 0x10000n ? 16 : 64);
  const mask = opts.mask === undefined ? DEFAULT_MASK : opts.mask;
  const extra = bits === 7 ? 0 : bits === 16 ? 2 : 8;
  const out = new Uint8Array(2 + extra + (mask ? 4 : 0) + data.length);
  out[0] = ((opts.fin ?? true) ? 0x80 : 0) | ((opts.rsv ?? 0) << 4) |
    (opcode & 0x0f);
  out[1] = (mask ? 0x80 : 0) |
    (bits === 7 ? Number(len) : bits === 16 ? 126 : 127);
  const view = new DataView(out.buffer);
  if (bits === 16) view.setUint16(2, Number(len));
  if (bits === 64) view.setBigUint64(2, len);
  let p = 2 + extra;
  if (mask) {
    out.set(mask, p);
    p += 4;
  }
  out.set(data, p);
  if (mask) applyMask(out.subarray(p), mask, 0);
  return out;
}

/**
 * A close frame payload: 2-byte code plus UTF-8 reason (or raw bytes).
 *
 * @example
 * ```ts
 * import { clientFrame, closePayload } from "./client_frame.ts";
 * clientFrame(8, closePayload(1000, "bye"));
 * ```
 */
export function closePayload(
  code: number,
  reason: string | Uint8Array = "",
): Uint8Array {
  const r = typeof reason === "string"
    ? new TextEncoder().encode(reason)
    : reason;
  const out = new Uint8Array(2 + r.length);
  out[0] = code >>> 8;
  out[1] = code & 0xff;
  out.set(r, 2);
  return out;
}

/**
 * Joins frames into one buffer, as they would arrive in one TCP chunk.
 *
 * @example
 * ```ts
 * import { clientFrame, joinBytes } from "./client_frame.ts";
 * joinBytes(clientFrame(1, "a", { fin: false }), clientFrame(0, "b"));
 * ```
 */
export function joinBytes(...parts: Uint8Array[]): Uint8Array {
  return parts.length === 1 ? parts[0].slice() : concatBytes(parts);
}
