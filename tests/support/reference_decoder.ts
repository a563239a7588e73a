/**
 * A second RFC 6455 decoder for client frames, written from the RFC for
 * the tests and sharing no code with `lib/protocol/`: it reads a whole byte
 * stream at once (no incremental state machine), lengths through `DataView`
 * and `BigInt`, UTF-8 through a fatal streaming `TextDecoder`, deflate
 * through `node:zlib`'s one-shot inflate. The parser's events for any split
 * of a stream must equal this decoder's for the whole stream.
 *
 * Where the RFC leaves the moment of failure open, it follows the parser's
 * documented choices: header bits are checked as soon as the first two
 * bytes are there (§5.2), the size cap as soon as the length is (1009
 * before the payload), and text fails 1007 at the first byte that cannot
 * be UTF-8 (§8.1), even in an unfinished frame.
 *
 * @module
 */
import zlib from "node:zlib";

/** One decoded event; payloads as plain arrays so `deepEqual` compares them. */
export type RefEvent =
  | ["message", string | number[]]
  | ["ping" | "pong", number[]]
  | ["close", number, string]
  | ["error", number];

/** Settings, as for `FrameParser`. */
export interface RefOptions {
  maxMessageSize: number;
  /** permessage-deflate negotiated (context takeover both ways). */
  deflate?: boolean;
}

const TAIL = [0x00, 0x00, 0xff, 0xff];

/** RFC 6455 §7.4 codes a peer may send (1004–1006, 1015 are never sent). */
function closeCodeAllowed(code: number): boolean {
  if (code >= 3000 && code <= 4999) return true;
  return [
    1000,
    1001,
    1002,
    1003,
    1007,
    1008,
    1009,
    1010,
    1011,
    1012,
    1013,
    1014,
  ]
    .includes(code);
}

/**
 * Decodes `stream` (the client's bytes after the handshake) into events,
 * ending at the first error or close; a truncated last frame just ends.
 *
 * @example
 * ```ts
 * import { referenceDecode } from "./reference_decoder.ts";
 * // A masked "Hi" with an all-zero mask:
 * const hi = new Uint8Array([0x81, 0x82, 0, 0, 0, 0, 0x48, 0x69]);
 * referenceDecode(hi, { maxMessageSize: 1024 }); // [["message", "Hi"]]
 * ```
 */
export function referenceDecode(
  stream: Uint8Array,
  opts: RefOptions,
): RefEvent[] {
  const out: RefEvent[] = [];
  const max = opts.maxMessageSize;
  // Compressed bytes of every message so far, for one-shot inflation.
  const history: number[] = [];
  let inflatedSoFar = 0;
  let msg: {
    opcode: number;
    compressed: boolean;
    size: number;
    chunks: Uint8Array[];
    utf8: TextDecoder;
  } | null = null;
  const fail = (code: number) => {
    out.push(["error", code]);
    return out;
  };
  let at = 0;
  while (at < stream.length) {
    if (stream.length - at < 2) return out;
    const fin = (stream[at] & 0x80) !== 0;
    const rsv1 = (stream[at] & 0x40) !== 0;
    const rsv23 = stream[at] & 0x30;
    const opcode = stream[at] & 0x0f;
    const masked = (stream[at + 1] & 0x80) !== 0;
    const len7 = stream[at + 1] & 0x7f;
    const control = opcode >= 8;
    if (rsv23) return fail(1002);
    if (![0, 1, 2, 8, 9, 10].includes(opcode)) return fail(1002);
    if (control && (!fin || len7 > 125 || rsv1)) return fail(1002);
    if (opcode === 0 && (msg === null || rsv1)) return fail(1002);
    if ((opcode === 1 || opcode === 2) && msg !== null) return fail(1002);
    if (rsv1 && !opts.deflate) return fail(1002);
    if (!masked) return fail(1002); // §5.1: the server must fail it
    const lenBytes = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
    const headerSize = 2 + lenBytes + 4;
    if (stream.length - at < headerSize) return out;
    const view = new DataView(stream.buffer, stream.byteOffset + at + 2);
    let length: bigint = BigInt(len7);
    if (len7 === 126) length = BigInt(view.getUint16(0));
    if (len7 === 127) {
      length = view.getBigUint64(0);
      if (length >> 63n) return fail(1002); // §5.2: the MSB must be 0
    }
    if (!control) {
      if (opcode !== 0) {
        msg = {
          opcode,
          compressed: rsv1,
          size: 0,
          chunks: [],
          utf8: new TextDecoder("utf-8", { fatal: true }),
        };
      }
      // Compressed input may exceed the cap a little (stored blocks).
      const cap = BigInt(
        msg!.compressed ? max + Math.floor(max / 1024) + 64 : max,
      );
      if (BigInt(msg!.size) + length > cap) return fail(1009);
    }
    const mask = stream.subarray(at + 2 + lenBytes, at + headerSize);
    const start = at + headerSize;
    const n = Number(length);
    const available = Math.min(n, stream.length - start);
    const payload = new Uint8Array(available);
    for (let k = 0; k < available; k++) {
      payload[k] = stream[start + k] ^ mask[k % 4];
    }
    if (!control && msg!.opcode === 1 && !msg!.compressed) {
      try {
        msg!.utf8.decode(payload, { stream: true });
      } catch {
        return fail(1007);
      }
    }
    if (available < n) return out; // truncated: nothing more to say
    at = start + n;
    if (control) {
      const bytes = Array.from(payload);
      if (opcode === 9) out.push(["ping", bytes]);
      else if (opcode === 10) out.push(["pong", bytes]);
      else {
        if (payload.length === 0) {
          out.push(["close", 1005, ""]);
          return out;
        }
        if (payload.length === 1) return fail(1002);
        const code = (payload[0] << 8) | payload[1];
        if (!closeCodeAllowed(code)) return fail(1002);
        let reason: string;
        try {
          reason = new TextDecoder("utf-8", { fatal: true }).decode(
            payload.subarray(2),
          );
        } catch {
          return fail(1007);
        }
        out.push(["close", code, reason]);
        return out;
      }
      continue;
    }
    msg!.size += n;
    msg!.chunks.push(payload);
    if (!fin) continue;
    let data: Uint8Array = new Uint8Array(msg!.size);
    let off = 0;
    for (const c of msg!.chunks) {
      data.set(c, off);
      off += c.length;
    }
    if (msg!.compressed) {
      history.push(...data, ...TAIL);
      let all: Uint8Array;
      try {
        all = zlib.inflateRawSync(new Uint8Array(history), {
          finishFlush: zlib.constants.Z_SYNC_FLUSH,
        });
      } catch {
        return fail(1007);
      }
      data = all.subarray(inflatedSoFar);
      inflatedSoFar = all.length;
      if (data.length > max) return fail(1009);
    }
    if (msg!.opcode === 2) out.push(["message", Array.from(data)]);
    else {
      try {
        out.push([
          "message",
          new TextDecoder("utf-8", { fatal: true }).decode(data),
        ]);
      } catch {
        return fail(1007);
      }
    }
    msg = null;
  }
  return out;
}
