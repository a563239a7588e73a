/**
 * `openingRead()`: the first read of a positioned subscription — after
 * `since` for a resume, else the `last` N messages — and what it means for
 * `recovered`. A resume that cannot be met falls back to `last`.
 *
 * @module
 */
import { READ_PAGE } from "./feed.ts";
import { type ReadResult, resumeVerdict } from "./store.ts";
import type {
  Subscribed,
  SubscribeOptions,
  SubscriptionHost,
} from "./subscribe_types.ts";

/** What the first read found. */
export interface OpeningRead {
  /** Entries to replay first, or `null`: no history, or the store is away. */
  read: ReadResult | null;
  /** What `subscribe()` will resolve with (the position is filled in later). */
  result: Subscribed;
  /** Why `since` was refused as being ahead of the topic, or `null`. */
  ahead: string | null;
}

/**
 * Reads what a new subscription replays first.
 *
 * @example
 * ```ts
 * import { openingRead } from "./opening_read.ts";
 * import { MemoryHistory } from "./memory_store.ts";
 * import type { ReadFrom } from "./store.ts";
 * import assert from "node:assert/strict";
 * const store = new MemoryHistory();
 * const limits = { size: 10, ttl: 0 };
 * const first = store.append("t", "a", limits);
 * store.append("t", "b", limits);
 * const host = {
 *   limitsFor: () => limits,
 *   read: (t: string, from: ReadFrom, n: number) => store.read(t, from, n, limits),
 * };
 * const since = { epoch: first.epoch, offset: 1 };
 * const { read, result } = await openingRead(host, "t", "t", { since });
 * assert.equal(result.recovered, true);
 * assert.deepEqual(read?.entries.map((e) => e.data), ["b"]);
 * ```
 */
export async function openingRead(
  host: Pick<SubscriptionHost, "limitsFor" | "read">,
  topic: string,
  name: string,
  options: SubscribeOptions,
): Promise<OpeningRead> {
  const { since, last = 0 } = options;
  const result: Subscribed = {
    topic: name,
    epoch: "",
    offset: 0,
    recovered: false,
  };
  const limits = host.limitsFor(topic);
  if (!limits) {
    if (since) result.reason = "no_history";
    return { read: null, result, ahead: null };
  }
  try {
    let read = await host.read(
      topic,
      since ? { after: since.offset } : { last },
      READ_PAGE,
    );
    if (!since) return { read, result, ahead: null };
    const verdict = resumeVerdict(since, read);
    if (verdict === "ok") {
      result.recovered = true;
      return { read, result, ahead: null };
    }
    result.reason = verdict;
    const ahead = verdict === "ahead"
      ? `offset ${since.offset} is ahead of the last offset ${read.head} of epoch ${read.epoch}`
      : null;
    // Cannot resume: the latest `last` messages instead, if asked for.
    read = last > 0
      ? await host.read(topic, { last }, READ_PAGE)
      : { ...read, entries: [] };
    return { read, result, ahead };
  } catch {
    // The store is away: live messages only, from wherever they start.
    if (since) result.reason = "unavailable";
    return { read: null, result, ahead: null };
  }
}
