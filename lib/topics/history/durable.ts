/**
 * `DurableTopics`: the history side of the registry. It appends what is
 * published on a topic with history to the store, hands the stored entries
 * (from here or from the bus) to each topic's `TopicFeed`, and serves the
 * reads of positioned subscriptions. One per registry; `startBus()` gives
 * it the store that fits the bus.
 *
 * @module
 */
import type { Logger } from "../../log.ts";
import type { MessageData } from "../../types.ts";
import type { Subscriber } from "../registry.ts";
import { type FeedHost, type FeedTiming, TopicFeed } from "./feed.ts";
import type { HistoryPolicy } from "./policy.ts";
import type {
  Entry,
  HistoryLimits,
  HistoryStore,
  Position,
  ReadFrom,
  ReadResult,
} from "./store.ts";
import type { SubscriptionHost } from "./subscribe_types.ts";
import { TokenRing } from "./token_ring.ts";

/** An entry on its way to subscribers, maybe skipping its publisher. */
export interface Delivery extends Entry {
  except?: Subscriber;
}

/** What the durable layer needs from the registry. */
export interface DurableSink {
  /** Fans an entry out to this process's subscribers and listeners. */
  deliver(topic: string, entry: Delivery): void;
  /** Tells positioned subscribers that the sequence jumped. */
  lost(topic: string, at: Position, reason: "epoch" | "trimmed"): void;
  /** Whether anything here subscribes to or listens on `topic`. */
  interested(topic: string): boolean;
  /**
   * Hands a message stored here to the other processes: with its position
   * when the store is shared (`kv`), as plain data when each process keeps
   * its own history (`memory`), so each stores it too.
   */
  share?(topic: string, entry: Entry, shared: boolean): void;
}

/** The history layer of one registry. */
export class DurableTopics implements FeedHost, SubscriptionHost {
  readonly store: HistoryStore;
  readonly server: string;
  #policy: HistoryPolicy;
  #sink: DurableSink;
  #timing: FeedTiming;
  #log: Logger | null;
  #feeds = new Map<string, TopicFeed>();
  /** Stops the store's watch of each feed's topic. */
  #unwatch = new Map<string, () => void>();
  /** Publishers awaiting their echo (Redis), to skip them then. */
  #tokens = new TokenRing();
  #down = false;
  /** Publishes refused while the store was away (for the recovery log). */
  refused = 0;

  constructor(
    store: HistoryStore,
    policy: HistoryPolicy,
    sink: DurableSink,
    options: { server: string; timing: FeedTiming; log?: Logger | null },
  ) {
    this.store = store;
    this.#policy = policy;
    this.#sink = sink;
    this.server = options.server;
    this.#timing = options.timing;
    this.#log = options.log ?? null;
  }

  /** Whether every process reads the same history (Redis, KV), not its own. */
  get shared(): boolean {
    return this.store.kind !== "memory";
  }

  limitsFor(topic: string): HistoryLimits | null {
    return this.#policy.limitsFor(topic);
  }

  /**
   * Stores a message and delivers it in order here (a memory or KV store)
   * or when Redis sends it back. Resolves with its entry; rejects while the
   * store is away (the message then goes nowhere). `share: false` for a
   * message that came from another process.
   */
  append(
    topic: string,
    data: MessageData,
    limits: HistoryLimits,
    except?: Subscriber,
    share = true,
  ): Entry | Promise<Entry> {
    const token = except && this.store.echoes
      ? this.#tokens.remember(except)
      : 0;
    let stored: Entry | Promise<Entry>;
    try {
      stored = this.store.append(topic, data, limits, token);
    } catch (err) {
      return this.#refuse(topic, err);
    }
    if (!(stored instanceof Promise)) {
      return this.#stored(topic, stored, except, share);
    }
    return stored.then(
      (e) => this.#stored(topic, e, except, share),
      (err) => this.#refuse(topic, err),
    );
  }

  /**
   * A plain message from another process: stored here too when each
   * process keeps its own history (memory), so this one's sequence has it.
   * `false` when history has nothing to do with it.
   */
  storeRemote(topic: string, data: MessageData): boolean {
    const limits = this.shared ? null : this.#policy.limitsFor(topic);
    if (!limits) return false;
    const stored = this.append(topic, data, limits, undefined, false);
    if (stored instanceof Promise) stored.catch(() => {});
    return true;
  }

  /** An entry from the bus (`own`: published here, `token` names the publisher). */
  receive(topic: string, entry: Entry, own: boolean, token: number): void {
    if (!this.#sink.interested(topic)) return;
    const except = own && token ? this.#tokens.take(token) : undefined;
    const d: Delivery = except ? { ...entry, except } : entry;
    this.feed(topic).accept(d);
  }

  read(
    topic: string,
    from: ReadFrom,
    limit: number,
  ): ReadResult | Promise<ReadResult> {
    // A topic whose rule was removed still answers reads from what is kept.
    const limits = this.#policy.limitsFor(topic) ?? { size: limit, ttl: 0 };
    const r = this.store.read(topic, from, limit, limits);
    if (!(r instanceof Promise)) return r;
    return r.then((ok) => {
      this.#up();
      return ok;
    }, (err) => {
      this.failed(topic, err);
      throw err;
    });
  }

  /** The topic's feed, made on first use. */
  feed(topic: string): TopicFeed {
    let feed = this.#feeds.get(topic);
    if (!feed) {
      const made = feed = new TopicFeed(topic, this, this.#timing);
      this.#feeds.set(topic, made);
      const stop = this.store.watch?.(topic, (e, h) => made.notify(e, h));
      if (stop) this.#unwatch.set(topic, stop);
    }
    return feed;
  }

  /** Nothing here wants `topic` any more: forget its feed. */
  drop(topic: string): void {
    this.#feeds.get(topic)?.close();
    this.#feeds.delete(topic);
    this.#unwatch.get(topic)?.();
    this.#unwatch.delete(topic);
  }

  /** After a reconnect or a new subscription: look for what was missed. */
  sync(topic?: string): void {
    if (topic !== undefined) this.#feeds.get(topic)?.sync();
    else for (const feed of this.#feeds.values()) feed.sync();
  }

  deliver(topic: string, entry: Delivery): void {
    this.#sink.deliver(topic, entry);
  }

  lost(topic: string, at: Position, reason: "epoch" | "trimmed"): void {
    this.#sink.lost(topic, at, reason);
  }

  /** A store call failed: logged once until the store answers again. */
  failed(topic: string, err: unknown): void {
    if (this.#down) return;
    this.#down = true;
    this.#log?.warn("history_down", {
      kind: this.store.kind,
      topic,
      error: err instanceof Error ? err.message : String(err),
      note: "publishes to topics with history are refused until it is back",
    });
  }

  async close(): Promise<void> {
    for (const topic of [...this.#feeds.keys()]) this.drop(topic);
    await this.store.close();
  }

  #stored(
    topic: string,
    e: Entry,
    except: Subscriber | undefined,
    share: boolean,
  ): Entry {
    this.#up();
    if (this.store.echoes) return e;
    if (this.#sink.interested(topic)) {
      // A copy: the stored entry must not hold on to a connection.
      const d: Delivery = except ? { ...e, except } : e;
      this.feed(topic).accept(d);
    }
    if (share) this.#sink.share?.(topic, e, this.shared);
    return e;
  }

  #refuse(topic: string, err: unknown): never {
    this.refused++;
    this.failed(topic, err);
    throw err;
  }

  #up(): void {
    if (!this.#down) return;
    this.#down = false;
    this.#log?.info("history_recovered", {
      kind: this.store.kind,
      refused: this.refused || undefined,
    });
    this.refused = 0;
  }
}
