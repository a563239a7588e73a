/**
 * permessage-deflate message transforms (RFC 7692 §7.2): one inflater for
 * what the client sends, one deflater for what the server sends. zlib
 * memory is only allocated on first use, so a connection that never sends
 * a compressed message costs nothing extra.
 *
 * With context takeover a direction keeps its own zlib context per
 * connection (~215 KiB to compress, ~17 KiB to inflate, measured under
 * Deno 2.9). Where no_context_takeover was agreed, every message starts
 * from an empty context, so one zlib stream per process serves every such
 * connection (`sharedStream`), as Bun's shared compressor does: calls are
 * synchronous and whole messages go through it one at a time.
 *
 * @module
 */

import { concatBytes, copyOut } from "./bytes.ts";
import type { DeflateParams } from "./deflate_negotiation.ts";
import { SyncZlib, type SyncZlibOptions } from "./zlib_sync.ts";
import { Z_NO_FLUSH, Z_SYNC_FLUSH } from "./zlib_sync.ts";

const shared = new Map<string, SyncZlib>();

/** The process's stream for `kind` and `opts` (made on first use). */
function sharedStream(
  kind: "deflate" | "inflate",
  opts: SyncZlibOptions,
): SyncZlib {
  const key = `${kind} ${opts.windowBits} ${opts.level} ${opts.memLevel}`;
  let z = shared.get(key);
  if (z === undefined || z.error !== null) {
    z?.close();
    shared.set(key, z = new SyncZlib(kind, opts));
  }
  return z;
}

/** The empty stored block every flushed message ends with (§7.2.1). */
const TAIL = new Uint8Array([0x00, 0x00, 0xff, 0xff]);

/**
 * Inflates client messages piece by piece, enforcing a size limit on the
 * inflated output as it is produced (a bomb is cut off near the limit).
 *
 * @example
 * ```ts
 * import { MessageInflater } from "./deflate.ts";
 * import { DEFAULT_PARAMS } from "./deflate_negotiation.ts";
 * import assert from "node:assert/strict";
 * const inf = new MessageInflater(DEFAULT_PARAMS);
 * inf.push(new Uint8Array([0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]), 1024);
 * assert.deepEqual(inf.finish(1024), new TextEncoder().encode("Hello"));
 * inf.close();
 * ```
 */
export class MessageInflater {
  #params: DeflateParams;
  #z: SyncZlib | null = null;
  /** client_no_context_takeover: inflate through the shared stream. */
  #shared: boolean;
  /** Shared: compressed pieces of a message still arriving (copies). */
  #pending: Uint8Array[] | null = null;
  #parts: Uint8Array[] = [];
  #size = 0;
  /** Why the last push/finish failed: 1007 bad data, 1009 too big. */
  code = 0;

  /** `params` are the negotiated ones. */
  constructor(params: DeflateParams) {
    this.#params = params;
    this.#shared = params.clientNoContextTakeover;
  }

  #stream(): SyncZlib {
    // Inflating with at least 9 bits: zlib compressors asked for 8 use 9.
    const opts = { windowBits: this.#params.clientMaxWindowBits };
    if (this.#shared) return sharedStream("inflate", opts);
    return this.#z ??= new SyncZlib("inflate", opts);
  }

  #run(data: Uint8Array, flush: number, limit: number): boolean {
    const z = this.#stream();
    const n = z.write(
      data,
      flush,
      this.#parts,
      limit - this.#size,
      data === TAIL,
    );
    if (n < 0) return this.#fail(1007);
    this.#size += n;
    if (this.#size > limit) return this.#fail(1009);
    return true;
  }

  #fail(code: number): false {
    this.code = code;
    this.#parts = [];
    this.#size = 0;
    this.#pending = null;
    // A shared stream stopped mid-message is of no use to the next one.
    if (this.#shared) this.#stream().reset();
    return false;
  }

  /**
   * Feeds compressed bytes of the current message; false on failure.
   * `last`: the message ends with these bytes, and `finish()` follows
   * before the caller's buffer is reused (a shared stream then inflates
   * them at once; other pieces are kept until the message is whole, as
   * another connection's message may go through the stream in between).
   */
  push(data: Uint8Array, limit: number, last = false): boolean {
    if (data.length === 0) return true;
    if (!this.#shared || (last && this.#pending === null)) {
      return this.#run(data, Z_NO_FLUSH, limit);
    }
    (this.#pending ??= []).push(copyOut(data));
    return true;
  }

  /** Ends the message: returns the inflated bytes, or null (see `code`). */
  finish(limit: number): Uint8Array | null {
    const pending = this.#pending;
    this.#pending = null;
    if (pending !== null) {
      for (const piece of pending) {
        if (!this.#run(piece, Z_NO_FLUSH, limit)) return null;
      }
    }
    if (!this.#run(TAIL, Z_SYNC_FLUSH, limit)) return null;
    const out = concatBytes(this.#parts, this.#size);
    this.#parts = [];
    this.#size = 0;
    if (this.#params.clientNoContextTakeover) this.#stream().reset();
    return out;
  }

  /** Frees zlib memory (its own stream; a shared one stays). */
  close(): void {
    this.#z?.close();
    this.#z = null;
    this.#pending = null;
  }
}

/** Tuning for the server's own compression. */
export interface DeflaterOptions {
  /** zlib level 0–9; default 1: most of the size win for a fraction of the CPU. */
  level?: number;
  /** zlib memLevel 1–9; default 8. */
  memLevel?: number;
  /** Messages shorter than this many bytes go out uncompressed; default 1024. */
  threshold?: number;
}

/**
 * Compresses server messages; the caller sets RSV1 on the first frame.
 *
 * @example
 * ```ts
 * import { MessageDeflater } from "./deflate.ts";
 * import { DEFAULT_PARAMS } from "./deflate_negotiation.ts";
 * import assert from "node:assert/strict";
 * const def = new MessageDeflater(DEFAULT_PARAMS, { threshold: 0 });
 * const payload = def.compress(new TextEncoder().encode("Hello"));
 * def.close();
 * // Without the 00 00 ff ff tail, as §7.2.1 wants:
 * assert.deepEqual(
 *   payload,
 *   new Uint8Array([0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]),
 * );
 * ```
 */
export class MessageDeflater {
  #params: DeflateParams;
  #opts: DeflaterOptions;
  #z: SyncZlib | null = null;
  /** Messages below this many bytes should be sent uncompressed. */
  readonly threshold: number;

  /** `params` are the negotiated ones. */
  constructor(params: DeflateParams, opts: DeflaterOptions = {}) {
    this.#params = params;
    this.#opts = opts;
    this.threshold = opts.threshold ?? 1024;
  }

  /** Deflates one whole message and strips the tail. */
  compress(data: Uint8Array): Uint8Array {
    const p = this.#params;
    const opts = {
      windowBits: p.serverMaxWindowBits,
      level: this.#opts.level ?? 1,
      memLevel: this.#opts.memLevel ?? 8,
    };
    // server_no_context_takeover: every message from an empty context, so
    // the process's one stream serves every such connection.
    const z = p.serverNoContextTakeover
      ? sharedStream("deflate", opts)
      : (this.#z ??= new SyncZlib("deflate", opts));
    const parts: Uint8Array[] = [];
    const n = z.write(data, Z_SYNC_FLUSH, parts, Infinity);
    if (n < 0) throw new Error(`deflate failed: ${z.error}`);
    if (p.serverNoContextTakeover) z.reset();
    const out = concatBytes(parts, n);
    // A sync flush always ends with the empty stored block; drop it.
    return out.subarray(0, out.length - TAIL.length);
  }

  /** Frees zlib memory (its own stream; a shared one stays). */
  close(): void {
    this.#z?.close();
    this.#z = null;
  }
}
