/**
 * The write side of a native socket: drains a `FrameWriter` into a
 * `Deno.Conn`, one write at a time. Everything queued while a write is in
 * flight leaves in the next single write, so coalescing follows the
 * network's pace; `bufferedAmount` and `drain()` are exact.
 *
 * @module
 */

import type { FrameWriter } from "../../protocol/frame_writer.ts";

/**
 * One connection's write loop.
 *
 * @example
 * ```ts ignore
 * const out = new WriteLoop(tcp, new FrameWriter(), () => tcp.closeWrite());
 * out.frames.text("hi");
 * out.schedule(); // written at the end of this turn
 * ```
 */
export class WriteLoop {
  /** Where frames are queued; `schedule()` after queueing. */
  readonly frames: FrameWriter;
  /** Call `onEnd` once everything queued so far is written. */
  endAfterFlush = false;
  #tcp: Deno.Conn;
  #onEnd: () => void;
  #inflight = 0; // bytes of the current write not yet accepted
  #writing = false;
  #queued = false;
  #stopped = false;
  #noDelay = false;
  #waiters: { limit: number; resolve: () => void }[] = [];

  /** `onEnd` runs after a flush when `endAfterFlush` is set, or on error. */
  constructor(tcp: Deno.Conn, frames: FrameWriter, onEnd: () => void) {
    this.#tcp = tcp;
    this.frames = frames;
    this.#onEnd = onEnd;
  }

  /** Bytes queued or being written. */
  get bufferedAmount(): number {
    return this.frames.pending + this.#inflight;
  }

  /** True while a write is in flight. */
  get busy(): boolean {
    return this.#writing;
  }

  /** Flushes at the end of this turn (a microtask), unless already due. */
  schedule(): void {
    if (this.#queued || this.#writing) return;
    this.#queued = true;
    queueMicrotask(() => this.#flush());
  }

  /** Resolves when `bufferedAmount` ≤ `limit` or the loop stopped. */
  drain(limit: number): Promise<void> {
    if (this.bufferedAmount <= limit || this.#stopped) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push({ limit, resolve }));
  }

  /** The connection is gone: write nothing more, release drain waiters. */
  stop(): void {
    this.#stopped = true;
    this.#wake();
  }

  async #flush(): Promise<void> {
    this.#queued = false;
    if (this.#writing || this.#stopped) return;
    this.#writing = true;
    if (!this.#noDelay && !this.endAfterFlush) {
      // Small frames must not wait for Nagle; set on the first write that
      // is not the last (a short connection's close reply needs no op).
      // TLS conns have no such switch.
      this.#noDelay = true;
      (this.#tcp as Partial<Deno.TcpConn>).setNoDelay?.(true);
    }
    try {
      // take() only after the previous write finished: its view stays valid.
      for (let bytes; (bytes = this.frames.take()) !== null;) {
        this.#inflight = bytes.length;
        for (let off = 0; off < bytes.length;) {
          off += await this.#tcp.write(bytes.subarray(off));
          this.#inflight = bytes.length - off;
        }
        this.#wake();
      }
    } catch {
      this.endAfterFlush = true; // the peer is gone
    } finally {
      this.#writing = false;
      this.#inflight = 0;
    }
    if (this.endAfterFlush) this.#onEnd();
  }

  #wake(): void {
    const amount = this.bufferedAmount;
    this.#waiters = this.#waiters.filter((w) => {
      if (amount > w.limit && !this.#stopped) return true;
      w.resolve();
      return false;
    });
  }
}
