/**
 * The sending side of a native WebSocket: a `FrameWriter` and the
 * `WriteLoop` draining it, both made on the first frame sent and dropped
 * again when the idle sweep finds them unused, and the compressor when
 * permessage-deflate was agreed. `NativeSocket` extends it (one object per
 * connection: `TcpSocket` ← `WsOutput` ← `NativeSocket`).
 *
 * @module
 */

import { MessageDeflater } from "../../protocol/deflate.ts";
import type { DeflaterOptions } from "../../protocol/deflate.ts";
import type { DeflateParams } from "../../protocol/deflate_negotiation.ts";
import { FrameWriter } from "../../protocol/frame_writer.ts";
import { TcpSocket } from "./tcp_socket.ts";
import { WriteLoop, type WriteLoopOwner } from "./write_loop.ts";

/** An empty ping (FIN + opcode 9, no payload), shared by every socket. */
const PING_FRAME = new Uint8Array([0x89, 0]);
const ignore = () => {};

/**
 * Frames out of one connection. Subclasses say what the end of writing
 * means (`writeEnded`).
 *
 * @example
 * ```ts ignore
 * this.frames().text("hi");
 * this.schedule(); // written at the end of this turn
 * ```
 */
export abstract class WsOutput extends TcpSocket implements WriteLoopOwner {
  /** The agreed permessage-deflate parameters, or null. */
  protected readonly deflateParams: DeflateParams | null;
  #tuning: DeflaterOptions | undefined;
  #out: WriteLoop | null = null;
  #deflater: MessageDeflater | null = null;
  #noDelay = false; // TCP_NODELAY is on (kept when the loop is dropped)
  #sentClose = false; // our close frame is queued: send nothing more

  /** `deflate`: agreed parameters; `tuning`: the server's compressor settings. */
  constructor(
    tcp: Deno.Conn,
    deflate: DeflateParams | null,
    tuning: DeflaterOptions | undefined,
  ) {
    super(tcp);
    this.deflateParams = deflate;
    this.#tuning = tuning;
  }

  /** Our close is written, or writing failed (`WriteLoopOwner`). */
  abstract writeEnded(): void;

  /** True once our close frame is queued. */
  get sentClose(): boolean {
    return this.#sentClose;
  }

  /** Queues a message; it leaves with everything else sent this turn. */
  send(data: string | Uint8Array): void {
    if (this.#sentClose) return;
    const w = this.frames();
    if (typeof data === "string") w.text(data);
    else w.binary(data);
    this.schedule();
  }

  /** Queues a frame made by `encode` (see `Transport.encode`). */
  sendEncoded(frame: unknown): void {
    if (this.#sentClose) return;
    this.frames().raw(frame as Uint8Array);
    this.schedule();
  }

  /** Sends a ping (idle check). */
  ping(): void {
    if (this.#sentClose) return;
    if (this.#out === null) {
      // A quiet socket has dropped its writer: the 2-byte frame goes from a
      // shared buffer instead of a writer and write loop made for it (every
      // idle socket is pinged once per idle timeout). Deno runs writes to
      // one connection in order; a failed one shows on the read side.
      this.tcp.write(PING_FRAME).then(undefined, ignore);
      return;
    }
    this.frames().ping();
    this.schedule();
  }

  /** Answers a ping. */
  protected pong(payload: Uint8Array): void {
    if (this.#sentClose) return;
    this.frames().pong(payload);
    this.schedule();
  }

  /**
   * Queues our close frame, once (false if it was already): `code` 1005 or
   * one not valid on the wire, or a reason too long, sends no payload.
   */
  protected queueClose(code: number, reason: string): boolean {
    if (this.#sentClose) return false;
    this.#sentClose = true;
    const w = this.frames();
    try {
      if (code === 1005) w.close();
      else w.close(code, reason);
    } catch {
      w.close();
    }
    this.schedule();
    return true;
  }

  /** Bytes queued or being written. */
  get bufferedAmount(): number {
    return this.#out?.bufferedAmount ?? 0;
  }

  /** Resolves when `bufferedAmount` ≤ `limit` or the socket is closed. */
  drain(limit: number): Promise<void> {
    return this.#out?.drain(limit) ?? Promise.resolve();
  }

  /** The writer to queue frames on (made with its write loop on first use). */
  protected frames(): FrameWriter {
    if (this.#out === null) {
      const p = this.deflateParams;
      const deflater = p === null
        ? null
        : (this.#deflater ??= new MessageDeflater(p, this.#tuning));
      // Small first (a short connection writes only its close frame);
      // grows by doubling, and stays grown, under load.
      const writer = new FrameWriter({ blockSize: 256, deflater });
      this.#out = new WriteLoop(this.tcp, writer, this, this.#noDelay);
    }
    return this.#out.frames;
  }

  /** Writes what was queued, at the end of this turn. */
  protected schedule(): void {
    this.#out?.schedule();
  }

  /** Calls `writeEnded()` once everything queued is written. */
  protected endAfterFlush(): void {
    this.frames();
    this.#out!.endAfterFlush = true;
    this.#out!.schedule();
  }

  /** Drops writer and write loop if nothing is queued or awaited. */
  protected dropIdleOutput(): void {
    if (!this.#out?.idle) return;
    this.#noDelay = this.#out.noDelay;
    this.#out = null;
  }

  /** The connection is gone: write nothing more, wake drain waiters. */
  protected stopOutput(): void {
    this.#out?.stop();
  }

  /** Frees the compressor's zlib memory (at the end). */
  protected closeDeflater(): void {
    this.#deflater?.close();
  }
}
