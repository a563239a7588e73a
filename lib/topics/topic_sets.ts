/**
 * `TopicSets`: the subscribers of every topic in this process, and the
 * fan-out of one message to them.
 *
 * @module
 */
import type { Outgoing } from "./outgoing.ts";
import type { Position } from "./history/store.ts";

/** Something a topic delivers to: a connection, or its positioned subscription. */
export interface Subscriber {
  /** Sends one message; `false` when it was dropped (send buffer full). */
  deliver(msg: Outgoing): boolean | void;
  /** Positioned subscribers: the topic's sequence had to jump to `at`. */
  lost?(at: Position, reason: "epoch" | "trimmed"): void;
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
 * Subscribers by topic.
 *
 * @example
 * ```ts
 * import { TopicSets } from "./topic_sets.ts";
 * import { Outgoing } from "./outgoing.ts";
 * import assert from "node:assert/strict";
 * const sets = new TopicSets();
 * const got: unknown[] = [];
 * assert.equal(sets.add("t", { deliver: (m) => void got.push(m.data) }), true);
 * sets.deliver("t", new Outgoing("hi"));
 * assert.deepEqual(got, ["hi"]);
 * ```
 */
export class TopicSets {
  #sets = new Map<string, TopicSet>();

  /** Adds `sub`; true when `topic` had no subscriber before. */
  add(topic: string, sub: Subscriber): boolean {
    let set = this.#sets.get(topic);
    const first = !set;
    if (!set) this.#sets.set(topic, set = new TopicSet());
    set.add(sub);
    return first;
  }

  /** Removes `sub`; true when `topic` has no subscriber left. */
  delete(topic: string, sub: Subscriber): boolean {
    const set = this.#sets.get(topic);
    if (!set) return false;
    set.delete(sub);
    if (set.members.size > 0) return false;
    this.#sets.delete(topic);
    return true;
  }

  has(topic: string): boolean {
    return this.#sets.has(topic);
  }

  /** Topics with subscribers. */
  topics(): IterableIterator<string> {
    return this.#sets.keys();
  }

  count(topic: string): number {
    return this.#sets.get(topic)?.members.size ?? 0;
  }

  /** Hands `msg` to every subscriber of `topic` but `except`. */
  deliver(topic: string, msg: Outgoing, except?: Subscriber): void {
    const set = this.#sets.get(topic);
    if (set) {
      for (const sub of set.list()) if (sub !== except) sub.deliver(msg);
    }
  }

  /** Tells the positioned subscribers of `topic` that its sequence jumped. */
  lost(topic: string, at: Position, reason: "epoch" | "trimmed"): void {
    for (const sub of this.#sets.get(topic)?.list() ?? []) {
      sub.lost?.(at, reason);
    }
  }
}
