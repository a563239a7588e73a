/**
 * The bus: how a topic's messages reach other isolates and machines.
 *
 * - `local`: none; topics stay in this process (or this worker).
 * - `broadcast`: Deno's `BroadcastChannel`, which reaches every other worker
 *   of `deno serve --parallel`.
 * - `redis://host:port[/db]`: Redis pub/sub, shared by several machines.
 *
 * Every bus is at-most-once: a message that cannot be handed on now is
 * dropped, never queued, so publishers never wait and order per publisher
 * holds. Topics with history add a store (`startBus()` picks the one that
 * fits the bus), from which holes the bus leaves are filled.
 *
 * @module
 */
import type { Logger } from "../log.ts";
import { topics } from "./topics.ts";
import type { MessageData } from "../types.ts";
import type { Entry } from "./history/store.ts";
import { MemoryHistory } from "./history/memory_store.ts";

/** What the registry needs from a bus. */
export interface Bus {
  /** `local`, `broadcast` or `redis`. */
  readonly kind: BusSpec["kind"];
  /** Hands a message published here to the other processes. Never blocks. */
  publish(topic: string, data: MessageData): void;
  /** Hands a stored entry to the other processes (buses whose store does not). */
  publishEntry?(topic: string, entry: Entry): void;
  /**
   * This process now wants (`on`) or no longer wants messages on `topic` —
   * or, with `prefix`, on every topic starting with it. Buses that deliver
   * everything everywhere ignore it. May resolve once it is in place.
   */
  interest(topic: string, on: boolean, prefix?: boolean): Promise<void> | void;
  /** Stops delivering and frees what keeps the process alive. */
  close(): Promise<void>;
}

/** A stored message's position as the bus carries it. */
export interface BusPosition {
  epoch: string;
  offset: number;
  /** Published by this process (Redis sends a server its own back). */
  own: boolean;
  /** Names the publisher here, for `own` messages. */
  token: number;
}

/** Where the bus hands messages that arrive from elsewhere. */
export type BusSink = (
  topic: string,
  data: MessageData,
  at?: BusPosition,
) => void;

/** A parsed `--bus` value. */
export type BusSpec =
  | { kind: "local" }
  | { kind: "broadcast" }
  | { kind: "redis"; url: string; host: string; port: number; db: number };

/**
 * Parses a `--bus` value; returns an error message for anything else.
 *
 * @example
 * ```ts
 * import { parseBusSpec } from "./bus.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseBusSpec("redis://127.0.0.1:6379/2"), {
 *   kind: "redis",
 *   url: "redis://127.0.0.1:6379/2",
 *   host: "127.0.0.1",
 *   port: 6379,
 *   db: 2,
 * });
 * ```
 */
export function parseBusSpec(text: string): BusSpec | string {
  if (text === "local" || text === "broadcast") return { kind: text };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `invalid --bus "${text}": expected local, broadcast or redis://host:port[/db]`;
  }
  if (url.protocol !== "redis:") {
    return `invalid --bus "${text}": expected local, broadcast or redis://host:port[/db]`;
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (!host) return `invalid --bus "${text}": no host`;
  const port = url.port === "" ? 6379 : Number(url.port);
  const path = url.pathname.replace(/^\//, "");
  if (path !== "" && !/^\d{1,5}$/.test(path)) {
    return `invalid --bus "${text}": the path must be a database number`;
  }
  if (url.search || url.hash) {
    return `invalid --bus "${text}": no query or fragment expected`;
  }
  return { kind: "redis", url: text, host, port, db: Number(path || 0) };
}

/** The in-process bus: nothing leaves the process. */
class LocalBus implements Bus {
  readonly kind = "local" as const;
  publish(): void {}
  interest(): void {}
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Opens the bus `spec` names, attaches it to this isolate's topics with the
 * history store that fits it (memory for `local`, Deno KV for `broadcast`,
 * Redis Streams for `redis`), and returns it. A Redis bus waits up to
 * `readyMs` for its first connection, then serves anyway and keeps
 * retrying in the background. `kvPath` places the Deno KV database
 * (default: Deno's own location; on Deno Deploy, the project's KV).
 *
 * @example
 * ```ts ignore
 * const bus = await startBus("broadcast", log);
 * // ... on shutdown:
 * await stopBus();
 * ```
 */
export async function startBus(
  spec: string | BusSpec,
  log: Logger,
  readyMs = 3000,
  kvPath?: string,
): Promise<Bus> {
  const parsed = typeof spec === "string" ? parseBusSpec(spec) : spec;
  if (typeof parsed === "string") throw new TypeError(parsed);
  await stopBus();
  const sink: BusSink = (topic, data, at) => {
    if (!at) topics.fromBus(topic, data);
    else {
      const entry = { epoch: at.epoch, offset: at.offset, data };
      topics.durable.receive(topic, entry, at.own, at.token);
    }
  };
  let bus: Bus;
  if (parsed.kind === "broadcast") {
    const { BroadcastBus } = await import("./bus_broadcast.ts");
    bus = new BroadcastBus(sink, log);
    const { openKvHistory } = await import("./history/kv_open.ts");
    const { KV_TIMING } = await import("./history/kv_store.ts");
    const store = await openKvHistory(log, kvPath);
    await topics.useStore(
      store,
      store.kind === "kv" ? KV_TIMING : undefined,
      log,
    );
  } else if (parsed.kind === "redis") {
    // Loaded only when asked for, so other setups never load the client.
    const { RedisBus } = await import("./bus_redis.ts");
    const redis = new RedisBus(parsed, sink, log);
    redis.onRecovered = () => topics.durable.sync();
    await topics.useStore(redis.history, undefined, log);
    await redis.ready(readyMs);
    bus = redis;
  } else {
    bus = new LocalBus();
    await topics.useStore(new MemoryHistory(), undefined, log);
  }
  topics.attach(bus);
  // The Redis bus logs bus_up/bus_down itself.
  if (parsed.kind === "broadcast") log.info("bus", { kind: parsed.kind });
  return bus;
}

/**
 * Detaches and closes the current bus (topics go back to in-process only).
 *
 * @example
 * ```ts ignore
 * Deno.addSignalListener("SIGTERM", () => stopBus());
 * ```
 */
export async function stopBus(): Promise<void> {
  const bus = topics.bus;
  if (!bus) return;
  topics.attach(null);
  await topics.useStore(new MemoryHistory());
  await bus.close();
}
