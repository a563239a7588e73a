/**
 * `ConnectionBase`: what a connection is (its identity and counters) and how
 * it sends and closes. `Connection` adds the handler's side: engine events,
 * handler calls and topics. Split so each half reads on its own.
 *
 * @module
 */
import { assertHandlerClose } from "../protocol/close_code.ts";
import { utf8Length } from "../protocol/utf8_length.ts";
import { headersFromHead } from "./request_head.ts";
import type { Outgoing } from "../topics/registry.ts";
import {
  CLOSE_DEADLINE_MS,
  drainBelow,
  SLOW_CONSUMER_DROP_MS,
  unrefTimeout,
} from "./flow_control.ts";
import type {
  ConnectionInit,
  ConnectionSettings,
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
  readonly params: Readonly<Record<string, string>>;
  readonly remoteAddr: RemoteAddr;
  readonly protocol: string;
  readonly extensions: string;
  state: S;
  /** Set by the app before `opened` to count this route's traffic; or null. */
  meter: ConnMeter | null = null;
  protected _readyState: ReadyState = 0;
  protected _transport: Transport | null = null;
  /** Shared by every connection of the app (not a copy per connection). */
  protected readonly _settings: ConnectionSettings<S>;
  protected _closeDeadline: ReturnType<typeof setTimeout> | undefined;
  // The counters of `stats`, as fields: one object fewer per connection.
  protected _msgsIn = 0;
  protected _bytesIn = 0;
  protected _msgsOut = 0;
  protected _bytesOut = 0;
  protected _openedAt = 0;
  protected _dropped = 0;
  #id: string | number;
  #url: URL | string;
  #path: string | undefined;
  #headers: Headers | string;

  constructor(init: ConnectionInit<S>) {
    this._settings = init.settings;
    this.#id = init.id;
    this.#url = init.url;
    this.#path = init.path;
    this.params = init.params;
    this.#headers = init.headers;
    this.remoteAddr = init.remoteAddr;
    this.protocol = init.protocol;
    this.extensions = init.extensions ?? "";
    this.state = init.state;
  }

  /** A short id, unique in this process (a number until first read). */
  get id(): string {
    const id = this.#id;
    return typeof id === "string" ? id : (this.#id = id.toString(36));
  }

  /** This connection's numbers so far (a snapshot). */
  get stats(): ConnStats {
    return {
      msgsIn: this._msgsIn,
      bytesIn: this._bytesIn,
      msgsOut: this._msgsOut,
      bytesOut: this._bytesOut,
      openedAt: this._openedAt,
      dropped: this._dropped,
    };
  }

  /** Engine event: the connection is gone (the handler hears of it once). */
  abstract closed(code: number, reason: string): void;

  /** All headers of the upgrade request. */
  get headers(): Headers {
    const h = this.#headers;
    return typeof h === "string" ? (this.#headers = headersFromHead(h)) : h;
  }

  /**
   * For an engine that read the request head itself: keep its text rather
   * than the `Headers` (made again from it if `headers` is read; most
   * handlers never do, and an idle connection then keeps one string).
   */
  keepHeadText(head: string): void {
    this.#headers = head;
  }

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
    return this.#path ?? this.url.pathname;
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
    this._msgsOut++;
    this._bytesOut += size;
    this.meter?.sent(size);
    // One read of bufferedAmount per send (on Deno it is a call into Rust):
    // the buffer only grows by sends, so checking after each is enough.
    const buffered = transport.bufferedAmount;
    const limit = this._settings.sendBufferLimit;
    if (limit && buffered > limit) {
      this.closeWith(1013, "slow consumer", SLOW_CONSUMER_DROP_MS);
      return false;
    }
    return buffered < this._settings.sendHighWater;
  }

  drained(): Promise<void> {
    const transport = this._transport;
    if (!transport || this._readyState >= 2) return Promise.resolve();
    return drainBelow(
      transport,
      this._settings.sendHighWater,
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
    const limit = this._settings.sendBufferLimit;
    if (!limit || this.bufferedAmount + extra <= limit) return false;
    this.closeWith(1013, "slow consumer", SLOW_CONSUMER_DROP_MS);
    return true;
  }

  /**
   * Topic fan-out: sends one published message. A subscriber whose send
   * buffer is over its high-water mark misses it (at-most-once), so one
   * slow reader never holds up the publisher or grows memory without bound;
   * `false` says so (a positioned subscription then reads what it missed
   * from the history once drained).
   */
  deliver(msg: Outgoing): boolean {
    const t = this._transport;
    if (this._readyState !== 1 || !t) return false;
    if (t.bufferedAmount >= this._settings.sendHighWater) {
      this._dropped++;
      this.meter?.dropped();
      return false;
    }
    const size = msg.byteLength;
    if (t.encode && t.sendEncoded) t.sendEncoded(msg.frame(t.encode));
    else t.send(msg.data);
    this._msgsOut++;
    this._bytesOut += size;
    this.meter?.delivered(size);
    return true;
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
