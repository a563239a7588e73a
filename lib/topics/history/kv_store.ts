/**
 * `KvHistory`: topic history in Deno KV, for `--bus broadcast` — the
 * workers of `deno serve --parallel` share the database file, and on Deno
 * Deploy every instance shares the project's KV. Offsets come from a
 * checked write of the topic's meta key, so every worker hands out the
 * same sequence; the `BroadcastChannel` only carries the entries fast.
 *
 * A commit costs a disk sync (measured here: 3–7 ms, p50), so appends are
 * grouped: while one commit is in flight the next messages of that topic
 * queue, and go in the next commit together (up to `KV_BATCH`). Two
 * workers committing at once conflict and retry; SQLite's "database is
 * locked" between isolates is retried too.
 *
 * Keys: `["denosocket", "h", TOPIC, "meta"]` = `{ e: epoch, o: last offset }`
 * and `["denosocket", "h", TOPIC, "m", OFFSET]` = `{ e, t: ms, d: data }`.
 *
 * @module
 */
import { utf8Length } from "../../protocol/utf8_length.ts";
import type { MessageData } from "../../types.ts";
import type { FeedTiming } from "./feed.ts";
import {
  type Entry,
  EPOCH_KEEP_MS,
  type HistoryLimits,
  type HistoryStore,
  newEpoch,
  type ReadFrom,
  type ReadResult,
} from "./store.ts";

/** Entries per commit at most (Deno KV allows 1,000 mutations, 800 KiB). */
export const KV_BATCH = 200;
/** Bytes of messages per commit at most (one message may go over alone). */
export const KV_BATCH_BYTES = 512 * 1024;
/** Deno KV's value limit: bigger messages cannot be kept. */
export const KV_MAX_VALUE = 65_536 - 256;
/** Entries from other workers may be a commit late: wait a little before reading. */
export const KV_TIMING: FeedTiming = { gapWaitMs: 30 };

interface Meta {
  e: string;
  o: number;
}
interface Stored {
  e: string;
  t: number;
  d: MessageData;
}
interface Waiting {
  size: number;
  data: MessageData;
  limits: HistoryLimits;
  done: PromiseWithResolvers<Entry>;
}

const metaKey = (topic: string) => ["denosocket", "h", topic, "meta"];
const msgKey = (topic: string, o: number) => ["denosocket", "h", topic, "m", o];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** History in Deno KV with grouped commits. */
export class KvHistory implements HistoryStore {
  readonly kind = "kv" as const;
  readonly echoes = false;
  #kv: Deno.Kv;
  #queues = new Map<string, Waiting[]>();

  constructor(kv: Deno.Kv) {
    this.#kv = kv;
  }

  append(
    topic: string,
    data: MessageData,
    limits: HistoryLimits,
  ): Promise<Entry> {
    const size = typeof data === "string" ? utf8Length(data) : data.byteLength;
    if (size > KV_MAX_VALUE) {
      return Promise.reject(
        new RangeError(`Deno KV keeps values up to ${KV_MAX_VALUE} bytes`),
      );
    }
    const done = Promise.withResolvers<Entry>();
    let queue = this.#queues.get(topic);
    if (!queue) {
      this.#queues.set(topic, queue = []);
      void this.#flush(topic, queue);
    }
    queue.push({ size, data, limits, done });
    return done.promise;
  }

  async read(
    topic: string,
    from: ReadFrom,
    limit: number,
    limits: HistoryLimits,
  ): Promise<ReadResult> {
    const meta = await this.#meta(topic);
    const head = meta.o;
    const after = "after" in from ? from.after : Math.max(0, head - from.last);
    const lower = Math.max(after, head - limits.size);
    const entries: Entry[] = [];
    if (lower >= head) return { epoch: meta.e, head, entries };
    const oldest = limits.ttl > 0 ? Date.now() - limits.ttl * 1000 : 0;
    const list = this.#kv.list<Stored>({
      start: msgKey(topic, lower + 1),
      end: msgKey(topic, head + 1),
    }, { limit });
    for await (const { key, value } of list) {
      const offset = key[4] as number;
      // Left over from an earlier epoch, or too old: not history any more.
      if (value.e !== meta.e || value.t < oldest) continue;
      if (entries.length && offset !== entries.at(-1)!.offset + 1) break;
      entries.push({ epoch: meta.e, offset, data: value.d });
    }
    return { epoch: meta.e, head, entries };
  }

  /**
   * Watches the topic's meta key: every commit, from any worker or
   * instance, reports its last offset (measured 2–13 ms between two
   * workers), so an entry the channel dropped is read soon even if nothing
   * follows it.
   */
  watch(
    topic: string,
    onHead: (epoch: string, head: number) => void,
  ): () => void {
    const reader = this.#kv.watch<[Meta]>([metaKey(topic)]).getReader();
    (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const meta = value[0].value;
        if (meta) onHead(meta.e, meta.o);
      }
    })().catch(() => {}); // closed with the database
    return () => void reader.cancel().catch(() => {});
  }

  close(): Promise<void> {
    this.#kv.close();
    return Promise.resolve();
  }

  /** The topic's meta, made (with a new epoch) if missing. */
  #meta(topic: string): Promise<Meta> {
    return whileLocked(async () => {
      const got = await this.#kv.get<Meta>(metaKey(topic));
      if (got.value) return got.value;
      const meta = { e: newEpoch(), o: 0 };
      const res = await this.#kv.atomic().check(got)
        .set(metaKey(topic), meta, { expireIn: EPOCH_KEEP_MS }).commit();
      return res.ok ? meta : null;
    });
  }

  /** Commits the topic's queue, a batch at a time, until it is empty. */
  async #flush(topic: string, queue: Waiting[]): Promise<void> {
    // Let the current turn's publishes join the first batch.
    await Promise.resolve();
    while (queue.length) {
      let n = 0;
      for (let bytes = 0; n < queue.length && n < KV_BATCH; n++) {
        bytes += queue[n].size;
        if (bytes > KV_BATCH_BYTES && n > 0) break;
      }
      const batch = queue.splice(0, n);
      try {
        const entries = await this.#commit(topic, batch);
        batch.forEach((w, i) => w.done.resolve(entries[i]));
      } catch (err) {
        for (const w of batch) w.done.reject(err);
      }
    }
    this.#queues.delete(topic);
  }

  #commit(topic: string, batch: Waiting[]): Promise<Entry[]> {
    return whileLocked(async () => {
      const got = await this.#kv.get<Meta>(metaKey(topic));
      const meta = got.value ?? { e: newEpoch(), o: 0 };
      const now = Date.now();
      const op = this.#kv.atomic().check(got);
      const entries = batch.map((w, i): Entry => {
        const offset = meta.o + 1 + i;
        const { size, ttl } = w.limits;
        op.set(msgKey(topic, offset), { e: meta.e, t: now, d: w.data }, {
          expireIn: ttl > 0 ? ttl * 1000 : undefined,
        });
        if (offset > size) op.delete(msgKey(topic, offset - size));
        return { epoch: meta.e, offset, data: w.data };
      });
      const ttl = Math.max(...batch.map((w) => w.limits.ttl)) * 1000;
      op.set(metaKey(topic), { e: meta.e, o: meta.o + batch.length }, {
        expireIn: ttl === 0 ? undefined : Math.max(ttl, EPOCH_KEEP_MS),
      });
      // Null when another worker committed first: read the new meta again.
      return (await op.commit()).ok ? entries : null;
    });
  }
}

/**
 * Runs `attempt` until it gives a value: again at once when it gives null
 * (an atomic check lost to another worker), again after a few ms when
 * SQLite says another isolate holds the lock; other errors, and the lock
 * still held after 50 tries, are thrown.
 *
 * @example
 * ```ts
 * import { whileLocked } from "./kv_store.ts";
 * import assert from "node:assert/strict";
 * let calls = 0;
 * const v = await whileLocked(() => {
 *   calls++;
 *   if (calls === 1) throw new Error("database is locked");
 *   return Promise.resolve(calls === 2 ? null : "done");
 * });
 * assert.deepEqual([v, calls], ["done", 3]);
 * ```
 */
export async function whileLocked<T>(
  attempt: () => Promise<T | null>,
): Promise<T> {
  for (let n = 0;; n++) {
    try {
      const value = await attempt();
      if (value !== null) return value;
    } catch (err) {
      if (!isLocked(err) || n > 50) throw err;
      await sleep(1 + Math.random() * 4);
    }
  }
}

/** SQLite's answer when another isolate holds the write lock. */
function isLocked(err: unknown): boolean {
  return err instanceof Error && /database is (locked|busy)/i.test(err.message);
}
