/**
 * `RedisBus`: topics across machines through Redis pub/sub, with ioredis
 * (npm, kept by the Redis organisation; works under Deno's `node:net`).
 *
 * Two connections, as Redis requires: one subscribes, one publishes. Each
 * topic is the channel `denosocket:DB:TOPIC`, subscribed while this process
 * has a subscriber (or a listener), so Redis only sends a server what it
 * wants. When Redis goes away both connections reconnect with backoff;
 * meanwhile local subscribers are still served, remote publishes are
 * dropped (at-most-once, never queued), and the outage and the recovery are
 * logged once each. ioredis re-subscribes on reconnect. Topics with
 * history are stored in Redis Streams by `history` (a `RedisHistory` on the
 * publishing connection), whose script publishes on the same channels.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { Redis } from "ioredis";
import type { Bus, BusSink, BusSpec } from "./bus.ts";
import { decodeWire, encodeWire, sameSender } from "./bus_wire.ts";
import { RedisHistory } from "./history/redis_store.ts";
import { globEscape, unglob } from "./redis_glob.ts";
import type { Logger } from "../log.ts";
import type { MessageData } from "../types.ts";

type RedisSpec = Extract<BusSpec, { kind: "redis" }>;

/**
 * Reconnect delays: 100 ms doubling to 5 s, with jitter so servers spread out.
 *
 * @example
 * ```ts
 * import { backoff } from "./bus_redis.ts";
 * import assert from "node:assert/strict";
 * const first = backoff(1); // 100 ms ± 25%
 * assert.ok(first >= 75 && first <= 125);
 * const capped = backoff(10); // 5 s ± 25%
 * assert.ok(capped >= 3750 && capped <= 6250);
 * ```
 */
export function backoff(attempt: number): number {
  const base = Math.min(100 * 2 ** Math.min(attempt - 1, 6), 5000);
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

/**
 * A bus over Redis pub/sub.
 *
 * @example
 * ```ts ignore
 * const spec = parseBusSpec("redis://127.0.0.1:6379") as BusSpec;
 * const bus = new RedisBus(spec, (topic, data) => topics.dispatch(topic, data), log);
 * await bus.ready(3000);
 * ```
 */
export class RedisBus implements Bus {
  readonly kind = "redis" as const;
  readonly prefix: string;
  #sub: Redis;
  #pub: Redis;
  #sink: BusSink;
  #log: Logger;
  #id = crypto.getRandomValues(new Uint8Array(8));
  /** Topic prefixes listened to with `prefix*` (PSUBSCRIBE). */
  #patterns = new Set<string>();
  #up = false;
  #everUp = false;
  #downLogged = false;
  #lastError = "";
  #closed = false;
  #readyWaiters: (() => void)[] = [];
  /** Messages not handed on while Redis was away (for the recovery log). */
  dropped = 0;
  /** History in Redis Streams, on the publishing connection. */
  readonly history: RedisHistory;
  /** Called when Redis is back after an outage (the feeds look for holes). */
  onRecovered: (() => void) | null = null;

  constructor(spec: RedisSpec, sink: BusSink, log: Logger) {
    this.#sink = sink;
    this.#log = log;
    this.prefix = `denosocket:${spec.db}:`;
    const options = {
      host: spec.host,
      port: spec.port,
      db: spec.db,
      retryStrategy: backoff,
      // Subscriptions wait for the connection however long it takes.
      maxRetriesPerRequest: null,
      connectTimeout: 5000,
      lazyConnect: false,
    };
    this.#sub = new Redis(spec.url, { ...options, autoResubscribe: true });
    // Publishes while Redis is away are dropped, not queued for later.
    this.#pub = new Redis(spec.url, { ...options, enableOfflineQueue: false });
    this.history = new RedisHistory(this.#pub, this.prefix, this.#id);
    for (const conn of [this.#sub, this.#pub]) {
      conn.on("ready", () => this.#update());
      conn.on("close", () => this.#update());
      conn.on("end", () => this.#update());
      conn.on("error", (err: Error) => {
        this.#lastError = err.message;
        this.#update();
      });
    }
    this.#sub.on("messageBuffer", (channel: Buffer, message: Buffer) => {
      const topic = this.#topicOf(channel);
      // A prefix pattern covering this topic brings it as a pmessage too.
      if (topic !== null && this.#coveringPrefix(topic) === null) {
        this.#receive(topic, message);
      }
    });
    this.#sub.on(
      "pmessageBuffer",
      (pattern: Buffer, channel: Buffer, message: Buffer) => {
        const topic = this.#topicOf(channel);
        if (topic === null) return;
        const mine = this.#topicOf(pattern)?.slice(0, -1);
        // Overlapping patterns each bring a copy: keep the shortest's only.
        const prefix = mine === undefined ? null : unglob(mine);
        if (prefix !== null && prefix === this.#coveringPrefix(topic)) {
          this.#receive(topic, message);
        }
      },
    );
  }

  /** Whether both connections are ready. */
  get up(): boolean {
    return this.#up;
  }

  /** Resolves when Redis is reachable, or after `ms` regardless. */
  ready(ms: number): Promise<void> {
    if (this.#up) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#readyWaiters.push(done);
    });
  }

  publish(topic: string, data: MessageData): void {
    if (this.#pub.status !== "ready") {
      this.dropped++;
      return;
    }
    const wire = encodeWire(this.#id, data);
    const payload = Buffer.from(wire.buffer, wire.byteOffset, wire.byteLength);
    this.#pub.publish(this.prefix + topic, payload).catch(() => {
      this.dropped++;
    });
  }

  interest(topic: string, on: boolean, isPrefix = false): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const ignore = () => {};
    if (isPrefix) {
      const prefix = topic;
      const pattern = this.prefix + globEscape(prefix) + "*";
      if (on) this.#patterns.add(prefix);
      else this.#patterns.delete(prefix);
      return (on
        ? this.#sub.psubscribe(pattern)
        : this.#sub.punsubscribe(pattern))
        .then(ignore, ignore);
    }
    const channel = this.prefix + topic;
    return (on ? this.#sub.subscribe(channel) : this.#sub.unsubscribe(channel))
      .then(ignore, ignore);
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#sub.disconnect();
    this.#pub.disconnect();
    for (const w of this.#readyWaiters.splice(0)) w();
    return Promise.resolve();
  }

  #topicOf(channel: Buffer): string | null {
    const name = channel.toString("utf8");
    return name.startsWith(this.prefix) ? name.slice(this.prefix.length) : null;
  }

  #coveringPrefix(topic: string): string | null {
    let best: string | null = null;
    for (const p of this.#patterns) {
      if (topic.startsWith(p) && (best === null || p.length < best.length)) {
        best = p;
      }
    }
    return best;
  }

  #receive(topic: string, message: Buffer): void {
    const bytes = new Uint8Array(
      message.buffer,
      message.byteOffset,
      message.byteLength,
    );
    const msg = decodeWire(bytes);
    if (!msg) return;
    const own = msg.sender !== null && sameSender(msg.sender, this.#id);
    // A stored message is delivered from here, ours too, in offset order.
    if (msg.at) this.#sink(topic, msg.data, { ...msg.at, own });
    // Our own plain publishes come back too: already delivered.
    else if (!own) this.#sink(topic, msg.data);
  }

  /** Logs the outage once and the recovery once. */
  #update(): void {
    if (this.#closed) return;
    const up = this.#sub.status === "ready" && this.#pub.status === "ready";
    if (up === this.#up) {
      if (!up && !this.#downLogged && this.#lastError) this.#logDown();
      return;
    }
    this.#up = up;
    if (up) {
      const fields = { kind: "redis", dropped: this.dropped || undefined };
      if (this.#everUp || this.#downLogged) {
        this.#log.info("bus_recovered", fields);
        this.onRecovered?.();
      } else this.#log.info("bus_up", fields);
      this.#everUp = true;
      this.#downLogged = false;
      this.dropped = 0;
      for (const w of this.#readyWaiters.splice(0)) w();
    } else if (!this.#downLogged) this.#logDown();
  }

  #logDown(): void {
    this.#downLogged = true;
    this.#log.warn("bus_down", {
      kind: "redis",
      error: this.#lastError || "connection closed",
      note: "serving local subscribers; reconnecting with backoff",
    });
  }
}
