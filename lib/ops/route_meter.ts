/**
 * `RouteMeter`: the counters of one handler (route), kept as plain numbers
 * and typed arrays so counting a message costs a few integer increments —
 * no label lookup, no allocation. `Metrics` renders them for Prometheus.
 *
 * @module
 */
import type { ConnMeter } from "../core/connection.ts";

/**
 * Upper bounds of the message size histogram, in bytes (64 B · 4ⁿ up to 16 MiB).
 *
 * @example
 * ```ts
 * import { SIZE_BUCKETS } from "./route_meter.ts";
 * import assert from "node:assert/strict";
 * assert.equal(SIZE_BUCKETS.at(-1), 16777216);
 * ```
 */
export const SIZE_BUCKETS: readonly number[] = Object.freeze(
  Array.from({ length: 10 }, (_, i) => 64 * 4 ** i),
);

/**
 * Upper bounds of the connection lifetime histogram, in seconds.
 *
 * @example
 * ```ts
 * import { LIFETIME_BUCKETS } from "./route_meter.ts";
 * import assert from "node:assert/strict";
 * assert.equal(LIFETIME_BUCKETS.at(-1), 86400); // a day
 * ```
 */
export const LIFETIME_BUCKETS: readonly number[] = Object.freeze([
  0.1,
  1,
  10,
  60,
  300,
  1800,
  3600,
  14400,
  86400,
]);

/**
 * Distinct close codes counted per route; the rest go under `other`, so a
 * client sending every code from 3000 to 4999 cannot grow the exposition.
 *
 * @example
 * ```ts
 * import { MAX_CLOSE_CODES } from "./route_meter.ts";
 * import assert from "node:assert/strict";
 * assert.equal(MAX_CLOSE_CODES, 32);
 * ```
 */
export const MAX_CLOSE_CODES = 32;

/**
 * The key under which close codes beyond `MAX_CLOSE_CODES` are counted
 * (rendered as `code="other"`).
 *
 * @example
 * ```ts
 * import { OTHER_CODE, RouteMeter } from "./route_meter.ts";
 * import assert from "node:assert/strict";
 * // Nothing is counted as OTHER_CODE until the cap is reached.
 * assert.equal(new RouteMeter("/echo").closes.get(OTHER_CODE), undefined);
 * ```
 */
export const OTHER_CODE = -1;

/**
 * The size histogram slot of a message of `size` bytes: the first bucket
 * whose bound is ≥ size, or `SIZE_BUCKETS.length` for +Inf. Bounds are
 * 2^(6+2i), so the slot falls out of the bit length without a loop.
 *
 * @example
 * ```ts
 * import { sizeBucket } from "./route_meter.ts";
 * import assert from "node:assert/strict";
 * assert.equal(sizeBucket(64), 0); // ≤ 64
 * assert.equal(sizeBucket(65), 1); // ≤ 256
 * ```
 */
export function sizeBucket(size: number): number {
  if (size <= 64) return 0;
  if (size > 0xffffffff) return SIZE_BUCKETS.length;
  const bits = 32 - Math.clz32(size - 1); // smallest b with size ≤ 2^b
  const slot = (bits - 5) >> 1;
  return slot < SIZE_BUCKETS.length ? slot : SIZE_BUCKETS.length;
}

/**
 * One handler's counters. Histogram arrays hold per-bucket (not cumulative)
 * counts; the last slot is +Inf.
 *
 * @example
 * ```ts
 * import { RouteMeter } from "./route_meter.ts";
 * import assert from "node:assert/strict";
 * const m = new RouteMeter("/echo");
 * m.connOpened();
 * m.received(5);
 * m.connClosed(1000, 0.5);
 * assert.equal(m.closes.get(1000), 1);
 * ```
 */
export class RouteMeter implements ConnMeter {
  /** The route pattern, used as the `handler` label (bounded cardinality). */
  readonly handler: string;
  /** Connections open now. */
  open = 0;
  /** Connections opened since start. */
  opened = 0;
  msgsIn = 0;
  bytesIn = 0;
  msgsOut = 0;
  bytesOut = 0;
  /** Errors thrown by the handler. */
  handlerErrors = 0;
  /** Topic messages sent to this handler's subscribers. */
  topicDeliveries = 0;
  /** Topic messages skipped for a subscriber over its send high-water mark. */
  topicDropped = 0;
  readonly sizeIn: Float64Array = new Float64Array(SIZE_BUCKETS.length + 1);
  readonly sizeOut: Float64Array = new Float64Array(SIZE_BUCKETS.length + 1);
  readonly lifetime: Float64Array = new Float64Array(
    LIFETIME_BUCKETS.length + 1,
  );
  lifetimeSum = 0;
  /** Closed connections by close code (`OTHER_CODE` past the cap). */
  readonly closes: Map<number, number> = new Map();

  constructor(handler: string) {
    this.handler = handler;
  }

  /** A message arrived (hot path). */
  received(size: number): void {
    this.msgsIn++;
    this.bytesIn += size;
    this.sizeIn[sizeBucket(size)]++;
  }

  /** A message was sent (hot path). */
  sent(size: number): void {
    this.msgsOut++;
    this.bytesOut += size;
    this.sizeOut[sizeBucket(size)]++;
  }

  /** A topic message was sent (hot path): a sent message, counted as both. */
  delivered(size: number): void {
    this.sent(size);
    this.topicDeliveries++;
  }

  /** A topic message was skipped for a slow subscriber. */
  dropped(): void {
    this.topicDropped++;
  }

  /** A connection opened. */
  connOpened(): void {
    this.open++;
    this.opened++;
  }

  /** An open connection closed with `code` after `seconds`. */
  connClosed(code: number, seconds: number): void {
    this.open--;
    const key = this.closes.has(code) || this.closes.size < MAX_CLOSE_CODES
      ? code
      : OTHER_CODE;
    this.closes.set(key, (this.closes.get(key) ?? 0) + 1);
    let slot = 0;
    while (
      slot < LIFETIME_BUCKETS.length && seconds > LIFETIME_BUCKETS[slot]
    ) slot++;
    this.lifetime[slot]++;
    this.lifetimeSum += seconds;
  }
}
