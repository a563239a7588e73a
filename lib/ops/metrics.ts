/**
 * `Metrics`: every number `/_metrics` reports, for one app. Per-handler
 * counters live in `RouteMeter`s hung on each connection (`conn.meter`);
 * the rest (handshake refusals, topics) are counted here, off the hot path.
 *
 * Topic publishes are counted here (`topicPublished()`, called by the topic
 * registry); topic deliveries and drops per handler, on the connection's meter.
 *
 * @module
 */
import type { Connection } from "../core/connection.ts";
import { renderMetrics } from "./prometheus.ts";
import { RouteMeter } from "./route_meter.ts";
import type { Route } from "../routing/router.ts";

/**
 * The app's metrics.
 *
 * @example
 * ```ts
 * import { Metrics } from "./metrics.ts";
 * import assert from "node:assert/strict";
 * const metrics = new Metrics([]);
 * metrics.rejected(404);
 * metrics.topicPublished();
 * assert.ok(metrics.render().includes("denosocket_topic_publishes_total 1"));
 * ```
 */
export class Metrics {
  /** `performance.now()` when the app was built. */
  readonly startedAt: number = performance.now();
  /** Handshake refusals by HTTP status. */
  readonly rejections: Map<number, number> = new Map();
  /** Messages published to topics from this process. */
  topicPublishes = 0;
  #byRoute = new Map<Route, RouteMeter>();
  #meters: RouteMeter[] = [];

  /** The app's routes (program endpoints report more families). */
  readonly routes: readonly Route[];

  /** Creates a meter per route now, so every handler reports 0 from the start. */
  constructor(routes: readonly Route[]) {
    this.routes = routes;
    for (const route of routes) this.meterFor(route);
  }

  /** Every route's meter, in route order. */
  get meters(): readonly RouteMeter[] {
    return this.#meters;
  }

  /** Connections open now, over all handlers. */
  get openConnections(): number {
    let n = 0;
    for (const m of this.#meters) n += m.open;
    return n;
  }

  /** Seconds since the app was built. */
  get uptimeSeconds(): number {
    return (performance.now() - this.startedAt) / 1000;
  }

  /** The meter of `route` (created on first use; once per upgrade, not per message). */
  meterFor(route: Route): RouteMeter {
    let meter = this.#byRoute.get(route);
    if (!meter) {
      meter = new RouteMeter(route.pattern);
      this.#byRoute.set(route, meter);
      this.#meters.push(meter);
    }
    return meter;
  }

  /** Counts an opened connection (from the app's `onOpen`). */
  connOpened(conn: Connection<unknown>): void {
    if (conn.meter instanceof RouteMeter) conn.meter.connOpened();
  }

  /** Counts a closed connection (from the app's `onClose`). */
  connClosed(conn: Connection<unknown>, code: number): void {
    const openedAt = conn.stats.openedAt;
    // A connection that never opened was never counted as open.
    if (!(conn.meter instanceof RouteMeter) || openedAt === 0) return;
    conn.meter.connClosed(code, (performance.now() - openedAt) / 1000);
  }

  /** Counts an error thrown by a handler. */
  handlerError(conn: Connection<unknown>): void {
    if (conn.meter instanceof RouteMeter) conn.meter.handlerErrors++;
  }

  /** Counts a refused handshake. */
  rejected(status: number): void {
    this.rejections.set(status, (this.rejections.get(status) ?? 0) + 1);
  }

  /**
   * Counts `count` messages published to topics (one per `publish` call).
   *
   * @example
   * ```ts ignore
   * topics.meter = app.metrics; // then every publish() calls topicPublished()
   * ```
   */
  topicPublished(count = 1): void {
    this.topicPublishes += count;
  }

  /** The Prometheus text exposition of everything above, plus process RSS. */
  render(): string {
    return renderMetrics(this);
  }
}
