/**
 * Synchronous raw deflate/inflate with a persistent zlib context.
 *
 * permessage-deflate with context takeover needs one long-lived zlib stream
 * per direction, flushed (Z_SYNC_FLUSH) at each message end. `node:zlib`
 * streams do that only asynchronously; its sync helpers are one-shot. Under
 * Deno 2.9 the stream's handle has the same synchronous `writeSync` the Node
 * sync helpers use internally, and driving it directly was 2–3x faster than
 * the async stream API (round trip of a 587-byte JSON message: ~300k/s vs
 * ~105k/s; one-shot `deflateRawSync`+`inflateRawSync`: ~49k/s). It keeps the
 * frame parser synchronous too. `syncZlibAvailable()` feature-detects it;
 * without it the engine simply does not negotiate compression.
 *
 * @module
 */

import zlib from "node:zlib";

/** The internal handle shape we rely on (same as Node's zlib binding). */
interface ZlibHandle {
  writeSync(
    flush: number,
    input: Uint8Array,
    inOff: number,
    inLen: number,
    out: Uint8Array,
    outOff: number,
    outLen: number,
  ): void;
  reset(): void;
  close(): void;
  onerror: (message: string, errno: number) => void;
}

interface ZlibStream {
  _handle: ZlibHandle | null;
  _writeState: Uint32Array;
  close(): void;
}

/** zlib flush: emit everything so far and end on a byte boundary. */
export const Z_SYNC_FLUSH: number = zlib.constants.Z_SYNC_FLUSH;
/** zlib flush: none, let zlib buffer. */
export const Z_NO_FLUSH: number = zlib.constants.Z_NO_FLUSH;

// Output goes through one shared buffer: sync calls cannot interleave, and
// each call copies out only the bytes produced.
const SCRATCH = new Uint8Array(64 * 1024);

/** Options for a `SyncZlib`. */
export interface SyncZlibOptions {
  /** 9–15 (raw deflate; zlib turns 8 into 9 anyway). */
  windowBits: number;
  /** Compression level 0–9 (deflate only). */
  level?: number;
  /** Memory level 1–9 (deflate only). */
  memLevel?: number;
}

/**
 * One raw deflate or inflate stream driven synchronously.
 *
 * @example
 * ```ts
 * import { SyncZlib, Z_SYNC_FLUSH } from "./zlib_sync.ts";
 * import { concatBytes } from "./bytes.ts";
 * import assert from "node:assert/strict";
 * const d = new SyncZlib("deflate", { windowBits: 15 });
 * const out: Uint8Array[] = [];
 * d.write(new TextEncoder().encode("hello"), Z_SYNC_FLUSH, out, Infinity);
 * d.close();
 * // out holds the deflated bytes, ending 00 00 ff ff:
 * const tail = concatBytes(out).slice(-4);
 * assert.deepEqual(tail, new Uint8Array([0x00, 0x00, 0xff, 0xff]));
 * ```
 */
export class SyncZlib {
  #stream: ZlibStream;
  #handle: ZlibHandle;
  #state: Uint32Array;
  /** The zlib error message, once one happened (the stream is then dead). */
  error: string | null = null;

  /** Creates the stream; throws if the sync handle is not available. */
  constructor(kind: "deflate" | "inflate", opts: SyncZlibOptions) {
    const windowBits = Math.max(9, opts.windowBits);
    // The stream's own output buffer (chunkSize, 16 KiB by default) is
    // never used: output goes through SCRATCH. The smallest zlib allows
    // saves 2 × 16 KiB per connection that compressed a message.
    const chunkSize = zlib.constants.Z_MIN_CHUNK;
    const stream = (kind === "deflate"
      ? zlib.createDeflateRaw({
        windowBits,
        level: opts.level,
        memLevel: opts.memLevel,
        chunkSize,
      })
      : zlib.createInflateRaw({
        windowBits,
        chunkSize,
      })) as unknown as ZlibStream;
    const handle = stream._handle;
    if (!handle || typeof handle.writeSync !== "function") {
      stream.close();
      throw new Error("node:zlib has no synchronous stream handle");
    }
    this.#stream = stream;
    this.#handle = handle;
    this.#state = stream._writeState;
    // Errors are reported synchronously through this callback during
    // writeSync; replacing it also keeps the stream from emitting 'error'.
    handle.onerror = (message) => {
      this.error = message;
    };
  }

  /**
   * Runs `input` through zlib with `flush`, pushing output pieces to `out`.
   * Returns the number of bytes produced, stopping early once that exceeds
   * `limit` (so a compression bomb costs at most limit + 64 KiB), or -1 on
   * a zlib error. If the peer's deflate stream ends (BFINAL) the context is
   * reset; input left after the end is dropped if `dropAfterEnd` (the
   * flush tail, which only makes sense inside an open stream), else it
   * starts a new stream.
   */
  write(
    input: Uint8Array,
    flush: number,
    out: Uint8Array[],
    limit: number,
    dropAfterEnd = false,
  ): number {
    if (this.error !== null) return -1;
    const h = this.#handle, st = this.#state;
    let inOff = 0, inLen = input.length, produced = 0;
    for (;;) {
      h.writeSync(flush, input, inOff, inLen, SCRATCH, 0, SCRATCH.length);
      if (this.error !== null) return -1;
      const availOut = st[0], availIn = st[1];
      const have = SCRATCH.length - availOut;
      if (have > 0) {
        out.push(SCRATCH.slice(0, have));
        produced += have;
      }
      inOff += inLen - availIn;
      inLen = availIn;
      if (produced > limit) return produced;
      if (availOut !== 0) {
        if (inLen === 0) return produced;
        // Output room left but input unconsumed: the peer ended the deflate
        // stream (BFINAL).
        h.reset();
        if (dropAfterEnd) return produced;
      }
    }
  }

  /** Drops the context (for no_context_takeover between messages). */
  reset(): void {
    if (this.error === null) this.#handle.reset();
  }

  /** Frees zlib's memory. */
  close(): void {
    this.#stream.close();
  }
}

let available: boolean | undefined;

/**
 * True if synchronous zlib streams work in this runtime (checked once).
 *
 * @example
 * ```ts
 * import { syncZlibAvailable } from "./zlib_sync.ts";
 * if (!syncZlibAvailable()) console.log("permessage-deflate disabled");
 * ```
 */
export function syncZlibAvailable(): boolean {
  if (available === undefined) {
    try {
      const d = new SyncZlib("deflate", { windowBits: 15 });
      const i = new SyncZlib("inflate", { windowBits: 15 });
      const a: Uint8Array[] = [], b: Uint8Array[] = [];
      d.write(new Uint8Array([104, 105]), Z_SYNC_FLUSH, a, Infinity);
      i.write(a[0], Z_SYNC_FLUSH, b, Infinity);
      available = b.length === 1 && b[0][0] === 104 && b[0][1] === 105;
      d.close();
      i.close();
    } catch {
      available = false;
    }
  }
  return available;
}
