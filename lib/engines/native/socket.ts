/**
 * One native WebSocket over a `Deno.Conn`: the read loop feeding the
 * `FrameParser`, a `WriteLoop` draining the `FrameWriter`, and the closing
 * handshake. It is the `Transport` a core `Connection` sends
 * through, and tells that `Connection` what arrives.
 *
 * @module
 */

import type { Connection, Transport } from "../../core/connection.ts";
import { MessageDeflater, MessageInflater } from "../../protocol/deflate.ts";
import type { DeflaterOptions } from "../../protocol/deflate.ts";
import type { DeflateParams } from "../../protocol/deflate_negotiation.ts";
import { FrameParser } from "../../protocol/frame_parser.ts";
import { encodeFrame, FrameWriter } from "../../protocol/frame_writer.ts";
import { WriteLoop } from "./write_loop.ts";

/** Per-socket settings. */
export interface NativeSocketOptions {
  /** Largest message accepted; bigger closes with 1009. */
  maxMessageSize: number;
  /** Negotiated permessage-deflate parameters, or null. */
  deflate: DeflateParams | null;
  /** Compression tuning when deflate is on. */
  deflater?: DeflaterOptions;
  /** How long to wait for the peer's close reply, ms; default 3000. */
  closeTimeoutMs?: number;
}

// Read buffers start small (an idle connection's pending read pins its
// buffer: this is memory per idle connection) and double while reads fill
// them, up to MAX_READ. A head buffer handed over by the HTTP reader is kept
// if it is no bigger than MAX_ADOPT.
const MIN_READ = 1024, MAX_READ = 256 * 1024, MAX_ADOPT = 4 * 1024;
// After our FIN, how long the peer gets to close its side.
const LINGER_MS = 1000;
const EMPTY = new Uint8Array(0);

/**
 * The socket. `run()` resolves once the TCP connection is gone and the
 * `Connection` has been told (exactly once) how it closed.
 *
 * @example
 * ```ts ignore
 * const ws = new NativeSocket(tcp, pending.conn, { maxMessageSize, deflate: null });
 * pending.conn.attach(ws);
 * await ws.run(rest);
 * ```
 */
export class NativeSocket implements Transport {
  #tcp: Deno.Conn;
  #conn: Connection<unknown>;
  #parser: FrameParser;
  #writer: FrameWriter;
  #out: WriteLoop;
  #inflater: MessageInflater | null = null;
  #deflater: MessageDeflater | null = null;
  #closeTimeoutMs: number;
  #sentClose = false;
  #tcpClosed = false;
  #halfClosed = false;
  #peerClosed = false; // its close frame arrived: it sends nothing more
  #timer: ReturnType<typeof setTimeout> | undefined;
  #code = 1006; // what the Connection hears at the end
  #reason = "";
  #readBuf: Uint8Array = EMPTY;
  /**
   * Topic fan-out (see `Transport.encode`): one shared frame per published
   * message. Left undefined under permessage-deflate, whose frames depend
   * on each connection's compression context.
   */
  encode?: (data: string | Uint8Array) => Uint8Array;
  /** Queues a frame made by `encode`. */
  sendEncoded?: (frame: unknown) => void;
  /** Sweeper ticks since anything was read (see `IdleSweeper`). */
  idleTicks = 0;

  /** Wraps an upgraded TCP connection. */
  constructor(
    tcp: Deno.Conn,
    conn: Connection<unknown>,
    opts: NativeSocketOptions,
  ) {
    this.#tcp = tcp;
    this.#conn = conn;
    this.#closeTimeoutMs = opts.closeTimeoutMs ?? 3000;
    if (opts.deflate) {
      this.#inflater = new MessageInflater(opts.deflate);
      this.#deflater = new MessageDeflater(opts.deflate, opts.deflater);
    }
    if (!opts.deflate) {
      this.encode = encodeFrame;
      this.sendEncoded = (frame) => {
        if (this.#sentClose) return;
        this.#writer.raw(frame as Uint8Array);
        this.#out.schedule();
      };
    }
    this.#writer = new FrameWriter({
      // Small first (a short connection writes only its close frame); grows
      // by doubling, and stays grown, under load.
      blockSize: 256,
      deflater: this.#deflater,
    });
    this.#out = new WriteLoop(tcp, this.#writer, () => this.#endTcp());
    this.#parser = new FrameParser({
      onMessage: (data) => this.#conn.received(data),
      onPing: (payload) => {
        if (this.#sentClose) return;
        this.#writer.pong(payload);
        this.#out.schedule();
      },
      onPong: () => {},
      onClose: (code, reason) => {
        this.#peerClosed = true;
        this.#code = code;
        this.#reason = reason;
        if (!this.#sentClose) { // echo it (1005 means: no code, none back)
          this.#sentClose = true;
          if (code === 1005) this.#writer.close();
          else this.#writer.close(code, reason);
        }
        this.#out.endAfterFlush = true;
        this.#out.schedule();
      },
      onError: (code, reason) => this.fail(code, reason),
    }, {
      maxMessageSize: opts.maxMessageSize,
      inflater: this.#inflater,
      transient: true,
    });
  }

  /** Bytes queued or being written. */
  get bufferedAmount(): number {
    return this.#out.bufferedAmount;
  }

  /** Queues a message; it leaves with everything else sent this turn. */
  send(data: string | Uint8Array): void {
    if (this.#sentClose) return;
    if (typeof data === "string") this.#writer.text(data);
    else this.#writer.binary(data);
    this.#out.schedule();
  }

  /** Sends a close frame; the TCP connection ends on the reply or timeout. */
  close(code: number, reason: string): void {
    if (this.#sentClose || this.#tcpClosed) return;
    this.#sentClose = true;
    try {
      this.#writer.close(code, reason);
    } catch { // not a wire-valid code or reason too long: send no payload
      this.#writer.close();
    }
    this.#code = code;
    this.#reason = reason;
    this.#out.schedule();
    this.#timer = setTimeout(() => this.#closeTcp(), this.#closeTimeoutMs);
  }

  /** Resolves when `bufferedAmount` ≤ `limit` or the socket is closed. */
  drain(limit: number): Promise<void> {
    return this.#out.drain(limit);
  }

  /** Sends a ping (idle check). */
  ping(): void {
    if (this.#sentClose) return;
    this.#writer.ping();
    this.#out.schedule();
  }

  /** Fails the connection: close frame with `code`, then TCP close. */
  fail(code: number, reason: string): void {
    if (this.#tcpClosed) return;
    this.#parser.stop();
    if (!this.#sentClose) {
      this.#conn.failed(new Error(`${code} ${reason}`));
      this.close(code, reason);
    }
    // The peer's reply will not be parsed: end once our close is written.
    this.#out.endAfterFlush = true;
    this.#out.schedule();
  }

  /** Drops the connection at once, no closing handshake (core's deadline). */
  abort(): void {
    this.#closeTcp();
  }

  /** Frees buffers while idle (called by the sweeper). */
  trim(): void {
    // A peer that sent its close frame but does not read our reply gets a
    // sweep period, then the connection is dropped.
    if (this.#peerClosed) return this.#closeTcp();
    if (!this.#out.busy && this.#writer.pending === 0) this.#writer.release();
    // The pending read keeps the old buffer; the next one is small again.
    if (this.#readBuf.length > MIN_READ) {
      this.#readBuf = new Uint8Array(MIN_READ);
    }
  }

  /**
   * Runs until the TCP connection is closed; `rest` = bytes after the head,
   * `buffer` = the buffer they are a view into, read into from now on (it
   * saves an allocation per connection; a big one is not kept).
   */
  async run(rest: Uint8Array, buffer?: Uint8Array): Promise<void> {
    if (rest.length > 0) this.#parser.push(rest);
    if (this.#peerClosed) await this.#out.drain(0);
    // After push(): the parser is transient, `rest` may be overwritten now.
    this.#readBuf = buffer && buffer.length <= MAX_ADOPT
      ? buffer
      : new Uint8Array(MIN_READ);
    try {
      while (!this.#tcpClosed && !this.#peerClosed) {
        // One buffer, reused: the parser is transient and copies only what
        // it keeps, so a read costs no allocation.
        const buf = this.#readBuf;
        const n = await this.#tcp.read(buf);
        if (n === null) {
          // No close frame: error() hears of it, as on Deno.
          if (!this.#sentClose) this.#conn.failed(new Error("Unexpected EOF"));
          break;
        }
        this.idleTicks = 0;
        if (!this.#parser.done) this.#parser.push(buf.subarray(0, n));
        if (this.#peerClosed) {
          // Nothing more to read: wait for our close frame to be written
          // rather than leave a read pending that the close would abort
          // (an exception per connection).
          await this.#out.drain(0);
          break;
        }
        if (n === buf.length && n < MAX_READ) {
          this.#readBuf = new Uint8Array(n * 2);
        }
      }
    } catch (err) {
      if (!this.#tcpClosed) this.#conn.failed(err);
    }
    this.#closeTcp();
    this.#inflater?.close();
    this.#deflater?.close();
    this.#conn.closed(this.#code, this.#reason);
  }

  /**
   * Ends our side once the close frame is written: FIN first (the server
   * closes first, RFC 6455 §7.1.1), then read until the peer's FIN. Closing
   * outright with unread input would make the kernel send a RST, which can
   * destroy the close frame before the peer reads it.
   */
  #endTcp(): void {
    if (this.#tcpClosed || this.#halfClosed) return;
    // The peer's close frame was its last data (RFC 6455 §5.5.1): nothing
    // is left unread to turn our close into a RST, so close at once, as
    // Deno's engine does (a half-close and a wait for its FIN cost ~10% of
    // a short connection's server time).
    if (this.#peerClosed) return this.#closeTcp();
    this.#halfClosed = true;
    try {
      this.#tcp.closeWrite();
    } catch {
      return this.#closeTcp();
    }
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#closeTcp(), LINGER_MS);
  }

  #closeTcp(): void {
    if (this.#tcpClosed) return;
    this.#tcpClosed = true;
    clearTimeout(this.#timer);
    this.#parser.stop();
    try {
      this.#tcp.close();
    } catch { /* already closed */ }
    this.#out.stop();
  }
}
