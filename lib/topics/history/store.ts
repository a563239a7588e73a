/**
 * What topic history is made of: positions (`epoch` + `offset`), entries,
 * the limits a topic keeps, and the `HistoryStore` interface the memory,
 * Redis Streams and Deno KV stores implement. The rules are in
 * docs/topics.md, "Offsets, epochs and resume".
 *
 * @module
 */
import type { MessageData, Position } from "../../types.ts";

export type { Position };

/** One stored message. */
export interface Entry extends Position {
  data: MessageData;
}

/** How much history a topic keeps: `size` messages, none older than `ttl` seconds (0: no age bound). */
export interface HistoryLimits {
  size: number;
  ttl: number;
}

/** What a read found: the topic's epoch, its last offset, and entries. */
export interface ReadResult {
  epoch: string;
  /** The last offset written in this epoch (0: none yet). */
  head: number;
  /** Entries after the asked-for offset, oldest first; contiguous. */
  entries: Entry[];
}

/** Where a read starts: after an offset, or the `last` N messages. */
export type ReadFrom = { after: number } | { last: number };

/** A store of topic history; one per process, chosen by the bus. */
export interface HistoryStore {
  /** `memory` (`--bus local`), `redis` or `kv` (`--bus broadcast`). */
  readonly kind: "memory" | "redis" | "kv";
  /**
   * `true` when an append comes back to this process through the bus
   * (Redis publishes it in the same script), so it is delivered from
   * there; `false` when the caller delivers it.
   */
  readonly echoes: boolean;
  /** Stores one message and gives it the topic's next offset. */
  append(
    topic: string,
    data: MessageData,
    limits: HistoryLimits,
    token: number,
  ): Entry | Promise<Entry>;
  /** Reads up to `limit` entries; makes the topic's epoch if it has none. */
  read(
    topic: string,
    from: ReadFrom,
    limit: number,
    limits: HistoryLimits,
  ): ReadResult | Promise<ReadResult>;
  /**
   * Optional: calls `onHead` whenever the topic's last offset changes,
   * whoever wrote it (Deno KV's watch); returns a function that stops.
   */
  watch?(
    topic: string,
    onHead: (epoch: string, head: number) => void,
  ): () => void;
  /** Frees connections and timers. */
  close(): Promise<void>;
}

/**
 * A fresh epoch: 12 random base-36 characters.
 *
 * @example
 * ```ts
 * import { newEpoch } from "./store.ts";
 * import assert from "node:assert/strict";
 * assert.match(newEpoch(), /^[0-9a-z]{12}$/);
 * assert.notEqual(newEpoch(), newEpoch());
 * ```
 */
export function newEpoch(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => (b % 36).toString(36)).join("");
}

/**
 * A topic's epoch is kept this long after its last message (or its TTL if
 * longer), so a client back within a week resumes in the same epoch.
 */
export const EPOCH_KEEP_MS = 7 * 86400 * 1000;

/** Why a resume did not recover everything. */
export type LostReason = "epoch" | "trimmed" | "ahead";

/**
 * Whether a read made with `{ after: since.offset }` resumes `since` with
 * nothing missing, or why not: another epoch, history trimmed past it, or
 * an offset the topic never reached.
 *
 * @example
 * ```ts
 * import { resumeVerdict } from "./store.ts";
 * import assert from "node:assert/strict";
 * const read = {
 *   epoch: "e",
 *   head: 3,
 *   entries: [{ epoch: "e", offset: 3, data: "c" }],
 * };
 * assert.equal(resumeVerdict({ epoch: "e", offset: 2 }, read), "ok");
 * assert.equal(resumeVerdict({ epoch: "e", offset: 1 }, read), "trimmed");
 * assert.equal(resumeVerdict({ epoch: "e", offset: 9 }, read), "ahead");
 * assert.equal(resumeVerdict({ epoch: "x", offset: 2 }, read), "epoch");
 * ```
 */
export function resumeVerdict(
  since: Position,
  read: ReadResult,
): "ok" | LostReason {
  if (since.epoch !== read.epoch) return "epoch";
  if (since.offset > read.head) return "ahead";
  if (since.offset === read.head) return "ok";
  return read.entries[0]?.offset === since.offset + 1 ? "ok" : "trimmed";
}

/**
 * Whether `value` is a usable `since`: a non-empty epoch of at most 64
 * characters and a whole offset from 0 to 2^53 − 1. For positions that
 * come from clients.
 *
 * @example
 * ```ts
 * import { isPosition } from "./store.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isPosition({ epoch: "e", offset: 4 }), true);
 * assert.equal(isPosition({ epoch: "e", offset: -1 }), false);
 * assert.equal(isPosition({ epoch: 7, offset: 4 }), false);
 * ```
 */
export function isPosition(value: unknown): value is Position {
  if (typeof value !== "object" || value === null) return false;
  const { epoch, offset } = value as Record<string, unknown>;
  return typeof epoch === "string" && epoch.length > 0 &&
    epoch.length <= 64 && Number.isSafeInteger(offset) &&
    (offset as number) >= 0;
}
