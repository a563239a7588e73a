/**
 * `ConnectionBase`: what a connection is (its identity and counters) and how
 * it sends and closes. `Connection` adds the handler's side: engine events,
 * handler calls and topics. Split so each half reads on its own.
 *
 * @module
 */
import { assertHandlerClose } from "../protocol/close_code.ts";
import { utf8Length } from "../protocol/utf8_length.ts";
import type { Outgoing } from "../topics/registry.ts";
import {
  CLOSE_DEADLINE_MS,
  drainBelow,
  SLOW_CONSUMER_DROP_MS,
  unrefTimeout,
} from "./flow_control.ts";
import type {
  ConnectionInit,
  ConnMeter,
  ConnStats,
  Transport,
} from "./transport.ts";
import type { MessageData, ReadyState, RemoteAddr } from "../types.ts";

/**
 * The sending and closing half of a connection; `Connection` extends it.
 *
 * @example
 * ```ts ignore
 * class Probe extends ConnectionBase<null> {
 *   closed(code: number, reason: string) {}
 * }
 * ```
 */
export abstract class ConnectionBase<S> {
  readonly id: string;
  readonly params: Readonly<Record<string, string>>;
  readonly headers: Headers;
  readonly remoteAddr: RemoteAddr;
  readonly protocol: string;
  readonly extensions: string;
  state: S;
  readonly stats: ConnStats = {
    msgsIn: 0,
    bytesIn: 0,
    msgsOut: 0,
    bytesOut: 0,
    openedAt: 0,
    dropped: 0,
  };
  /** Set by the app before `opened` to count this route's traffic; or null. */
  meter: ConnMeter | null = null;
  protected _readyState: ReadyState = 0;
  protected _transport: Transport | null = null;
  protected readonly _init: ConnectionInit<S>;
  protected _closeDeadline: ReturnType<typeof setTimeout> | undefined;
  #url: URL | string;

  constructor(init: ConnectionInit<S>) {
    this._init = init;
    this.id = init.id;
    this.#url = init.url;
    this.params = init.params;
    this.headers = init.headers;
    this.remoteAddr = init.remoteAddr;
    this.protocol = init.protocol;
    this.extensions = init.extensions ?? "";
    this.state = init.state;
  }

  /** Engine event: the connection is gone (the handler hears of it once). */
  abstract closed(code: number, reason: string): void;

  /** Parsed on first read: most handlers never look. */
  get url(): URL {
    const u = this.#url;
    return typeof u === "string" ? (this.#url = new URL(u)) : u;
  }

  /**
   * The request path, for logs: building a `URL` for it cost more than
   * formatting both log lines of a connection (~27k instructions against
   * ~21k under callgrind).
   */
  get path(): string {
    return this._init.path ?? this.url.pathname;
  }

  get origin(): string {
    return this.headers.get("origin") ?? "";
  }

  get readyState(): ReadyState {
    return this._readyState;
  }

  get bufferedAmount(): number {
    return this._transport?.bufferedAmount ?? 0;
  }

  /** Connects the engine's transport; called by the engine before `opened`. */
  attach(transport: Transport): void {
    this._transport = transport;
  }

  send(data: MessageData | ArrayBuffer): boolean {
    const transport = this._transport;
    if (this._readyState !== 1 || !transport) return false;
    const payload = data instanceof ArrayBuffer ? new Uint8Array(data) : data;
    transport.send(payload);
    const size = typeof payload === "string"
      ? utf8Length(payload)
      : payload.byteLength;
    this.stats.msgsOut++;
    this.stats.bytesOut += size;
    this.meter?.sent(size);
    // One read of bufferedAmount per send (on Deno it is a call into Rust):
    // the buffer only grows by sends, so checking after each is enough.
    const buffered = transport.bufferedAmount;
    const limit = this._init.sendBufferLimit;
    if (limit && buffered > limit) {
      this.closeWith(1013, "slow consumer", SLOW_CONSUMER_DROP_MS);
      return false;
    }
    return buffered < this._init.sendHighWater;
  }

  drained(): Promise<void> {
    const transport = this._transport;
    if (!transport || this._readyState >= 2) return Promise.resolve();
    return drainBelow(
      transport,
      this._init.sendHighWater,
      () => this._readyState >= 2,
    );
  }

  /**
   * True when nothing should be sent to this connection: it is not open, or
   * its send buffer (plus `extra` bytes about to be sent) is over
   * `--send-buffer-limit` — then it is closed 1013 "slow consumer" and
   * dropped soon after if the close cannot get through. `send()` applies it;
   * fan-out to many connections calls it to skip a slow one cheaply.
   */
  overSendLimit(extra = 0): boolean {
    if (this._readyState !== 1) return true;
    const limit = this._init.sendBufferLimit;
    if (!limit || this.bufferedAmount + extra <= limit) return false;
    this.closeWith(1013, "slow consumer", SLOW_CONSUMER_DROP_MS);
    return true;
  }

  /**
   * Topic fan-out: sends one published message. A subscriber whose send
   * buffer is over its high-water mark misses it (at-most-once), so one
   * slow reader never holds up the publisher or grows memory without bound.
   */
  deliver(msg: Outgoing): void {
    const t = this._transport;
    if (this._readyState !== 1 || !t) return;
    if (t.bufferedAmount >= this._init.sendHighWater) {
      this.stats.dropped++;
      this.meter?.dropped();
      return;
    }
    const size = msg.byteLength;
    if (t.encode && t.sendEncoded) t.sendEncoded(msg.frame(t.encode));
    else t.send(msg.data);
    this.stats.msgsOut++;
    this.stats.bytesOut += size;
    this.meter?.delivered(size);
  }

  close(code = 1000, reason = ""): void {
    assertHandlerClose(code, reason);
    this.closeWith(code, reason);
  }

  abort(): void {
    if (this._readyState === 3) return;
    const transport = this._transport;
    if (!transport?.abort) {
      throw new Error("this engine cannot drop a connection without a close");
    }
    transport.abort();
    this.closed(1006, "aborted by the server");
  }

  /**
   * Closes with any wire-valid code; for the server's own 1001/1009/1011.
   * A peer that has not finished the closing handshake `dropAfterMs` later
   * is dropped (its unread data would otherwise be held forever).
   */
  closeWith(
    code: number,
    reason: string,
    dropAfterMs = CLOSE_DEADLINE_MS,
  ): void {
    if (this._readyState >= 2) return;
    this._readyState = 2;
    this._transport?.close(code, reason);
    const transport = this._transport;
    if (transport?.abort) {
      this._closeDeadline = unrefTimeout(() => {
        transport.abort!();
        this.closed(1006, `dropped: no close handshake after ${code}`);
      }, dropAfterMs);
    }
  }
}
