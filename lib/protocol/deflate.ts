/**
 * permessage-deflate message transforms (RFC 7692 §7.2): one inflater for
 * what the client sends, one deflater for what the server sends, each with
 * its own persistent zlib context unless no_context_takeover was agreed.
 * zlib memory is only allocated on first use, so a connection that never
 * sends a compressed message costs nothing extra.
 *
 * @module
 */

import { concatBytes } from "./bytes.ts";
import type { DeflateParams } from "./deflate_negotiation.ts";
import { SyncZlib, Z_NO_FLUSH, Z_SYNC_FLUSH } from "./zlib_sync.ts";

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
  #parts: Uint8Array[] = [];
  #size = 0;
  /** Why the last push/finish failed: 1007 bad data, 1009 too big. */
  code = 0;

  /** `params` are the negotiated ones. */
  constructor(params: DeflateParams) {
    this.#params = params;
  }

  #run(data: Uint8Array, flush: number, limit: number): boolean {
    // Inflating with at least 9 bits: zlib compressors asked for 8 use 9.
    this.#z ??= new SyncZlib("inflate", {
      windowBits: this.#params.clientMaxWindowBits,
    });
    const n = this.#z.write(
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
    return false;
  }

  /** Feeds compressed bytes of the current message; false on failure. */
  push(data: Uint8Array, limit: number): boolean {
    return data.length === 0 || this.#run(data, Z_NO_FLUSH, limit);
  }

  /** Ends the message: returns the inflated bytes, or null (see `code`). */
  finish(limit: number): Uint8Array | null {
    if (!this.#run(TAIL, Z_SYNC_FLUSH, limit)) return null;
    const out = concatBytes(this.#parts, this.#size);
    this.#parts = [];
    this.#size = 0;
    if (this.#params.clientNoContextTakeover) this.#z!.reset();
    return out;
  }

  /** Frees zlib memory. */
  close(): void {
    this.#z?.close();
    this.#z = null;
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
    this.#z ??= new SyncZlib("deflate", {
      windowBits: this.#params.serverMaxWindowBits,
      level: this.#opts.level ?? 1,
      memLevel: this.#opts.memLevel ?? 8,
    });
    const parts: Uint8Array[] = [];
    const n = this.#z.write(data, Z_SYNC_FLUSH, parts, Infinity);
    if (n < 0) throw new Error(`deflate failed: ${this.#z.error}`);
    if (this.#params.serverNoContextTakeover) this.#z.reset();
    const out = concatBytes(parts, n);
    // A sync flush always ends with the empty stored block; drop it.
    return out.subarray(0, out.length - TAIL.length);
  }

  /** Frees zlib memory. */
  close(): void {
    this.#z?.close();
    this.#z = null;
  }
}
