/**
 * `Connection`: the engine-neutral `Conn` handed to handlers. An engine feeds
 * it events (`opened`, `received`, `closed`, `failed`) and gives it a
 * `Transport` to send through; everything handlers see is decided here, so
 * both engines behave the same.
 *
 * @module
 */
import { assertHandlerClose } from "../protocol/close_code.ts";
import { utf8Length } from "../protocol/utf8_length.ts";
import {
  CLOSE_DEADLINE_MS,
  drainBelow,
  RateLimiter,
  SLOW_CONSUMER_DROP_MS,
  unrefTimeout,
} from "./flow_control.ts";
import { MessageQueue } from "./message_queue.ts";
import type {
  ConnectionInit,
  ConnMeter,
  ConnStats,
  Transport,
} from "./transport.ts";
import { checkTopic, normalize, type Outgoing } from "../topics/registry.ts";
import { topics } from "../topics/topics.ts";
import type {
  Conn,
  Handler,
  MessageData,
  ReadyState,
  RemoteAddr,
} from "../types.ts";

export type {
  ConnectionInit,
  ConnMeter,
  ConnStats,
  Transport,
} from "./transport.ts";

/**
 * The `Conn` handlers receive, driven by an engine.
 *
 * @example
 * ```ts ignore
 * const conn = new Connection(init);
 * conn.attach(transport);
 * conn.opened();
 * conn.received("hello");
 * conn.closed(1000, "");
 * ```
 */
export class Connection<S = unknown> implements Conn<S> {
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
  #url: URL | string;
  #readyState: ReadyState = 0;
  #transport: Transport | null = null;
  #init: ConnectionInit<S>;
  #handler: Handler<S>;
  #queue: MessageQueue | null;
  #rate: RateLimiter | null;
  #closeDeadline: ReturnType<typeof setTimeout> | undefined;
  /** Made on the first subscribe: most connections never join a topic. */
  #topics: Set<string> | null = null;

  constructor(init: ConnectionInit<S>) {
    this.#init = init;
    this.#handler = init.handler;
    this.id = init.id;
    this.#url = init.url;
    this.params = init.params;
    this.headers = init.headers;
    this.remoteAddr = init.remoteAddr;
    this.protocol = init.protocol;
    this.extensions = init.extensions ?? "";
    this.state = init.state;
    this.#queue = init.handler.run ? new MessageQueue() : null;
    this.#rate = init.maxMessagesPerSecond
      ? new RateLimiter(init.maxMessagesPerSecond)
      : null;
  }

  /** Parsed on first read: most handlers never look. */
  get url(): URL {
    const u = this.#url;
    return typeof u === "string" ? (this.#url = new URL(u)) : u;
  }

  get origin(): string {
    return this.headers.get("origin") ?? "";
  }

  get readyState(): ReadyState {
    return this.#readyState;
  }

  get bufferedAmount(): number {
    return this.#transport?.bufferedAmount ?? 0;
  }

  /** Connects the engine's transport; called by the engine before `opened`. */
  attach(transport: Transport): void {
    this.#transport = transport;
  }

  send(data: MessageData | ArrayBuffer): boolean {
    const transport = this.#transport;
    if (this.#readyState !== 1 || !transport) return false;
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
    const limit = this.#init.sendBufferLimit;
    if (limit && buffered > limit) {
      this.closeWith(1013, "slow consumer", SLOW_CONSUMER_DROP_MS);
      return false;
    }
    return buffered < this.#init.sendHighWater;
  }

  drained(): Promise<void> {
    const transport = this.#transport;
    if (!transport || this.#readyState >= 2) return Promise.resolve();
    return drainBelow(
      transport,
      this.#init.sendHighWater,
      () => this.#readyState >= 2,
    );
  }

  /**
   * True when nothing should be sent to this connection: it is not open, or
   * its send buffer (plus `extra` bytes about to be sent) is over
   * `--send-buffer-limit` — then it is closed 1013 "slow consumer" and
   * dropped soon after if the close cannot get through. `send()` applies it;
   * fan-out to many connections calls it to skip a slow one cheaply.
   *
   * @example
   * ```ts ignore
   * for (const c of subscribers) if (!c.overSendLimit(msg.length)) c.send(msg);
   * ```
   */
  overSendLimit(extra = 0): boolean {
    if (this.#readyState !== 1) return true;
    const limit = this.#init.sendBufferLimit;
    if (!limit || this.bufferedAmount + extra <= limit) return false;
    this.closeWith(1013, "slow consumer", SLOW_CONSUMER_DROP_MS);
    return true;
  }

  close(code = 1000, reason = ""): void {
    assertHandlerClose(code, reason);
    this.closeWith(code, reason);
  }

  abort(): void {
    if (this.#readyState === 3) return;
    const transport = this.#transport;
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
    if (this.#readyState >= 2) return;
    this.#readyState = 2;
    this.#transport?.close(code, reason);
    const transport = this.#transport;
    if (transport?.abort) {
      this.#closeDeadline = unrefTimeout(() => {
        transport.abort!();
        this.closed(1006, `dropped: no close handshake after ${code}`);
      }, dropAfterMs);
    }
  }

  subscribe(topic: string): void {
    checkTopic(topic);
    if (this.#readyState >= 2) return;
    this.#topics ??= new Set();
    if (this.#topics.has(topic)) return;
    this.#topics.add(topic);
    topics.subscribe(topic, this);
  }

  unsubscribe(topic: string): void {
    checkTopic(topic);
    if (this.#topics?.delete(topic)) topics.unsubscribe(topic, this);
  }

  get topics(): string[] {
    return this.#topics ? [...this.#topics] : [];
  }

  publish(topic: string, data: MessageData | ArrayBuffer): void {
    checkTopic(topic);
    topics.publish(topic, normalize(data), this);
  }

  /**
   * Topic fan-out: sends one published message. A subscriber whose send
   * buffer is over its high-water mark misses it (at-most-once), so one
   * slow reader never holds up the publisher or grows memory without bound.
   */
  deliver(msg: Outgoing): void {
    const t = this.#transport;
    if (this.#readyState !== 1 || !t) return;
    if (t.bufferedAmount >= this.#init.sendHighWater) {
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

  [Symbol.asyncIterator](): AsyncIterator<MessageData> {
    if (!this.#queue) {
      throw new TypeError(
        "conn is iterable only in handlers that define run(conn)",
      );
    }
    return this.#queue.iterator();
  }

  /** Engine event: the handshake completed. */
  opened(): void {
    if (this.#readyState !== 0) return;
    this.#readyState = 1;
    this.stats.openedAt = performance.now();
    this.#init.onOpen?.(this);
    const h = this.#handler;
    if (h.open) this.#call("open", () => h.open!(this));
    if (h.run) this.#runSequential(h.run);
  }

  /** Engine event: a whole message arrived. */
  received(data: MessageData): void {
    if (this.#readyState !== 1) return;
    if (this.#rate && !this.#rate.take()) {
      this.closeWith(
        1008,
        `over ${this.#init.maxMessagesPerSecond} messages per second`,
      );
      return;
    }
    const size = typeof data === "string"
      ? stringBytes(data, this.#init.maxMessageSize)
      : data.byteLength;
    if (size > this.#init.maxMessageSize) {
      this.closeWith(1009, `message over ${this.#init.maxMessageSize} bytes`);
      return;
    }
    this.stats.msgsIn++;
    this.stats.bytesIn += size;
    this.meter?.received(size);
    if (this.#queue) this.#queue.push(data);
    else if (this.#handler.message) {
      const h = this.#handler;
      this.#call("message", () => h.message!(this, data));
    }
  }

  /** Engine event: a transport error; `closed` follows. */
  failed(err: unknown): void {
    if (this.#readyState === 3 || !this.#handler.error) return;
    const h = this.#handler;
    this.#call("error", () => h.error!(this, err));
  }

  /**
   * Engine event: the connection is gone. Handlers hear of it exactly once;
   * Deno's code 0 for an abrupt end becomes 1006 and its second `close` after
   * an idle timeout is dropped here.
   */
  closed(code: number, reason: string): void {
    if (this.#readyState === 3) return;
    // Most connections never had a deadline; clearTimeout() is not free.
    if (this.#closeDeadline !== undefined) clearTimeout(this.#closeDeadline);
    const wasOpen = this.#readyState !== 0;
    this.#readyState = 3;
    const real = code === 0 ? 1006 : code;
    this.#queue?.end();
    // Always leave every topic, before the handler's close: a leave notice
    // published from there must not count this connection as a subscriber.
    if (this.#topics) {
      for (const topic of this.#topics) topics.unsubscribe(topic, this);
      this.#topics = null;
    }
    const h = this.#handler;
    if (wasOpen && h.close) {
      this.#call("close", () => h.close!(this, real, reason));
    }
    this.#init.onClose?.(this, real, reason);
  }

  async #runSequential(run: NonNullable<Handler<S>["run"]>): Promise<void> {
    try {
      await run(this);
      this.closeWith(1000, "");
    } catch (err) {
      this.#fail("run", err);
    }
  }

  #call(where: string, fn: () => void | Promise<void>): void {
    try {
      const result = fn();
      if (result instanceof Promise) {
        result.catch((err) => this.#fail(where, err));
      }
    } catch (err) {
      this.#fail(where, err);
    }
  }

  #fail(where: string, err: unknown): void {
    this.#init.onHandlerError?.(this, where, err);
    if (where !== "close" && where !== "error") {
      this.closeWith(1011, "Internal error");
    }
  }
}

/** UTF-8 size of `s`; a string longer than `cap` units is over it already. */
function stringBytes(s: string, cap: number): number {
  if (s.length > cap) return s.length;
  return utf8Length(s);
}
