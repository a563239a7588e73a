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
 * Between frames a parser holds no buffer (`idle`): what is split across
 * chunks is kept only until whole, as idle connections are most connections
 * (docs/performance.md, "Memory per idle connection").
 *
 * @module
 */

import { copyOut } from "./bytes.ts";
import type { FrameHandlers, FrameParserOptions } from "./frame_events.ts";
import { header, readFrameHeader } from "./frame_header.ts";
import { parseClosePayload } from "./frame_rules.ts";
import { applyMask } from "./mask.ts";
import { controlPayload, MessageParts } from "./message_parts.ts";
import { decodeUtf8 } from "./utf8.ts";
import type { MessageInflater } from "./deflate.ts";

export type { FrameHandlers, FrameParserOptions } from "./frame_events.ts";

const TEXT = 1, BINARY = 2, CLOSE = 8, PING = 9, PONG = 10;
const ST_HEADER = 0, ST_PAYLOAD = 1, ST_DONE = 2;
const EMPTY = new Uint8Array(0);
// Shared by every parser (push() runs to completion, never interleaved).
const MASK = new Uint8Array(4);

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
 * assert.equal(parser.idle, true); // between frames, nothing kept
 * ```
 */
export class FrameParser {
  #h: FrameHandlers;
  #max: number;
  #inflater: MessageInflater | null;
  #transient: boolean;
  #state = ST_HEADER;
  /** The start of a header that did not fit in the last chunk (< 14 bytes). */
  #partial: Uint8Array | null = null;
  // The frame being read.
  #fin = false;
  #opcode = 0;
  #payloadLen = 0;
  #remaining = 0;
  #mask = 0; // its 4 bytes, big-endian
  #phase = 0;
  // The data message being read (#msgOpcode 0: none open). A message whose
  // payload is all in one chunk (#whole) is decoded from #piece in place;
  // any other is gathered in #parts.
  #msgOpcode = 0;
  #compressed = false;
  #msgLen = 0;
  #whole = false;
  #piece: Uint8Array | null = null;
  #parts: MessageParts | null = null;
  // A control frame's payload: #ctlWhole if it came in one piece.
  #ctlWhole: Uint8Array | null = null;
  #ctlPieces: Uint8Array[] | null = null;

  /** `handlers` receive everything parsed. */
  constructor(handlers: FrameHandlers, opts: FrameParserOptions = {}) {
    this.#h = handlers;
    this.#max = opts.maxMessageSize ?? 64 * 1024 * 1024;
    this.#inflater = opts.inflater ?? null;
    this.#transient = opts.transient ?? false;
  }

  /** True after a close frame, an error or `stop()`. */
  get done(): boolean {
    return this.#state === ST_DONE;
  }

  /**
   * True between frames with no message open: the parser keeps nothing of
   * earlier chunks, so its owner may drop it and make a new one later.
   */
  get idle(): boolean {
    return this.#state === ST_HEADER && this.#partial === null &&
      this.#msgOpcode === 0;
  }

  /** Stops parsing; later input is ignored. */
  stop(): void {
    this.#state = ST_DONE;
    this.#partial = this.#piece = null;
    this.#parts = null;
    this.#ctlPieces = null;
  }

  /** Parses the next chunk (taking ownership of it, see the module doc). */
  push(chunk: Uint8Array): void {
    const end = chunk.length;
    let pos = 0;
    while (pos < end && this.#state !== ST_DONE) {
      if (this.#state === ST_HEADER) {
        const used = this.#header(chunk, pos);
        if (used <= 0) return;
        pos += used;
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
        const m = this.#mask;
        MASK[0] = m >>> 24, MASK[1] = m >>> 16, MASK[2] = m >>> 8, MASK[3] = m;
        applyMask(piece, MASK, this.#phase);
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

  /** The header at chunk[pos..]: bytes used, 0 if incomplete, -1 error. */
  #header(chunk: Uint8Array, pos: number): number {
    const open = this.#msgOpcode !== 0, deflate = this.#inflater !== null;
    const used = readFrameHeader(this.#partial, chunk, pos, open, deflate);
    this.#partial = header.partial;
    if (used < 0) return this.#fail(1002, header.error);
    if (used === 0) return 0;
    const { opcode, length } = header;
    if (opcode < CLOSE) {
      if (opcode !== 0) {
        this.#msgOpcode = opcode;
        this.#compressed = header.rsv1;
        this.#msgLen = 0;
      }
      // Refuse before a single payload byte arrives. Compressed bytes may
      // slightly exceed the inflated size (stored blocks).
      const max = this.#max;
      const cap = this.#compressed ? max + Math.floor(max / 1024) + 64 : max;
      if (length > cap - this.#msgLen) {
        return this.#fail(1009, `message over ${max} bytes`);
      }
      this.#msgLen += length;
    } else this.#ctlWhole = this.#ctlPieces = null;
    this.#fin = header.fin;
    this.#opcode = opcode;
    this.#mask = header.mask;
    this.#payloadLen = this.#remaining = length;
    this.#phase = 0;
    return used;
  }

  /** Takes an unmasked piece of the current frame's payload. */
  #payload(piece: Uint8Array): boolean {
    if (this.#opcode >= CLOSE) {
      // Kept until the frame ends; copied if it came in pieces.
      if (piece.length === this.#payloadLen) this.#ctlWhole = piece;
      else (this.#ctlPieces ??= []).push(copyOut(piece));
      return true;
    }
    if (this.#compressed) {
      const last = this.#fin && this.#remaining === 0; // finish() follows
      return this.#inflater!.push(piece, this.#max, last) ||
        this.#inflateFailed();
    }
    if (this.#whole) { // used before push() returns: no copy
      this.#piece = piece;
      return true;
    }
    this.#parts ??= new MessageParts(this.#msgOpcode === TEXT);
    if (this.#parts.add(piece, this.#transient)) return true;
    this.#fail(1007, "invalid UTF-8");
    return false;
  }

  #frameEnd(): void {
    if (this.#opcode >= CLOSE) return this.#control();
    if (!this.#fin) return;
    const text = this.#msgOpcode === TEXT;
    this.#msgOpcode = 0;
    let data: string | Uint8Array | null;
    if (this.#compressed) {
      const out = this.#inflater!.finish(this.#max);
      if (out === null) return void this.#inflateFailed();
      data = text ? decodeUtf8(out) : out;
    } else if (this.#whole) {
      const bytes = this.#piece ?? EMPTY;
      this.#piece = null;
      // A view into the caller's reused buffer must be copied to be kept.
      if (text) data = decodeUtf8(bytes);
      else data = this.#transient ? copyOut(bytes) : bytes;
    } else { // no parts: every frame of the message was empty
      const parts = this.#parts ?? new MessageParts(text);
      this.#parts = null;
      data = text ? parts.text() : parts.bytes();
    }
    if (data === null) return void this.#fail(1007, "invalid UTF-8");
    this.#h.onMessage(data);
  }

  #inflateFailed(): false {
    const code = this.#inflater!.code;
    const tooBig = `message over ${this.#max} bytes`;
    this.#fail(code, code === 1009 ? tooBig : "bad deflate data");
    return false;
  }

  #control(): void {
    const p = controlPayload(this.#ctlWhole, this.#ctlPieces, this.#transient);
    this.#ctlWhole = this.#ctlPieces = null;
    if (this.#opcode === PING) return this.#h.onPing(p);
    if (this.#opcode === PONG) return this.#h.onPong(p);
    const c = parseClosePayload(p);
    if (c.error !== 0) return void this.#fail(c.error, c.reason);
    this.stop();
    this.#h.onClose(c.code, c.reason);
  }
}
