/**
 * The TCP side of a native socket: reads (one pending at a time, into the
 * buffers of `read_buffer.ts`) and the end of the connection (FIN, linger,
 * close). `NativeSocket` extends it with the WebSocket side; one object per
 * connection, not two.
 *
 * No async function stays suspended per connection: each read continues
 * through one bound method (a suspended async function with its promise
 * and resume closures cost ~0.4 KiB per idle connection, measured), and
 * reads go straight to Deno's read op where it allows (`core_read.ts`).
 *
 * @module
 */

import { coreRead, rawReader } from "./core_read.ts";
import { giveRegion, grownBuffer, takeRegion } from "./read_buffer.ts";

// After our FIN, how long the peer gets to close its side.
const LINGER_MS = 1000;

const CLOSED = 1, HALF_CLOSED = 2, REGION_BUF = 4, SHRINK = 8;

/**
 * Reading and closing one TCP connection. Subclasses say what to do with
 * bytes (`received`), when to read on (`readOn`) and what the end means
 * (`readEnded`).
 *
 * @example
 * ```ts ignore
 * class Echo extends TcpSocket {
 *   protected received(b: Uint8Array) { this.tcp.write(b.slice()); }
 *   protected readOn() { this.read(); }
 *   protected readEnded() { this.closeTcp(); }
 * }
 * ```
 */
export abstract class TcpSocket {
  /** The connection. */
  protected readonly tcp: Deno.Conn;
  #tcpFlags = REGION_BUF;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #buf: Uint8Array = takeRegion();
  #rid: number; // for coreRead(), or -1: read through tcp.read()
  #onRead: (r: number | null | Error) => void;
  /** Sweeper ticks since anything was read (see `IdleSweeper`). */
  idleTicks = 0;

  /** Wraps `tcp`. */
  constructor(tcp: Deno.Conn) {
    this.tcp = tcp;
    this.#rid = rawReader(tcp);
    this.#onRead = this.#readDone.bind(this);
  }

  /** True once the connection is closed (by either side). */
  get tcpClosed(): boolean {
    return (this.#tcpFlags & CLOSED) !== 0;
  }

  /** Bytes read; the buffer they are in is reused once this returns. */
  protected abstract received(bytes: Uint8Array): void;
  /** A read finished and was handled: call `read()` again, or end. */
  protected abstract readOn(): void;
  /** The peer closed (`null`) or a read failed; no read is pending now. */
  protected abstract readEnded(err: Error | null): void;

  /** Starts one read. */
  protected read(): void {
    const rid = this.#rid;
    const pending = rid >= 0
      ? coreRead(rid, this.#buf)
      : this.tcp.read(this.#buf);
    pending.then(this.#onRead, this.#onRead);
  }

  /** Reads go back to a small buffer after the pending one (when idle). */
  protected shrinkReads(): void {
    if (!(this.#tcpFlags & REGION_BUF)) this.#tcpFlags |= SHRINK;
  }

  /**
   * Ends our side: FIN first (the server closes first, RFC 6455 §7.1.1),
   * then reads until the peer's FIN, or closes `LINGER_MS` later. Closing
   * outright with unread input would make the kernel send a RST, which can
   * destroy our close frame before the peer reads it.
   */
  protected endTcp(): void {
    if (this.#tcpFlags & (CLOSED | HALF_CLOSED)) return;
    this.#tcpFlags |= HALF_CLOSED;
    try {
      this.tcp.closeWrite();
    } catch {
      return this.closeTcp();
    }
    this.closeTcpAfter(LINGER_MS);
  }

  /** Closes the connection `ms` from now unless it is closed before. */
  protected closeTcpAfter(ms: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.closeTcp(), ms);
  }

  /** Closes the connection now (a pending read then ends). */
  protected closeTcp(): void {
    if (this.#tcpFlags & CLOSED) return;
    this.#tcpFlags |= CLOSED;
    clearTimeout(this.#timer);
    try {
      this.tcp.close();
    } catch { /* already closed */ }
  }

  /** Gives the read buffer back; call once, after the last read. */
  protected releaseReadBuffer(): void {
    if (this.#tcpFlags & REGION_BUF) giveRegion(this.#buf);
    this.#tcpFlags &= ~REGION_BUF;
  }

  #readDone(r: number | null | Error): void {
    // null (tcp.read) or 0 (coreRead; buffers are never empty): the end.
    if (typeof r !== "number" || r === 0) {
      return this.readEnded(r instanceof Error ? r : null);
    }
    this.idleTicks = 0;
    const buf = this.#buf;
    this.received(buf.subarray(0, r));
    // The buffer is free again: pick the next one.
    const flags = this.#tcpFlags, region = (flags & REGION_BUF) !== 0;
    const back = (flags & SHRINK) !== 0 && r < buf.length;
    const next = back ? takeRegion() : grownBuffer(buf, r, region);
    if (next !== buf) {
      if (region) giveRegion(buf);
      this.#buf = next;
      this.#tcpFlags = (flags & ~(REGION_BUF | SHRINK)) |
        (back ? REGION_BUF : 0);
    }
    this.readOn();
  }
}
