/**
 * `BroadcastBus`: topics across the workers of `deno serve --parallel`
 * through Deno's `BroadcastChannel`. A channel delivers to every other
 * isolate of the process, never back to the sender, so no message reaches
 * a connection twice. Stored entries of topics with history (Deno KV)
 * travel in batches, one post per event-loop turn: the channel drops
 * posts under bursts (measured: a worker got 907 of 5,000 posts made 1,000
 * at a time), and the feeds fill what it drops from the store, told by
 * its watch.
 *
 * @module
 */
import type { Bus, BusSink } from "./bus.ts";
import type { Entry } from "./history/store.ts";
import type { Logger } from "../log.ts";
import type { MessageData } from "../types.ts";

/** The channel every denosocket worker joins. */
export const CHANNEL_NAME = "denosocket:topics";

/** What goes over the channel (structured clone keeps strings and bytes). */
interface Envelope {
  t: string;
  d: MessageData;
}

/** Stored entries: topic, data, epoch, offset. */
interface Batch {
  s: [string, MessageData, string, number][];
}

function isData(d: unknown): d is MessageData {
  return typeof d === "string" || d instanceof Uint8Array;
}

/**
 * A bus over one `BroadcastChannel`.
 *
 * @example
 * ```ts ignore
 * const bus = new BroadcastBus((topic, data) => topics.dispatch(topic, data), log);
 * bus.publish("news", "hello"); // reaches the other workers
 * await bus.close();
 * ```
 */
export class BroadcastBus implements Bus {
  readonly kind = "broadcast" as const;
  #channel: BroadcastChannel | null;
  #log: Logger;
  #dropped = 0;
  #batch: Batch["s"] = [];

  constructor(sink: BusSink, log: Logger, name = CHANNEL_NAME) {
    this.#log = log;
    this.#channel = new BroadcastChannel(name);
    this.#channel.onmessage = (e: MessageEvent) => {
      const env = e.data as Partial<Envelope & Batch> | null;
      // Only other denosocket isolates post here, but check the shape anyway.
      if (env && typeof env.t === "string" && isData(env.d)) {
        sink(env.t, env.d);
        return;
      }
      if (!env || !Array.isArray(env.s)) return;
      for (const [t, d, epoch, offset] of env.s) {
        if (typeof t !== "string" || !isData(d) || typeof epoch !== "string") {
          continue;
        }
        if (!Number.isSafeInteger(offset)) continue;
        sink(t, d, { epoch, offset, own: false, token: 0 });
      }
    };
    this.#channel.onmessageerror = () => this.#dropped++;
  }

  publish(topic: string, data: MessageData): void {
    if (!this.#channel) return;
    try {
      this.#channel.postMessage({ t: topic, d: data } satisfies Envelope);
    } catch (err) {
      // At-most-once: a message the channel refuses is dropped, once logged.
      if (this.#dropped++ === 0) {
        this.#log.warn("bus_drop", { kind: "broadcast", error: String(err) });
      }
    }
  }

  /** Queues a stored entry; the turn's entries go out in one post. */
  publishEntry(topic: string, entry: Entry): void {
    if (!this.#channel) return;
    if (this.#batch.length === 0) queueMicrotask(() => this.#flush());
    this.#batch.push([topic, entry.data, entry.epoch, entry.offset]);
  }

  #flush(): void {
    const s = this.#batch;
    this.#batch = [];
    try {
      this.#channel?.postMessage({ s } satisfies Batch);
    } catch (err) {
      // The other workers fill the hole from the store (its watch).
      if (this.#dropped++ === 0) {
        this.#log.warn("bus_drop", { kind: "broadcast", error: String(err) });
      }
    }
  }

  /** Every worker gets every message: nothing to subscribe. */
  interest(): void {}

  /** Closes the channel: an open one keeps the process alive after shutdown. */
  close(): Promise<void> {
    this.#channel?.close();
    this.#channel = null;
    return Promise.resolve();
  }
}
