/**
 * Flow-control pieces for `Connection`: the per-connection message rate
 * limit and the close deadline that drops a peer which never completes a
 * closing handshake (a stalled reader keeps the close frame stuck behind
 * its unread data forever).
 *
 * @module
 */
import type { Transport } from "./transport.ts";
import { wireSizeBound } from "../protocol/frame_rules.ts";

/** Wait this long for a slow consumer's close handshake before dropping it. */
export const SLOW_CONSUMER_DROP_MS = 1000;

/** Wait this long for any other close handshake before dropping the peer. */
export const CLOSE_DEADLINE_MS = 10_000;

/**
 * A token bucket: `perSecond` messages a second on average, bursts of up to
 * `perSecond`.
 *
 * @example
 * ```ts
 * import { RateLimiter } from "./flow_control.ts";
 * import assert from "node:assert/strict";
 * const limit = new RateLimiter(2);
 * assert.equal(limit.take(), true);
 * assert.equal(limit.take(), true);
 * assert.equal(limit.take(), false); // until time passes
 * ```
 */
export class RateLimiter {
  #perSecond: number;
  #tokens: number;
  #last: number;

  constructor(perSecond: number) {
    this.#perSecond = perSecond;
    this.#tokens = perSecond;
    this.#last = performance.now();
  }

  /** Takes one token; false when the bucket is empty. */
  take(): boolean {
    const now = performance.now();
    this.#tokens = Math.min(
      this.#perSecond,
      this.#tokens + ((now - this.#last) / 1000) * this.#perSecond,
    );
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/**
 * Runs `fn` after `ms` without keeping the process alive for it.
 * Returns the timer id for `clearTimeout`.
 *
 * @example
 * ```ts
 * import { unrefTimeout } from "./flow_control.ts";
 * clearTimeout(unrefTimeout(() => {}, 1000));
 * ```
 */
export function unrefTimeout(
  fn: () => void,
  ms: number,
): ReturnType<typeof setTimeout> {
  const id = setTimeout(fn, ms);
  // Deno 2.9's setTimeout returns a Node-style Timeout with unref().
  id.unref();
  return id;
}

/** How often `drainBelow()` looks at a transport without a drain event. */
const POLL_MS = 10;

/**
 * Resolves when `transport.bufferedAmount` is below `limit` or `closed()`
 * says the connection is closing. Uses the transport's own drain event when
 * it has one; Deno's WebSocket has none, so that one is polled.
 *
 * @example
 * ```ts ignore
 * await drainBelow(transport, 1 << 20, () => false);
 * ```
 */
export function drainBelow(
  transport: Transport,
  limit: number,
  closed: () => boolean,
): Promise<void> {
  if (transport.bufferedAmount < limit) return Promise.resolve();
  if (transport.drain) return transport.drain(limit - 1);
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (transport.bufferedAmount < limit || closed()) {
        clearInterval(timer);
        resolve();
      }
    }, POLL_MS);
  });
}

/**
 * `--send-buffer-limit` as the connection compares it with the bytes queued
 * on the wire: with room for the frame header and compression overhead of
 * one message of that size, so echoing the largest message
 * `--max-message-size` allows (never more than the limit) cannot close 1013.
 * 0 stays 0: no limit.
 *
 * @example
 * ```ts
 * import { sendLimitOnWire } from "./flow_control.ts";
 * import assert from "node:assert/strict";
 * assert.ok(sendLimitOnWire(16 * 1024 * 1024) > 16 * 1024 * 1024 + 14);
 * assert.equal(sendLimitOnWire(0), 0);
 * ```
 */
export function sendLimitOnWire(limit: number): number {
  return limit && wireSizeBound(limit);
}
