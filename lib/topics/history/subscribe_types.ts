/**
 * The types of a positioned subscription: what `conn.subscribe(topic,
 * options)` takes and resolves with, and what a `Subscription` needs from
 * its connection and from the history layer.
 *
 * @module
 */
import type { Outgoing } from "../outgoing.ts";
import type { Subscriber } from "../registry.ts";
import type {
  MessageData,
  NotRecovered,
  Subscribed,
  SubscribeFormat,
  SubscribeOptions,
} from "../../types.ts";

export type { NotRecovered, Subscribed, SubscribeFormat, SubscribeOptions };
import type { TopicFeed } from "./feed.ts";
import {
  type HistoryLimits,
  isPosition,
  type ReadFrom,
  type ReadResult,
} from "./store.ts";

/** Most messages a subscription may ask to replay with `last`. */
export const MAX_LAST = 10_000;

/** What a positioned subscriber needs from its connection. */
export interface SubscriberConn extends Subscriber {
  /** Sends a topic message; `false` when it was dropped (send buffer full). */
  deliver(msg: Outgoing): boolean;
  send(data: MessageData): boolean;
  drained(): Promise<void>;
  readonly readyState: number;
}

/** What a subscription needs from the history layer. */
export interface SubscriptionHost {
  limitsFor(topic: string): HistoryLimits | null;
  read(
    topic: string,
    from: ReadFrom,
    limit: number,
  ): ReadResult | Promise<ReadResult>;
  /** The topic's feed in this process (made if missing). */
  feed(topic: string): TopicFeed;
  /** This process's id, for the `server` field of `subscribed`. */
  readonly server: string;
}

/**
 * Throws a `TypeError` unless `options` are usable: a `since` of
 * `{ epoch: string, offset: whole number >= 0 }`, a whole `last` from 0 to
 * 10,000, a known `format`.
 *
 * @example
 * ```ts
 * import { checkSubscribeOptions } from "./subscribe_types.ts";
 * import assert from "node:assert/strict";
 * checkSubscribeOptions({ since: { epoch: "e", offset: 3 } });
 * assert.throws(() => checkSubscribeOptions({ last: -1 }), TypeError);
 * ```
 */
export function checkSubscribeOptions(options: SubscribeOptions): void {
  const { since, last, format, name } = options;
  if (since !== undefined && !isPosition(since)) {
    throw new TypeError(
      "since must be { epoch: a string of 1-64 characters, offset: a whole number >= 0 }",
    );
  }
  if (
    last !== undefined &&
    (!Number.isInteger(last) || last < 0 || last > MAX_LAST)
  ) {
    throw new TypeError(`last must be a whole number 0-${MAX_LAST}`);
  }
  if (format !== undefined && format !== "data" && format !== "envelope") {
    throw new TypeError('format must be "data" or "envelope"');
  }
  if (name !== undefined && typeof name !== "string") {
    throw new TypeError("name must be a string");
  }
}

/** Whether `options` ask for positions (else a plain, cheaper subscription). */
export function isPositioned(options: SubscribeOptions | undefined): boolean {
  return !!options &&
    (options.since !== undefined || !!options.last ||
      options.format === "envelope");
}
