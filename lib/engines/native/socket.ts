/**
 * One native WebSocket over a `Deno.Conn`: reads fed to a `FrameParser`,
 * the closing handshake, the idle trim. It is the `Transport` a core
 * `Connection` sends through, and the parser's handlers; the sending side
 * is `WsOutput`'s, reads and the end of TCP are `TcpSocket`'s.
 *
 * Most connections are idle most of the time, and every byte an idle one
 * keeps is multiplied by the connections (docs/performance.md, "Memory per
 * idle connection"). So: one object with methods, not closures; flags in one
 * number; the parser made on the first byte read, the writer and write loop
 * on the first frame sent, both dropped again by the idle sweep; zlib
 * contexts on first use.
 *
 * @module
 */

import type { Connection, Transport } from "../../core/connection.ts";
import { MessageInflater } from "../../protocol/deflate.ts";
import type { DeflaterOptions } from "../../protocol/deflate.ts";
import type { DeflateParams } from "../../protocol/deflate_negotiation.ts";
import { FrameParser } from "../../protocol/frame_parser.ts";
import type { FrameHandlers } from "../../protocol/frame_parser.ts";
import { encodeFrame } from "../../protocol/frame_writer.ts";
import { WsOutput } from "./ws_output.ts";

/** Settings shared by every socket of a server (one object for all). */
export interface NativeSocketOptions {
  /** Largest message accepted; bigger closes with 1009. */
  maxMessageSize: number;
  /** Compression tuning when deflate is on. */
  deflater?: DeflaterOptions;
  /** How long to wait for the peer's close reply, ms; default 3000. */
  closeTimeoutMs?: number;
  /** Told once a socket has ended and its `Connection` has been told. */
  ended?(socket: NativeSocket): void;
}

// Flags, one number for both.
const PEER_CLOSED = 1; // its close frame arrived: it sends nothing more
const INPUT_DONE = 2; // parse nothing more (after a close, error or fail)

/**
 * The socket. `start()` begins reading; `options.ended` hears when the TCP
 * connection is gone and the `Connection` has been told (once) how it closed.
 *
 * @example
 * ```ts ignore
 * const ws = new NativeSocket(tcp, pending.conn, sharedOptions, null);
 * pending.conn.attach(ws);
 * ws.start(rest);
 * ```
 */
export class NativeSocket extends WsOutput implements Transport, FrameHandlers {
  #conn: Connection<unknown>;
  #opts: NativeSocketOptions;
  #parser: FrameParser | null = null;
  #inflater: MessageInflater | null = null;
  #flags = 0;
  #code = 1006; // what the Connection hears at the end
  #reason = "";
  /** Topic fan-out (see `Transport.encode`): absent under deflate. */
  encode?: (data: string | Uint8Array) => Uint8Array;

  /** Wraps an upgraded TCP connection; `deflate`: the agreed parameters. */
  constructor(
    tcp: Deno.Conn,
    conn: Connection<unknown>,
    opts: NativeSocketOptions,
    deflate: DeflateParams | null,
  ) {
    super(tcp, deflate, opts.deflater);
    this.#conn = conn;
    this.#opts = opts;
    // Per-connection zlib contexts depend on each one's history; otherwise
    // a published message is framed once for every subscriber.
    if (deflate === null) this.encode = encodeFrame;
  }

  /** Sends a close frame; the TCP connection ends on the reply or timeout. */
  close(code: number, reason: string): void {
    if (this.tcpClosed || !this.queueClose(code, reason)) return;
    this.#code = code;
    this.#reason = reason;
    this.closeTcpAfter(this.#opts.closeTimeoutMs ?? 3000);
  }

  /** Fails the connection: close frame with `code`, then TCP close. */
  fail(code: number, reason: string): void {
    if (this.tcpClosed) return;
    this.#stopInput();
    if (!this.sentClose) {
      this.#conn.failed(new Error(`${code} ${reason}`));
      this.close(code, reason);
    }
    // The peer's reply will not be parsed: end once our close is written.
    this.endAfterFlush();
  }

  /** Drops the connection at once, no closing handshake (core's deadline). */
  abort(): void {
    this.#closeAll();
  }

  /** Frees what an idle socket does not need (called by the sweeper). */
  trim(): void {
    // A peer that sent its close frame but does not read our reply gets a
    // sweep period, then the connection is dropped.
    if (this.#flags & PEER_CLOSED) return this.#closeAll();
    if (this.#parser?.idle) this.#parser = null;
    this.dropIdleOutput();
    this.shrinkReads();
  }

  /** Starts reading; `rest` = bytes that came after the request head. */
  start(rest: Uint8Array): void {
    if (rest.length > 0) this.received(rest);
    this.readOn();
  }

  // FrameHandlers: what the parser found.

  /** A whole message arrived. */
  onMessage(data: string | Uint8Array): void {
    this.#conn.received(data);
  }

  /** A ping arrived: answer it. */
  onPing(payload: Uint8Array): void {
    this.pong(payload);
  }

  /** A pong arrived (nothing to do: any input counts as life). */
  onPong(): void {}

  /** The peer's close frame: echo it (1005 means: no code, none back). */
  onClose(code: number, reason: string): void {
    this.#flags |= PEER_CLOSED;
    this.#code = code;
    this.#reason = reason;
    this.queueClose(code, reason); // unless ours went first
    this.endAfterFlush();
  }

  /** A protocol violation: close with its code. */
  onError(code: number, reason: string): void {
    this.fail(code, reason);
  }

  /** WriteLoopOwner: our close is written (or the peer is gone). */
  writeEnded(): void {
    // The peer's close frame was its last data (RFC 6455 §5.5.1): nothing
    // is left unread to turn our close into a RST, so close at once, as
    // Deno's engine does (a half-close and a wait for its FIN cost ~10% of
    // a short connection's server time).
    if (this.#flags & PEER_CLOSED) this.#closeAll();
    else this.endTcp();
  }

  /** TcpSocket: bytes read (the buffer is reused: the parser is transient). */
  protected received(bytes: Uint8Array): void {
    if (this.#flags & INPUT_DONE) return;
    if (this.#parser === null) {
      const p = this.deflateParams;
      if (p !== null) this.#inflater ??= new MessageInflater(p);
      this.#parser = new FrameParser(this, {
        maxMessageSize: this.#opts.maxMessageSize,
        inflater: this.#inflater,
        transient: true,
      });
    }
    this.#parser.push(bytes);
  }

  #stopInput(): void {
    this.#flags |= INPUT_DONE;
    this.#parser?.stop();
    this.#parser = null;
  }

  /** TcpSocket: read again, unless the connection is over. */
  protected readOn(): void {
    if (this.tcpClosed) return this.#finish();
    if (this.#flags & PEER_CLOSED) {
      // Nothing more to read: wait for our close frame to be written rather
      // than leave a read pending that the close would abort (an exception
      // per connection).
      this.drain(0).then(() => this.#finish());
      return;
    }
    this.read();
  }

  /** TcpSocket: the peer closed, or a read failed. */
  protected readEnded(err: Error | null): void {
    // A peer gone without a close frame: error() hears of it, as on Deno.
    if (err === null && !this.sentClose) err = new Error("Unexpected EOF");
    if (err !== null && !this.tcpClosed) this.#conn.failed(err);
    this.#finish();
  }

  #closeAll(): void {
    this.#stopInput();
    this.closeTcp();
    this.stopOutput();
  }

  /** The end: after the last read, never with one pending. */
  #finish(): void {
    this.#closeAll();
    this.releaseReadBuffer();
    this.#inflater?.close();
    this.closeDeflater();
    this.#conn.closed(this.#code, this.#reason);
    this.#opts.ended?.(this);
  }
}
