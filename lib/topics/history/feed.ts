/**
 * `TopicFeed`: one history topic's messages, in offset order, for this
 * process. Entries come from appends made here and from the bus, and the
 * bus may reorder them (two workers committing at once) or lose them (a
 * `BroadcastChannel` drops under bursts; Redis pub/sub misses what is
 * published while it reconnects). The feed delivers every offset once and
 * in order, fills holes from the store — those the next entry shows, and
 * those the store itself reports (Deno KV's watch, `notify()`) — and when
 * a hole cannot be filled (history trimmed, a new epoch) tells the
 * positioned subscribers so.
 *
 * @module
 */
import type { Entry, Position, ReadFrom, ReadResult } from "./store.ts";

type Timer = ReturnType<typeof setTimeout>;

/** Entries read from the store per round trip. */
export const READ_PAGE = 500;
/** Out-of-order entries held at most while a hole is filled. */
export const MAX_PENDING = 10_000;

/** What a feed needs from the layer that owns it. */
export interface FeedHost {
  read(
    topic: string,
    from: ReadFrom,
    limit: number,
  ): ReadResult | Promise<ReadResult>;
  /** Hands one entry, in order, to this process's subscribers. */
  deliver(topic: string, entry: Entry): void;
  /** Messages up to `at` cannot be delivered: positioned subscribers must hear it. */
  lost(topic: string, at: Position, reason: "epoch" | "trimmed"): void;
  /** A store read failed (the host logs it once per outage). */
  failed(topic: string, err: unknown): void;
}

/** When to look for holes the bus left. */
export interface FeedTiming {
  /** Wait this long for a late entry before reading the store (0: read at once). */
  gapWaitMs: number;
}

/**
 * The in-order feed of one topic.
 *
 * @example
 * ```ts
 * import { TopicFeed } from "./feed.ts";
 * import assert from "node:assert/strict";
 * const got: number[] = [];
 * const feed = new TopicFeed("t", {
 *   read: () => ({ epoch: "e", head: 0, entries: [] }),
 *   deliver: (_topic, entry) => got.push(entry.offset),
 *   lost: () => {},
 *   failed: () => {},
 * }, { gapWaitMs: 0 });
 * feed.accept({ epoch: "e", offset: 1, data: "a" });
 * feed.accept({ epoch: "e", offset: 1, data: "a" }); // a duplicate
 * feed.accept({ epoch: "e", offset: 2, data: "b" });
 * assert.deepEqual(got, [1, 2]);
 * ```
 */
export class TopicFeed {
  readonly topic: string;
  /** The epoch delivered in, `null` until the first entry or read. */
  epoch: string | null = null;
  /** The last offset delivered. */
  delivered = 0;
  #host: FeedHost;
  #timing: FeedTiming;
  #pending = new Map<number, Entry>();
  #filling = false;
  #again = false;
  #gapTimer: Timer | undefined;
  /** The last offset the store reported, beyond what the bus brought. */
  #known = 0;
  #closed = false;

  constructor(topic: string, host: FeedHost, timing: FeedTiming) {
    this.topic = topic;
    this.#host = host;
    this.#timing = timing;
  }

  /** Takes an entry from an append or the bus. */
  accept(e: Entry): void {
    if (this.#closed) return;
    if (this.epoch === null) this.anchor(e.epoch, e.offset - 1);
    else if (e.epoch !== this.epoch) this.#newEpoch(e.epoch);
    if (e.offset <= this.delivered) return;
    if (e.offset === this.delivered + 1 && this.#pending.size === 0) {
      this.delivered = e.offset;
      this.#host.deliver(this.topic, e);
      return;
    }
    this.#pending.set(e.offset, e);
    this.#drain();
    if (this.#pending.size > MAX_PENDING) this.#skipHole();
    if (this.#pending.size > 0) this.#scheduleFill();
  }

  /** Sets the start if nothing has yet (from a subscriber's read). */
  anchor(epoch: string, delivered: number): void {
    if (this.epoch !== null) return;
    this.epoch = epoch;
    this.delivered = delivered;
  }

  /**
   * The store reports the topic's last offset: read what the bus has not
   * brought within the gap wait (it usually has, and nothing is read).
   */
  notify(epoch: string, head: number): void {
    if (this.#closed || this.epoch === null) return;
    if (epoch !== this.epoch) this.#again = true;
    else if (head > this.delivered) this.#known = Math.max(this.#known, head);
    else return;
    this.#scheduleFill();
  }

  /** Reads the store for anything not yet delivered (after a reconnect). */
  sync(): void {
    if (this.#closed) return;
    this.#again = true;
    this.#scheduleFill(true);
  }

  /** Stops timers; later entries are ignored. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#gapTimer);
    this.#pending.clear();
  }

  #newEpoch(epoch: string): void {
    // The store lost its history (a flush, an expiry): the new epoch's
    // entries are read from offset 0, after subscribers hear of the loss.
    this.#pending.clear();
    this.epoch = epoch;
    this.delivered = 0;
    this.#known = 0;
    this.#host.lost(this.topic, { epoch, offset: 0 }, "epoch");
  }

  #drain(): void {
    for (;;) {
      const next = this.#pending.get(this.delivered + 1);
      if (!next) break;
      this.#pending.delete(next.offset);
      this.delivered = next.offset;
      this.#host.deliver(this.topic, next);
    }
  }

  /** Too much held back (the store is away): give up the hole. */
  #skipHole(): void {
    this.delivered = Math.min(...this.#pending.keys()) - 1;
    const at = { epoch: this.epoch!, offset: this.delivered };
    this.#host.lost(this.topic, at, "trimmed");
    this.#drain();
  }

  #scheduleFill(now = false): void {
    if (this.#filling) {
      this.#again = true;
      return;
    }
    const wait = now ? 0 : this.#timing.gapWaitMs;
    if (wait === 0) {
      void this.#fill();
    } else if (this.#gapTimer === undefined) {
      this.#gapTimer = unrefTimer(() => {
        this.#gapTimer = undefined;
        void this.#fill();
      }, wait);
    }
  }

  async #fill(): Promise<void> {
    if (this.#filling || this.#closed) return;
    this.#filling = true;
    try {
      for (let round = 0; round < 1000; round++) {
        const behind = this.#known > this.delivered;
        if (this.#closed || (!this.#pending.size && !this.#again && !behind)) {
          break;
        }
        this.#again = false;
        const epoch = this.epoch;
        const r = await this.#host.read(
          this.topic,
          epoch === null ? { last: 0 } : { after: this.delivered },
          READ_PAGE,
        );
        if (this.#closed || this.epoch !== epoch) continue;
        this.#apply(r);
      }
    } catch (err) {
      // Kept pending: the next entry, sync or store report tries again.
      this.#host.failed(this.topic, err);
    } finally {
      this.#filling = false;
    }
  }

  #apply(r: ReadResult): void {
    if (this.epoch === null) {
      this.anchor(r.epoch, r.head);
      return;
    }
    if (r.epoch !== this.epoch) {
      this.#newEpoch(r.epoch);
      this.#again = true;
      return;
    }
    // What the store holds bounds what it may have reported.
    this.#known = Math.min(this.#known, r.head);
    const first = r.entries[0]?.offset ?? r.head + 1;
    if (first > this.delivered + 1 && r.head > this.delivered) {
      // Trimmed past what this process delivered: cannot be filled.
      this.delivered = first - 1;
      this.#host.lost(
        this.topic,
        { epoch: r.epoch, offset: this.delivered },
        "trimmed",
      );
    }
    for (const e of r.entries) {
      this.#pending.delete(e.offset);
      if (e.offset !== this.delivered + 1) continue;
      this.delivered = e.offset;
      this.#host.deliver(this.topic, e);
    }
    for (const offset of this.#pending.keys()) {
      if (offset <= this.delivered) this.#pending.delete(offset);
    }
    this.#drain();
    if (r.entries.length === READ_PAGE) this.#again = true;
  }
}

/** A timer that does not keep the process alive. */
function unrefTimer(fn: () => void, ms: number): Timer {
  const id = setTimeout(fn, ms);
  // Deno 2.9's setTimeout returns a Node-style Timeout with unref().
  id.unref();
  return id;
}
