/**
 * `TopicRegistry`: the per-process registry behind `conn.subscribe()` and
 * `publish()`.
 *
 * One registry per isolate (each `deno serve --parallel` worker has its own);
 * a `Bus` carries publishes to the other isolates or machines. The registry
 * knows nothing of engines: it hands each subscriber one `Outgoing` per
 * message, which an engine may frame once for all of them.
 *
 * @module
 */
import type { MessageData } from "../types.ts";
import type { Bus } from "./bus.ts";
import { Outgoing } from "./outgoing.ts";

export { Outgoing };

/** Longest topic name accepted, in UTF-16 code units. */
export const MAX_TOPIC_LENGTH = 256;

/** Something a topic delivers to: a connection. */
export interface Subscriber {
  deliver(msg: Outgoing): void;
}

/** A server-side callback for a topic or a `prefix*` pattern. */
export type TopicListener = (data: MessageData, topic: string) => void;

/** How `publish()` may be narrowed. */
export interface PublishOptions {
  /** This process only: skip the bus (e.g. a per-server clock). */
  local?: boolean;
}

/**
 * Throws a `TypeError` unless `topic` is a usable topic name.
 *
 * @example
 * ```ts
 * import { checkTopic } from "./registry.ts";
 * import assert from "node:assert/strict";
 * checkTopic("chat:lobby"); // ok
 * assert.throws(() => checkTopic(""), TypeError);
 * ```
 */
export function checkTopic(topic: unknown): asserts topic is string {
  if (typeof topic !== "string" || topic.length === 0) {
    throw new TypeError("topic must be a non-empty string");
  }
  if (topic.length > MAX_TOPIC_LENGTH) {
    throw new TypeError(`topic longer than ${MAX_TOPIC_LENGTH} characters`);
  }
}

/** Subscribers of one topic, with a snapshot for safe, cheap iteration. */
class TopicSet {
  readonly members = new Set<Subscriber>();
  #snapshot: Subscriber[] | null = null;

  add(s: Subscriber): void {
    this.members.add(s);
    this.#snapshot = null;
  }
  delete(s: Subscriber): void {
    this.members.delete(s);
    this.#snapshot = null;
  }
  /** A stable array: a subscriber added or removed mid-fan-out is not visited twice. */
  list(): Subscriber[] {
    return this.#snapshot ??= [...this.members];
  }
}

/**
 * The registry: local subscribers and listeners, plus the bus to other
 * processes.
 *
 * @example
 * ```ts
 * import { Outgoing, TopicRegistry } from "./registry.ts";
 * import assert from "node:assert/strict";
 * const reg = new TopicRegistry();
 * const got: unknown[] = [];
 * reg.subscribe("t", { deliver: (m: Outgoing) => got.push(m.data) });
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
  #topics = new Map<string, TopicSet>();
  #listeners = new Map<string, Set<TopicListener>>();
  #patterns = new Map<string, Set<TopicListener>>();
  #bus: Bus | null = null;

  /** The bus in use, or `null` for in-process only. */
  get bus(): Bus | null {
    return this.#bus;
  }

  /** Attaches a bus and tells it every topic and pattern wanted here. */
  attach(bus: Bus | null): void {
    this.#bus = bus;
    if (!bus) return;
    for (const topic of this.#topics.keys()) bus.interest(topic, true);
    for (const topic of this.#listeners.keys()) {
      if (!this.#topics.has(topic)) bus.interest(topic, true);
    }
    for (const prefix of this.#patterns.keys()) {
      bus.interest(prefix, true, true);
    }
  }

  /** Adds `sub` to `topic`. */
  subscribe(topic: string, sub: Subscriber): void {
    let set = this.#topics.get(topic);
    if (!set) {
      set = new TopicSet();
      this.#topics.set(topic, set);
      if (!this.#listeners.has(topic)) this.#bus?.interest(topic, true);
    }
    set.add(sub);
  }

  /** Removes `sub` from `topic`. */
  unsubscribe(topic: string, sub: Subscriber): void {
    const set = this.#topics.get(topic);
    if (!set) return;
    set.delete(sub);
    if (set.members.size === 0) {
      this.#topics.delete(topic);
      if (!this.#listeners.has(topic)) this.#bus?.interest(topic, false);
    }
  }

  /** Local subscribers of `topic`. */
  count(topic: string): number {
    return this.#topics.get(topic)?.members.size ?? 0;
  }

  /**
   * Calls `fn` for every message on `topic`, or on every topic starting with
   * `prefix` when given `prefix*`. Returns a function that stops it.
   */
  listen(pattern: string, fn: TopicListener): () => void {
    const isPrefix = pattern.endsWith("*");
    const key = isPrefix ? pattern.slice(0, -1) : pattern;
    const map = isPrefix ? this.#patterns : this.#listeners;
    let set = map.get(key);
    if (!set) {
      set = new Set();
      map.set(key, set);
      if (isPrefix || !this.#topics.has(key)) {
        this.#bus?.interest(key, true, isPrefix);
      }
    }
    set.add(fn);
    return () => {
      if (!set.delete(fn) || set.size > 0 || map.get(key) !== set) return;
      map.delete(key);
      if (isPrefix || !this.#topics.has(key)) {
        this.#bus?.interest(key, false, isPrefix);
      }
    };
  }

  /**
   * Delivers here (except to `except`) and, unless `local`, hands the message
   * to the bus for the other processes. Never waits.
   */
  publish(
    topic: string,
    data: MessageData,
    except?: Subscriber,
    options: PublishOptions = {},
  ): void {
    this.meter?.topicPublished();
    this.dispatch(topic, data, except);
    if (!options.local) this.#bus?.publish(topic, data);
  }

  /** Local delivery only: what the bus calls for a message from elsewhere. */
  dispatch(topic: string, data: MessageData, except?: Subscriber): void {
    const set = this.#topics.get(topic);
    if (set) {
      const msg = new Outgoing(data);
      for (const sub of set.list()) if (sub !== except) sub.deliver(msg);
    }
    const exact = this.#listeners.get(topic);
    if (exact) { for (const fn of [...exact]) callListener(fn, data, topic); }
    if (this.#patterns.size === 0) return;
    for (const [prefix, fns] of this.#patterns) {
      if (!topic.startsWith(prefix)) continue;
      for (const fn of [...fns]) callListener(fn, data, topic);
    }
  }
}

function callListener(fn: TopicListener, data: MessageData, topic: string) {
  try {
    fn(data, topic);
  } catch (err) {
    // A listener's bug must not stop the fan-out to everyone else.
    console.error(`topic listener for "${topic}" threw:`, err);
  }
}

/**
 * `ArrayBuffer` → `Uint8Array`; strings and views pass through.
 *
 * @example
 * ```ts
 * import { normalize } from "./registry.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(normalize(new ArrayBuffer(2)), new Uint8Array(2));
 * assert.equal(normalize("hi"), "hi");
 * ```
 */
export function normalize(data: MessageData | ArrayBuffer): MessageData {
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
