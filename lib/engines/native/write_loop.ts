/**
 * The write side of a native socket: drains a `FrameWriter` into a
 * `Deno.Conn`, one write at a time. Everything queued while a write is in
 * flight leaves in the next single write, so coalescing follows the
 * network's pace; `bufferedAmount` and `drain()` are exact. A socket makes
 * its loop on its first write and may drop it when idle (`idle`).
 *
 * @module
 */

import type { FrameWriter } from "../../protocol/frame_writer.ts";

/** Who is told when the loop ends: a method, not a closure per socket. */
export interface WriteLoopOwner {
  /** Everything is written and `endAfterFlush` was set, or a write failed. */
  writeEnded(): void;
}

interface Waiter {
  limit: number;
  resolve: () => void;
}

/**
 * One connection's write loop.
 *
 * @example
 * ```ts ignore
 * const out = new WriteLoop(tcp, new FrameWriter(), { writeEnded() {} });
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
  #owner: WriteLoopOwner;
  #inflight = 0; // bytes of the current write not yet accepted
  #writing = false;
  #queued = false;
  #stopped = false;
  #noDelay: boolean;
  #waiters: Waiter[] | null = null; // made by the first drain() that waits

  /**
   * The owner's `writeEnded()` runs after a flush when `endAfterFlush` is
   * set, or on a write error. `noDelay`: TCP_NODELAY is already on.
   */
  constructor(
    tcp: Deno.Conn,
    frames: FrameWriter,
    owner: WriteLoopOwner,
    noDelay = false,
  ) {
    this.#tcp = tcp;
    this.frames = frames;
    this.#owner = owner;
    this.#noDelay = noDelay;
  }

  /** True when nothing is queued, in flight or awaited: it may be dropped. */
  get idle(): boolean {
    return !this.#writing && !this.#queued && this.frames.pending === 0 &&
      !this.#waiters?.length && !this.endAfterFlush;
  }

  /** TCP_NODELAY is on (for a loop made to replace this one). */
  get noDelay(): boolean {
    return this.#noDelay;
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
    return new Promise((resolve) =>
      (this.#waiters ??= []).push({ limit, resolve })
    );
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
    if (this.endAfterFlush) this.#owner.writeEnded();
  }

  #wake(): void {
    if (this.#waiters === null) return;
    const amount = this.bufferedAmount;
    this.#waiters = this.#waiters.filter((w) => {
      if (amount > w.limit && !this.#stopped) return true;
      w.resolve();
      return false;
    });
  }
}
