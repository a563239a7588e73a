/**
 * Incremental server-side RFC 6455 frame parser. Feed it TCP chunks split
 * anywhere; it calls back with whole messages, pings, pongs and the close,
 * or with one protocol error, after which it ignores all further input.
 *
 * Chunks are unmasked in place. By default the parser owns them (binary
 * messages may be views into them), so one unfragmented frame inside one
 * chunk costs no copy: a subarray and an in-place XOR. With `transient` the
 * caller may reuse its buffer and the parser copies only what it keeps.
 *
 * @module
 */

import { concatBytes, copyOut } from "./bytes.ts";
import type { FrameHandlers, FrameParserOptions } from "./frame_events.ts";
import { extendedLength, headerViolation } from "./frame_rules.ts";
import { parseClosePayload } from "./frame_rules.ts";
import { applyMask } from "./mask.ts";
import { decodeUtf8, decodeValidatedUtf8 } from "./utf8.ts";
import { UTF8_ACCEPT, UTF8_REJECT, utf8Step } from "./utf8.ts";
import type { MessageInflater } from "./deflate.ts";

export type { FrameHandlers, FrameParserOptions } from "./frame_events.ts";

const TEXT = 1, BINARY = 2, CLOSE = 8, PING = 9, PONG = 10;
const ST_HEADER = 0, ST_PAYLOAD = 1, ST_DONE = 2;
const EMPTY = new Uint8Array(0);

/**
 * The parser. One per connection.
 *
 * @example
 * ```ts
 * import { FrameParser } from "./frame_parser.ts";
 * import assert from "node:assert/strict";
 * const got: unknown[] = [];
 * const parser = new FrameParser({
 *   onMessage: (m) => got.push(m),
 *   onPing() {}, onPong() {}, onClose() {}, onError() {},
 * });
 * parser.push(new Uint8Array([0x81, 0x82, 0, 0, 0, 0, 0x48, 0x69]));
 * assert.deepEqual(got, ["Hi"]);
 * ```
 */
export class FrameParser {
  #h: FrameHandlers;
  #max: number;
  #wireMax: number;
  #inflater: MessageInflater | null;
  #transient: boolean;
  #state = ST_HEADER;
  // One allocation for the three small buffers (each new ArrayBuffer costs
  // ~0.5 µs under Deno, which shows in handshakes per second).
  #scratch = new Uint8Array(14 + 4 + 125);
  #hdr = this.#scratch.subarray(0, 14);
  #hdrLen = 0;
  // The frame being read.
  #fin = false;
  #opcode = 0;
  #payloadLen = 0;
  #remaining = 0;
  #mask = this.#scratch.subarray(14, 18);
  #phase = 0;
  // The data message being assembled (#msgOpcode 0: none open).
  #msgOpcode = 0;
  #compressed = false;
  #msgLen = 0;
  #parts: Uint8Array[] = [];
  #whole = false;
  #utf8 = UTF8_ACCEPT;
  // Control frame payload when it arrives in pieces.
  #ctl = this.#scratch.subarray(18);
  #ctlLen = 0;
  #ctlWhole: Uint8Array | null = null;

  /** `handlers` receive everything parsed. */
  constructor(handlers: FrameHandlers, opts: FrameParserOptions = {}) {
    this.#h = handlers;
    this.#max = opts.maxMessageSize ?? 64 * 1024 * 1024;
    // Compressed bytes may slightly exceed the inflated size (stored blocks).
    this.#wireMax = this.#max + Math.floor(this.#max / 1024) + 64;
    this.#inflater = opts.inflater ?? null;
    this.#transient = opts.transient ?? false;
  }

  /** True after a close frame, an error or `stop()`. */
  get done(): boolean {
    return this.#state === ST_DONE;
  }

  /** Stops parsing; later input is ignored. */
  stop(): void {
    this.#state = ST_DONE;
    this.#parts = [];
  }

  /** Parses the next chunk (taking ownership of it, see the module doc). */
  push(chunk: Uint8Array): void {
    const end = chunk.length;
    let pos = 0;
    while (pos < end && this.#state !== ST_DONE) {
      if (this.#state === ST_HEADER) {
        if (this.#hdrLen === 0) {
          const used = this.#header(chunk, pos, end - pos);
          if (used < 0) return;
          if (used === 0) { // a partial header is < 14 bytes: stash it
            this.#hdr.set(chunk.subarray(pos, end));
            this.#hdrLen = end - pos;
            return;
          }
          pos += used;
        } else {
          const take = Math.min(14 - this.#hdrLen, end - pos);
          this.#hdr.set(chunk.subarray(pos, pos + take), this.#hdrLen);
          const used = this.#header(this.#hdr, 0, this.#hdrLen + take);
          if (used < 0) return;
          if (used === 0) {
            this.#hdrLen += take;
            return;
          }
          pos += used - this.#hdrLen;
          this.#hdrLen = 0;
        }
        // Whole unfragmented message in this chunk: decode it in one go.
        const op = this.#opcode;
        if (op === TEXT || op === BINARY) {
          this.#whole = this.#fin && end - pos >= this.#payloadLen;
        }
        if (this.#remaining === 0) this.#frameEnd();
        else this.#state = ST_PAYLOAD;
      } else {
        const n = Math.min(this.#remaining, end - pos);
        const piece = chunk.subarray(pos, pos + n);
        pos += n;
        applyMask(piece, this.#mask, this.#phase);
        this.#phase = (this.#phase + n) & 3;
        this.#remaining -= n;
        if (!this.#payload(piece)) return;
        if (this.#remaining === 0) {
          this.#state = ST_HEADER;
          this.#frameEnd();
        }
      }
    }
  }

  #fail(code: number, reason: string): -1 {
    this.stop();
    this.#h.onError(code, reason);
    return -1;
  }

  /** Parses a header at b[off..]: bytes used, 0 if incomplete, -1 error. */
  #header(b: Uint8Array, off: number, avail: number): number {
    if (avail < 2) return 0;
    const b0 = b[off], b1 = b[off + 1];
    const open = this.#msgOpcode !== 0;
    const bad = headerViolation(b0, b1, open, this.#inflater !== null);
    if (bad !== null) return this.#fail(1002, bad);
    const fin = (b0 & 0x80) !== 0, rsv1 = (b0 & 0x40) !== 0;
    const opcode = b0 & 0x0f;
    let len = b1 & 0x7f;
    const need = len === 126 ? 8 : len === 127 ? 14 : 6;
    if (avail < need) return 0;
    if (len === 127 && b[off + 2] & 0x80) {
      return this.#fail(1002, "64-bit length MSB set");
    }
    if (len >= 126) len = extendedLength(b, off + 2, len);
    let p = off + need - 4;
    const m = this.#mask;
    m[0] = b[p], m[1] = b[p + 1], m[2] = b[p + 2], m[3] = b[p + 3];
    p += 4;
    if (opcode < CLOSE) {
      if (opcode !== 0) {
        this.#msgOpcode = opcode;
        this.#compressed = rsv1;
        this.#msgLen = 0;
      }
      // Refuse before a single payload byte arrives.
      const cap = this.#compressed ? this.#wireMax : this.#max;
      if (len > cap - this.#msgLen) {
        return this.#fail(1009, `message over ${this.#max} bytes`);
      }
      this.#msgLen += len;
    } else {
      this.#ctlLen = 0;
      this.#ctlWhole = null;
    }
    this.#fin = fin;
    this.#opcode = opcode;
    this.#payloadLen = this.#remaining = len;
    this.#phase = 0;
    return p - off;
  }

  /** Takes an unmasked piece of the current frame's payload. */
  #payload(piece: Uint8Array): boolean {
    if (this.#opcode >= CLOSE) {
      if (piece.length === this.#payloadLen) this.#ctlWhole = piece;
      else {
        this.#ctl.set(piece, this.#ctlLen);
        this.#ctlLen += piece.length;
      }
      return true;
    }
    if (this.#compressed) {
      return this.#inflater!.push(piece, this.#max) || this.#inflateFailed();
    }
    if (this.#msgOpcode === TEXT && !this.#whole) {
      // Fail fast, and carry a sequence split across pieces in the state.
      this.#utf8 = utf8Step(this.#utf8, piece, 0, piece.length);
      if (this.#utf8 === UTF8_REJECT) {
        this.#fail(1007, "invalid UTF-8");
        return false;
      }
    }
    // A whole message is used before push() returns; keep copies otherwise.
    this.#parts.push(this.#transient && !this.#whole ? copyOut(piece) : piece);
    return true;
  }

  #frameEnd(): void {
    if (this.#opcode >= CLOSE) return this.#control();
    if (!this.#fin) return;
    const op = this.#msgOpcode;
    this.#msgOpcode = 0;
    let bytes: Uint8Array;
    if (this.#compressed) {
      const out = this.#inflater!.finish(this.#max);
      if (out === null) return void this.#inflateFailed();
      bytes = out;
    } else bytes = this.#joinParts();
    if (op === BINARY) {
      const own = this.#transient && this.#whole && !this.#compressed;
      return this.#h.onMessage(own ? copyOut(bytes) : bytes);
    }
    let text: string | null;
    if (this.#compressed || this.#whole) text = decodeUtf8(bytes);
    else {
      text = this.#utf8 === UTF8_ACCEPT ? decodeValidatedUtf8(bytes) : null;
      this.#utf8 = UTF8_ACCEPT;
    }
    if (text === null) return void this.#fail(1007, "invalid UTF-8");
    this.#h.onMessage(text);
  }

  #inflateFailed(): false {
    const code = this.#inflater!.code;
    const tooBig = `message over ${this.#max} bytes`;
    this.#fail(code, code === 1009 ? tooBig : "bad deflate data");
    return false;
  }

  #joinParts(): Uint8Array {
    const parts = this.#parts;
    if (parts.length === 0) return EMPTY;
    if (parts.length === 1) {
      const only = parts[0];
      parts.length = 0; // keep the array for the next message
      return only;
    }
    this.#parts = [];
    return concatBytes(parts, this.#msgLen);
  }

  #control(): void {
    // Copy out of the reused #ctl buffer: handlers may keep the payload.
    const whole = this.#ctlWhole;
    const p = whole === null
      ? this.#ctl.slice(0, this.#ctlLen)
      : this.#transient
      ? copyOut(whole)
      : whole;
    this.#ctlWhole = null;
    if (this.#opcode === PING) return this.#h.onPing(p);
    if (this.#opcode === PONG) return this.#h.onPong(p);
    const c = parseClosePayload(p);
    if (c.error !== 0) return void this.#fail(c.error, c.reason);
    this.stop();
    this.#h.onClose(c.code, c.reason);
  }
}
