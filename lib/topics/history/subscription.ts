/**
 * `Subscription`: a connection's subscription to a topic that tracks
 * positions (`since`, `last`, or the v1 envelope). Its cursor is the last
 * offset sent, and each message it sends is the cursor plus one: replay
 * first, then live, no gap and no duplicate at the seam; after a slow
 * spell (send buffer full) it reads what it missed from the store.
 *
 * @module
 */
import { Outgoing } from "../outgoing.ts";
import type { Subscriber } from "../registry.ts";
import { errorFrame, messageFrame, subscribedFrame } from "../wire_v1.ts";
import { READ_PAGE } from "./feed.ts";
import type { Entry, Position, ReadResult } from "./store.ts";
import { openingRead } from "./opening_read.ts";
import type {
  NotRecovered,
  Subscribed,
  SubscribeOptions,
  SubscriberConn,
  SubscriptionHost,
} from "./subscribe_types.ts";

/** A positioned subscription; the registry holds it like any subscriber. */
export class Subscription implements Subscriber {
  readonly topic: string;
  readonly name: string;
  #conn: SubscriberConn;
  #host: SubscriptionHost;
  #envelope: boolean;
  #epoch: string | null = null;
  #cursor = 0;
  #live = false;
  #catching = false;
  #closed = false;
  /** What `start()` resolves with, until `subscribed` is sent. */
  #initial: Subscribed | null = null;

  constructor(
    topic: string,
    conn: SubscriberConn,
    host: SubscriptionHost,
    options: SubscribeOptions,
  ) {
    this.topic = topic;
    this.name = options.name ?? topic;
    this.#conn = conn;
    this.#host = host;
    this.#envelope = options.format === "envelope";
  }

  /** Replays what was asked for, then goes live. Never rejects. */
  async start(options: SubscribeOptions): Promise<Subscribed> {
    const { read, result, ahead } = await openingRead(
      this.#host,
      this.topic,
      this.name,
      options,
    );
    this.#initial = result;
    if (this.#closed) return result;
    const topic = this.name;
    if (ahead && this.#envelope) {
      this.#conn.send(errorFrame({ code: "bad_since", message: ahead, topic }));
    }
    if (!read) {
      this.#goLive();
      return result;
    }
    this.#epoch = read.epoch;
    this.#cursor = read.entries.length ? read.entries[0].offset - 1 : read.head;
    await this.#catchUp(read);
    return result;
  }

  /** A live message from the topic's feed (or a topic without history). */
  deliver(msg: Outgoing): boolean {
    if (!this.#live) return true;
    if (msg.epoch === "") return this.#send(msg);
    if (msg.epoch !== this.#epoch) {
      if (this.#epoch !== null) {
        this.#resume();
        return true;
      }
      // Subscribed while the store was away: the sequence starts here.
      this.#epoch = msg.epoch;
      this.#cursor = msg.offset - 1;
    }
    if (msg.offset <= this.#cursor) return true;
    if (msg.offset > this.#cursor + 1) {
      this.#resume();
      return true;
    }
    if (!this.#send(msg)) {
      this.#resume(true);
      return false;
    }
    this.#cursor = msg.offset;
    return true;
  }

  /** The feed could not keep the sequence: jump to `at`, and say so. */
  lost(at: Position, reason: "epoch" | "trimmed"): void {
    if (!this.#live || this.#closed) return;
    if (at.epoch === this.#epoch && this.#cursor >= at.offset) return;
    this.#epoch = at.epoch;
    this.#cursor = at.offset;
    this.#announce(reason);
  }

  /** Stops sending; the owner removes it from the registry. */
  close(): void {
    this.#closed = true;
    this.#live = false;
  }

  /**
   * Live from now on; the first time, sends `subscribed` — in the same turn
   * as the last replayed message, so no live one comes between them.
   */
  #goLive(): void {
    if (this.#closed) return;
    this.#live = true;
    const first = this.#initial;
    if (!first) return;
    this.#initial = null;
    first.epoch = this.#epoch ?? "";
    first.offset = this.#cursor;
    if (this.#envelope) {
      this.#conn.send(subscribedFrame({ ...first, server: this.#host.server }));
    }
  }

  /** Sends one message in the chosen format; `false` if it was dropped. */
  #send(msg: Outgoing): boolean {
    const name = this.name;
    const out = this.#envelope
      ? msg.derived(name, (m) => messageFrame(name, m))
      : msg;
    return this.#conn.deliver(out);
  }

  /** Leaves live mode and reads what was missed (once drained, if full). */
  #resume(full = false): void {
    this.#live = false;
    if (this.#catching) return;
    this.#catching = true;
    const go = () => void this.#catchUp(null);
    if (full) this.#conn.drained().then(go);
    else go();
  }

  /**
   * Sends `r`'s entries, then reads on from the cursor until it reaches
   * what the feed has delivered, and goes live in that same turn.
   */
  async #catchUp(r: ReadResult | null): Promise<void> {
    this.#catching = true;
    let stalls = 0;
    try {
      while (!this.#closed && this.#conn.readyState <= 1) {
        if (r) {
          if (r.epoch !== this.#epoch) {
            this.#jump(r.epoch, 0, "epoch");
            r = null;
            continue;
          }
          if (r.entries.length === 0 && r.head > this.#cursor) {
            this.#jump(r.epoch, r.head, "trimmed");
          }
          if (!this.#replay(r.entries)) {
            await this.#conn.drained();
            r = null;
            continue;
          }
          if (r.entries.length < READ_PAGE) {
            const feed = this.#host.feed(this.topic);
            feed.anchor(r.epoch, r.head);
            // A feed still in an older epoch catches up by itself.
            if (feed.epoch !== r.epoch) feed.sync();
            // The store had nothing more, yet the feed is ahead: in flight.
            if (r.entries.length === 0) stalls++;
            if (
              feed.epoch !== r.epoch || this.#cursor >= feed.delivered ||
              stalls > 3
            ) {
              this.#goLive();
              return;
            }
          }
        }
        r = await this.#host.read(
          this.topic,
          { after: this.#cursor },
          READ_PAGE,
        );
      }
    } catch {
      // The store went away while catching up: live from here; a hole is
      // caught by the next message's offset.
      if (this.#initial?.recovered) {
        this.#initial.recovered = false;
        this.#initial.reason = "unavailable";
      }
      this.#goLive();
    } finally {
      this.#catching = false;
    }
  }

  /** Sends entries after the cursor; `false` when the buffer filled. */
  #replay(entries: Entry[]): boolean {
    for (const e of entries) {
      if (e.offset <= this.#cursor) continue;
      if (e.offset > this.#cursor + 1) {
        this.#jump(this.#epoch!, e.offset - 1, "trimmed");
      }
      const msg = new Outgoing(e.data, this.topic, e.epoch, e.offset);
      if (!this.#send(msg)) return false;
      this.#cursor = e.offset;
    }
    return true;
  }

  /** A jump while catching up: told in `subscribed`, or at once if sent. */
  #jump(epoch: string, offset: number, reason: "epoch" | "trimmed"): void {
    this.#epoch = epoch;
    this.#cursor = offset;
    const first = this.#initial;
    if (!first) this.#announce(reason);
    else if (first.recovered) {
      first.recovered = false;
      first.reason = reason;
    }
  }

  /** A later `subscribed`: the sequence jumped, the client should reload. */
  #announce(reason: NotRecovered): void {
    if (!this.#envelope) return;
    const at = { epoch: this.#epoch ?? "", offset: this.#cursor };
    const s = { topic: this.name, ...at, recovered: false, reason };
    this.#conn.send(subscribedFrame({ ...s, server: this.#host.server }));
  }
}
