/**
 * `RedisHistory`: topic history in Redis Streams, shared by every server on
 * the same Redis (`--bus redis://…`). An append stores the message, gives
 * it the topic's next offset and publishes it on the topic's channel in one
 * script (`redis_scripts.ts`), so the bus delivers it — to this server too —
 * in offset order. Trimmed with `MAXLEN` (size) and `MINID` (age).
 *
 * While Redis is away appends and reads fail at once (the connection has no
 * offline queue): publishes to topics with history are refused, never
 * delivered without a place in the sequence.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { Redis } from "ioredis";
import type { MessageData } from "../../types.ts";
import { storedHeader } from "../bus_wire.ts";
import { APPEND_SCRIPT, READ_SCRIPT } from "./redis_scripts.ts";
import {
  type Entry,
  EPOCH_KEEP_MS,
  type HistoryLimits,
  type HistoryStore,
  newEpoch,
  type ReadFrom,
  type ReadResult,
} from "./store.ts";

type Reply = Buffer | number | Reply[];

/** The scripts as ioredis commands (`defineCommand`). */
interface Scripts {
  denosocketAppend(...args: (string | number | Buffer)[]): Promise<Reply[]>;
  denosocketReadBuffer(...args: (string | number)[]): Promise<Reply[]>;
}

const strict = new TextDecoder("utf-8", { fatal: true });

/**
 * History over one ioredis connection (the bus's publishing one).
 *
 * @example
 * ```ts ignore
 * const store = new RedisHistory(pub, "denosocket:0:", senderId);
 * const entry = await store.append("news", "hello", { size: 100, ttl: 3600 }, 0);
 * ```
 */
export class RedisHistory implements HistoryStore {
  readonly kind = "redis" as const;
  readonly echoes = true;
  #client: Redis;
  #scripts: Scripts;
  #prefix: string;
  #sender: Uint8Array;

  constructor(client: Redis, prefix: string, sender: Uint8Array) {
    this.#client = client;
    this.#prefix = prefix;
    this.#sender = sender;
    client.defineCommand("denosocketAppend", {
      numberOfKeys: 2,
      lua: APPEND_SCRIPT,
    });
    client.defineCommand("denosocketRead", {
      numberOfKeys: 2,
      lua: READ_SCRIPT,
    });
    this.#scripts = client as unknown as Scripts;
  }

  async append(
    topic: string,
    data: MessageData,
    limits: HistoryLimits,
    token: number,
  ): Promise<Entry> {
    this.#ready();
    const binary = typeof data !== "string";
    const body = binary
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data, "utf8");
    const ttl = limits.ttl * 1000;
    const reply = await this.#scripts.denosocketAppend(
      ...this.#keys(topic),
      newEpoch(),
      limits.size,
      ttl,
      ttl === 0 ? 0 : Math.max(ttl, EPOCH_KEEP_MS),
      this.#prefix + topic,
      Buffer.from(storedHeader(this.#sender, binary, token)),
      binary ? "b" : "t",
      body,
    );
    return { epoch: String(reply[0]), offset: Number(reply[1]), data };
  }

  async read(
    topic: string,
    from: ReadFrom,
    limit: number,
    limits: HistoryLimits,
  ): Promise<ReadResult> {
    this.#ready();
    const ttl = limits.ttl * 1000;
    const [mode, n] = "after" in from
      ? ["after", from.after]
      : ["last", from.last];
    const reply = await this.#scripts.denosocketReadBuffer(
      ...this.#keys(topic),
      newEpoch(),
      mode,
      n,
      limit,
      ttl,
      ttl === 0 ? 0 : Math.max(ttl, EPOCH_KEEP_MS),
    );
    const epoch = String(reply[0]);
    const entries: Entry[] = [];
    for (const item of reply[2] as Reply[][]) {
      const id = String(item[0]);
      const fields = item[1] as Buffer[];
      const payload = new Uint8Array(
        fields[5].buffer,
        fields[5].byteOffset,
        fields[5].byteLength,
      );
      entries.push({
        epoch,
        offset: Number(id.slice(0, id.indexOf("-"))),
        data: String(fields[3]) === "b"
          ? payload.slice()
          : strict.decode(payload),
      });
    }
    return { epoch, head: Number(reply[1]), entries };
  }

  /** The connection belongs to the bus, which closes it. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  #keys(topic: string): [string, string] {
    return [
      `${this.#prefix}meta:{${topic}}`,
      `${this.#prefix}history:{${topic}}`,
    ];
  }

  /** Fails at once while Redis is away, rather than waiting for it. */
  #ready(): void {
    if (this.#client.status !== "ready") {
      throw new Error(`Redis is ${this.#client.status}`);
    }
  }
}
