/**
 * `Connection`: the engine-neutral `Conn` handed to handlers. An engine feeds
 * it events (`opened`, `received`, `closed`, `failed`) and gives it a
 * `Transport` to send through; everything handlers see is decided here, so
 * both engines behave the same.
 *
 * @module
 */
import { RateLimiter } from "./flow_control.ts";
import { ConnectionBase } from "./connection_base.ts";
import { MessageQueue } from "./message_queue.ts";
import type { ConnectionInit } from "./transport.ts";
import { checkTopic, normalize, type Subscriber } from "../topics/registry.ts";
import { topics } from "../topics/topics.ts";
import {
  checkSubscribeOptions,
  isPositioned,
} from "../topics/history/subscribe_types.ts";
import type {
  Conn,
  Handler,
  MessageData,
  Subscribed,
  SubscribeOptions,
} from "../types.ts";
import { utf8Length } from "../protocol/utf8_length.ts";

export type {
  ConnectionInit,
  ConnectionSettings,
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
export class Connection<S = unknown> extends ConnectionBase<S>
  implements Conn<S> {
  #handler: Handler<S>;
  #queue: MessageQueue | null;
  #rate: RateLimiter | null;
  /**
   * Made on the first subscribe: most connections never join a topic. The
   * subscriber is the connection itself, or its positioned `Subscription`.
   */
  #topics: Map<string, Subscriber> | null = null;

  constructor(init: ConnectionInit<S>) {
    super(init);
    this.#handler = init.handler;
    this.#queue = init.handler.run ? new MessageQueue() : null;
    const perSecond = init.settings.maxMessagesPerSecond;
    this.#rate = perSecond ? new RateLimiter(perSecond) : null;
  }

  subscribe(topic: string): void;
  subscribe(topic: string, options: SubscribeOptions): Promise<Subscribed>;
  subscribe(
    topic: string,
    options?: SubscribeOptions,
  ): Promise<Subscribed> | void {
    checkTopic(topic);
    if (options) checkSubscribeOptions(options);
    const plain = { topic, epoch: "", offset: 0, recovered: false };
    const answer = options ? Promise.resolve(plain) : undefined;
    if (this._readyState >= 2) return answer;
    this.#topics ??= new Map();
    const had = this.#topics.get(topic);
    const positioned = isPositioned(options);
    if (had === this && !positioned) return answer;
    if (had) topics.unsubscribe(topic, had);
    if (!positioned) {
      this.#topics.set(topic, this);
      topics.subscribe(topic, this);
      return answer;
    }
    const { sub, subscribed } = topics.subscribeFrom(topic, this, options!);
    this.#topics.set(topic, sub);
    return subscribed;
  }

  unsubscribe(topic: string): void {
    checkTopic(topic);
    const sub = this.#topics?.get(topic);
    if (!sub) return;
    this.#topics!.delete(topic);
    topics.unsubscribe(topic, sub);
  }

  get topics(): string[] {
    return this.#topics ? [...this.#topics.keys()] : [];
  }

  publish(topic: string, data: MessageData | ArrayBuffer): void {
    checkTopic(topic);
    topics.publish(topic, normalize(data), this);
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
    if (this._readyState !== 0) return;
    this._readyState = 1;
    this._openedAt = performance.now();
    this._settings.onOpen?.(this);
    const h = this.#handler;
    if (h.open) this.#call("open", () => h.open!(this));
    if (h.run) this.#runSequential(h.run);
  }

  /** Engine event: a whole message arrived. */
  received(data: MessageData): void {
    if (this._readyState !== 1) return;
    if (this.#rate && !this.#rate.take()) {
      this.closeWith(
        1008,
        `over ${this._settings.maxMessagesPerSecond} messages per second`,
      );
      return;
    }
    const size = typeof data === "string"
      ? stringBytes(data, this._settings.maxMessageSize)
      : data.byteLength;
    if (size > this._settings.maxMessageSize) {
      this.closeWith(
        1009,
        `message over ${this._settings.maxMessageSize} bytes`,
      );
      return;
    }
    this._msgsIn++;
    this._bytesIn += size;
    this.meter?.received(size);
    if (this.#queue) this.#queue.push(data);
    else if (this.#handler.message) {
      const h = this.#handler;
      this.#call("message", () => h.message!(this, data));
    }
  }

  /** Engine event: a transport error; `closed` follows. */
  failed(err: unknown): void {
    if (this._readyState === 3 || !this.#handler.error) return;
    const h = this.#handler;
    this.#call("error", () => h.error!(this, err));
  }

  /**
   * Engine event: the connection is gone. Handlers hear of it exactly once;
   * Deno's code 0 for an abrupt end becomes 1006 and its second `close` after
   * an idle timeout is dropped here.
   */
  closed(code: number, reason: string): void {
    if (this._readyState === 3) return;
    // Most connections never had a deadline; clearTimeout() is not free.
    if (this._closeDeadline !== undefined) clearTimeout(this._closeDeadline);
    const wasOpen = this._readyState !== 0;
    this._readyState = 3;
    const real = code === 0 ? 1006 : code;
    this.#queue?.end();
    // Always leave every topic, before the handler's close: a leave notice
    // published from there must not count this connection as a subscriber.
    if (this.#topics) {
      for (const [topic, sub] of this.#topics) topics.unsubscribe(topic, sub);
      this.#topics = null;
    }
    const h = this.#handler;
    if (wasOpen && h.close) {
      this.#call("close", () => h.close!(this, real, reason));
    }
    this._settings.onClose?.(this, real, reason);
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
    this._settings.onHandlerError?.(this, where, err);
    if (where !== "close" && where !== "error") {
      // No reason, as pywebsocket (`88 02 03 f3`): suites moved from it compare
      // close frames byte for byte. The stack is in the handler_error line.
      this.closeWith(1011, "");
    }
  }
}

/** UTF-8 size of `s`; a string longer than `cap` units is over it already. */
function stringBytes(s: string, cap: number): number {
  if (s.length > cap) return s.length;
  return utf8Length(s);
}
