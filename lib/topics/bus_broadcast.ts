/**
 * `BroadcastBus`: topics across the workers of `deno serve --parallel`
 * through Deno's `BroadcastChannel`. A channel delivers to every other
 * isolate of the process, never back to the sender, so no message reaches
 * a connection twice.
 *
 * @module
 */
import type { Bus, BusSink } from "./bus.ts";
import type { Logger } from "../log.ts";
import type { MessageData } from "../types.ts";

/** The channel every denosocket worker joins. */
export const CHANNEL_NAME = "denosocket:topics";

/** What goes over the channel (structured clone keeps strings and bytes). */
interface Envelope {
  t: string;
  d: MessageData;
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

  constructor(sink: BusSink, log: Logger, name = CHANNEL_NAME) {
    this.#log = log;
    this.#channel = new BroadcastChannel(name);
    this.#channel.onmessage = (e: MessageEvent) => {
      const env = e.data as Envelope | null;
      // Only other denosocket isolates post here, but check the shape anyway.
      if (
        env && typeof env.t === "string" &&
        (typeof env.d === "string" || env.d instanceof Uint8Array)
      ) sink(env.t, env.d);
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

  /** Every worker gets every message: nothing to subscribe. */
  interest(): void {}

  /** Closes the channel: an open one keeps the process alive after shutdown. */
  close(): Promise<void> {
    this.#channel?.close();
    this.#channel = null;
    return Promise.resolve();
  }
}
