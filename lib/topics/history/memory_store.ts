/**
 * `MemoryHistory`: topic history in this process's memory, for `--bus
 * local`. Each topic gets a random epoch when it is first written or read,
 * so a restarted server (or an evicted topic) has a new one and resumes
 * from before are told `recovered: false`.
 *
 * @module
 */
import type { MessageData } from "../../types.ts";
import {
  type Entry,
  type HistoryLimits,
  type HistoryStore,
  newEpoch,
  type ReadFrom,
  type ReadResult,
} from "./store.ts";

/** Topics kept at most; the least recently written goes first. */
export const MAX_MEMORY_TOPICS = 10_000;

/** One topic's entries, oldest first, from index `start` of `entries`. */
class TopicLog {
  readonly epoch = newEpoch();
  head = 0;
  entries: Entry[] = [];
  /** When each entry was stored (ms), for the age bound. */
  times: number[] = [];
  start = 0;

  get length(): number {
    return this.entries.length - this.start;
  }

  push(entry: Entry, now: number): void {
    this.entries.push(entry);
    this.times.push(now);
  }

  /** Drops entries over `size` or older than `ttl` seconds. */
  trim(limits: HistoryLimits, now: number): void {
    let start = Math.max(this.start, this.entries.length - limits.size);
    if (limits.ttl > 0) {
      const oldest = now - limits.ttl * 1000;
      while (start < this.entries.length && this.times[start] < oldest) start++;
    }
    this.start = start;
    // Compact once half the array is dead: amortised O(1) per message.
    if (start > 64 && start * 2 > this.entries.length) {
      this.entries = this.entries.slice(start);
      this.times = this.times.slice(start);
      this.start = 0;
    }
  }
}

/**
 * History in memory: `append()` and `read()` answer at once.
 *
 * @example
 * ```ts
 * import { MemoryHistory } from "./memory_store.ts";
 * import assert from "node:assert/strict";
 * const store = new MemoryHistory();
 * const limits = { size: 2, ttl: 0 };
 * for (const d of ["a", "b", "c"]) store.append("t", d, limits);
 * const read = store.read("t", { after: 0 }, 10, limits);
 * assert.equal(read.head, 3);
 * assert.deepEqual(read.entries.map((e) => e.data), ["b", "c"]); // size 2
 * ```
 */
export class MemoryHistory implements HistoryStore {
  readonly kind = "memory" as const;
  readonly echoes = false;
  #logs = new Map<string, TopicLog>();
  #maxTopics: number;

  constructor(maxTopics = MAX_MEMORY_TOPICS) {
    this.#maxTopics = maxTopics;
  }

  append(topic: string, data: MessageData, limits: HistoryLimits): Entry {
    const log = this.#log(topic);
    const entry = { epoch: log.epoch, offset: ++log.head, data };
    const now = Date.now();
    log.push(entry, now);
    log.trim(limits, now);
    return entry;
  }

  read(
    topic: string,
    from: ReadFrom,
    limit: number,
    limits: HistoryLimits,
  ): ReadResult {
    const log = this.#log(topic);
    log.trim(limits, Date.now());
    const head = log.head;
    const after = "after" in from ? from.after : Math.max(0, head - from.last);
    const first = head - log.length + 1;
    const at = Math.max(log.start + (after + 1 - first), log.start);
    const entries = after >= head ? [] : log.entries.slice(at, at + limit);
    return { epoch: log.epoch, head, entries };
  }

  close(): Promise<void> {
    this.#logs.clear();
    return Promise.resolve();
  }

  /** The topic's log, made if missing; most recently used last. */
  #log(topic: string): TopicLog {
    let log = this.#logs.get(topic);
    if (log) {
      this.#logs.delete(topic);
    } else {
      log = new TopicLog();
      if (this.#logs.size >= this.#maxTopics) {
        this.#logs.delete(this.#logs.keys().next().value!);
      }
    }
    this.#logs.set(topic, log);
    return log;
  }
}
