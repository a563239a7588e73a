/**
 * `TopicRegistry`: the per-process registry behind `conn.subscribe()` and
 * `publish()`.
 *
 * One registry per isolate (each `deno serve --parallel` worker has its own);
 * a `Bus` carries publishes to the other isolates or machines, and a topic
 * with history goes through `DurableTopics` and its store first. The
 * registry knows nothing of engines: it hands each subscriber one
 * `Outgoing` per message, which an engine may frame once for all of them.
 *
 * @module
 */
import type { MessageData } from "../types.ts";
import type { Logger } from "../log.ts";
import type { Bus } from "./bus.ts";
import { Outgoing } from "./outgoing.ts";
import { type Subscriber, TopicSets } from "./topic_sets.ts";
import { Listeners, type TopicListener } from "./listeners.ts";
import { HistoryPolicy } from "./history/policy.ts";
import { DurableTopics } from "./history/durable.ts";
import type { FeedTiming } from "./history/feed.ts";
import { MemoryHistory } from "./history/memory_store.ts";
import type { Entry, HistoryStore } from "./history/store.ts";
import { Subscription } from "./history/subscription.ts";
import type {
  Subscribed,
  SubscribeOptions,
  SubscriberConn,
} from "./history/subscribe_types.ts";

export { Outgoing };
export type { Subscriber, TopicListener };
export { checkTopic, MAX_TOPIC_LENGTH, normalize } from "./topic_name.ts";

/** How `publish()` may be narrowed. */
export interface PublishOptions {
  /** This process only: skip the bus and the history (e.g. a per-server clock). */
  local?: boolean;
}

/** Feed timing with an in-order, lossless source (memory, Redis). */
const PROMPT: FeedTiming = { gapWaitMs: 0 };

/**
 * Local subscribers and listeners, the history layer, the bus.
 *
 * @example
 * ```ts
 * import { Outgoing, TopicRegistry } from "./registry.ts";
 * import assert from "node:assert/strict";
 * const reg = new TopicRegistry();
 * const got: unknown[] = [];
 * reg.subscribe("t", { deliver: (m: Outgoing) => void got.push(m.data) });
 * reg.publish("t", "hi");
 * assert.deepEqual(got, ["hi"]);
 * ```
 */
export class TopicRegistry {
  /**
   * Counts publishes for `/_metrics`; the app sets it (the last app built
   * in a process wins), `null` counts nothing.
   */
  meter: { topicPublished(): void } | null = null;
  /** Which topics keep history (`--history`, `topicHistory()`). */
  readonly history: HistoryPolicy = new HistoryPolicy();
  /** This isolate's id, sent in `subscribed` frames. */
  readonly server: string;
  #topics = new TopicSets();
  #listeners = new Listeners();
  #bus: Bus | null = null;
  #durable: DurableTopics;

  constructor(server = "") {
    this.server = server;
    this.#durable = this.#makeDurable(new MemoryHistory(), PROMPT, null);
  }

  /** The app's settings: what counts publishes, the default history. */
  configure(
    meter: TopicRegistry["meter"],
    { history, historyTtl }: { history: number; historyTtl: number },
  ): void {
    this.meter = meter;
    this.history.defaults = { size: history, ttl: historyTtl };
  }

  /** The bus in use, or `null` for in-process only. */
  get bus(): Bus | null {
    return this.#bus;
  }

  /** The history layer (its store is `durable.store`). */
  get durable(): DurableTopics {
    return this.#durable;
  }

  /** Attaches a bus and tells it every topic and pattern wanted here. */
  attach(bus: Bus | null): void {
    this.#bus = bus;
    if (!bus) return;
    for (const topic of this.#topics.topics()) bus.interest(topic, true);
    for (const topic of this.#listeners.exact.keys()) {
      if (!this.#topics.has(topic)) bus.interest(topic, true);
    }
    for (const prefix of this.#listeners.prefixes.keys()) {
      bus.interest(prefix, true, true);
    }
  }

  /** Keeps history in `store` from now on (the bus picks it); closes the old one. */
  async useStore(
    store: HistoryStore,
    timing: FeedTiming = PROMPT,
    log: Logger | null = null,
  ): Promise<void> {
    const old = this.#durable;
    this.#durable = this.#makeDurable(store, timing, log);
    await old.close();
  }

  /** Adds `sub` to `topic`; resolves once the bus delivers the topic here. */
  subscribe(topic: string, sub: Subscriber): Promise<void> | void {
    const first = this.#topics.add(topic, sub);
    if (first && !this.#listeners.exact.has(topic)) {
      return this.#bus?.interest(topic, true);
    }
  }

  /** Subscribes `conn` with positions; `subscribed` resolves once live, never rejects. */
  subscribeFrom(
    topic: string,
    conn: SubscriberConn,
    options: SubscribeOptions,
  ): { sub: Subscription; subscribed: Promise<Subscribed> } {
    const sub = new Subscription(topic, conn, this.#durable, options);
    const ready = this.subscribe(topic, sub);
    // Entries published before the bus delivered the topic here are read.
    ready?.then(() => this.#durable.sync(topic), () => {});
    return { sub, subscribed: sub.start(options) };
  }

  /** Removes `sub` from `topic`. */
  unsubscribe(topic: string, sub: Subscriber): void {
    if (sub instanceof Subscription) sub.close();
    if (!this.#topics.delete(topic, sub)) return;
    if (!this.#listeners.exact.has(topic)) this.#bus?.interest(topic, false);
    if (!this.#listeners.covers(topic)) this.#durable.drop(topic);
  }

  /** Local subscribers of `topic`. */
  count(topic: string): number {
    return this.#topics.count(topic);
  }

  /**
   * Calls `fn` for every message on `topic`, or on every topic starting with
   * `prefix` when given `prefix*`. Returns a function that stops it.
   */
  listen(pattern: string, fn: TopicListener): () => void {
    const isPrefix = pattern.endsWith("*");
    const key = isPrefix ? pattern.slice(0, -1) : pattern;
    const { first, remove } = this.#listeners.add(key, isPrefix, fn);
    if (first && (isPrefix || !this.#topics.has(key))) {
      this.#bus?.interest(key, true, isPrefix);
    }
    return () => {
      if (!remove()) return;
      if (isPrefix || !this.#topics.has(key)) {
        this.#bus?.interest(key, false, isPrefix);
      }
    };
  }

  /**
   * Delivers here (except to `except`) and, unless `local`, hands the message
   * to the bus for the other processes. A topic with history is stored
   * first and delivered in offset order. Never waits.
   */
  publish(
    topic: string,
    data: MessageData,
    except?: Subscriber,
    options: PublishOptions = {},
  ): void {
    if (!options.local && this.history.limitsFor(topic)) {
      const stored = this.publishStored(topic, data, except);
      // A refusal (store away) is logged by the history layer.
      if (stored instanceof Promise) stored.catch(() => {});
      return;
    }
    this.meter?.topicPublished();
    this.dispatch(topic, data, except);
    if (!options.local) this.#bus?.publish(topic, data);
  }

  /** `publish()` that tells where it went: its entry, `null` (no history), or a rejection (store away: nowhere). */
  publishStored(
    topic: string,
    data: MessageData,
    except?: Subscriber,
  ): Entry | null | Promise<Entry> {
    const limits = this.history.limitsFor(topic);
    if (!limits) {
      this.publish(topic, data, except);
      return null;
    }
    this.meter?.topicPublished();
    return this.#durable.append(topic, data, limits, except);
  }

  /** Local delivery only: what the bus calls for a message from elsewhere. */
  dispatch(topic: string, data: MessageData, except?: Subscriber): void {
    this.#fanOut(topic, new Outgoing(data, topic), except);
  }

  /** A plain message from the bus (stored here too if history is per process). */
  fromBus(topic: string, data: MessageData): void {
    if (!this.#durable.storeRemote(topic, data)) this.dispatch(topic, data);
  }

  #fanOut(topic: string, msg: Outgoing, except?: Subscriber): void {
    this.#topics.deliver(topic, msg, except);
    this.#listeners.call(topic, msg.data);
  }

  #makeDurable(
    store: HistoryStore,
    timing: FeedTiming,
    log: Logger | null,
  ): DurableTopics {
    return new DurableTopics(store, this.history, {
      deliver: (topic, e) =>
        this.#fanOut(
          topic,
          new Outgoing(e.data, topic, e.epoch, e.offset),
          e.except,
        ),
      lost: (topic, at, reason) => this.#topics.lost(topic, at, reason),
      interested: (topic) =>
        this.#topics.has(topic) || this.#listeners.covers(topic),
      share: (topic, e, shared) =>
        shared
          ? this.#bus?.publishEntry?.(topic, e)
          : this.#bus?.publish(topic, e.data),
    }, { server: this.server, timing, log });
  }
}
