/**
 * `Listeners`: server-side callbacks on a topic or on every topic starting
 * with a prefix (`listen("chat:*", fn)`).
 *
 * @module
 */
import type { MessageData } from "../types.ts";

/** A server-side callback for a topic or a `prefix*` pattern. */
export type TopicListener = (data: MessageData, topic: string) => void;

/**
 * Listeners by exact topic and by prefix. `add()` says when a key gains its
 * first listener and its remover when it loses its last, so the registry
 * can tell the bus.
 *
 * @example
 * ```ts
 * import { Listeners } from "./listeners.ts";
 * import assert from "node:assert/strict";
 * const l = new Listeners();
 * const got: string[] = [];
 * const { remove } = l.add("chat:", true, (d, t) => got.push(`${t} ${d}`));
 * l.call("chat:lobby", "hi");
 * assert.deepEqual(got, ["chat:lobby hi"]);
 * assert.equal(remove(), true); // the last listener of "chat:"
 * ```
 */
export class Listeners {
  readonly exact = new Map<string, Set<TopicListener>>();
  readonly prefixes = new Map<string, Set<TopicListener>>();

  /**
   * Adds `fn`; returns a function that removes it again, and whether `key`
   * had no listener before. The remover returns true when `key` is left
   * with none.
   */
  add(
    key: string,
    isPrefix: boolean,
    fn: TopicListener,
  ): { first: boolean; remove: () => boolean } {
    const map = isPrefix ? this.prefixes : this.exact;
    let set = map.get(key);
    const first = !set;
    if (!set) map.set(key, set = new Set());
    set.add(fn);
    const mine = set;
    const remove = () => {
      // A set emptied and made again since is not this listener's.
      if (!mine.delete(fn) || mine.size > 0 || map.get(key) !== mine) {
        return false;
      }
      map.delete(key);
      return true;
    };
    return { first, remove };
  }

  /** Whether a listener covers `topic`, exactly or by prefix. */
  covers(topic: string): boolean {
    if (this.exact.has(topic)) return true;
    for (const prefix of this.prefixes.keys()) {
      if (topic.startsWith(prefix)) return true;
    }
    return false;
  }

  /** Calls every listener of `topic`; one that throws is logged, not fatal. */
  call(topic: string, data: MessageData): void {
    const exact = this.exact.get(topic);
    if (exact) { for (const fn of [...exact]) callListener(fn, data, topic); }
    if (this.prefixes.size === 0) return;
    for (const [prefix, fns] of this.prefixes) {
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
