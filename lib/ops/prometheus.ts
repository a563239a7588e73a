/**
 * The Prometheus text exposition (format 0.0.4) of an app's `Metrics`.
 * Names follow Prometheus conventions: a `denosocket_` prefix, `_total` on
 * counters, base units (bytes, seconds) in the name, bounded label values
 * (route patterns, not paths).
 *
 * @module
 */
import { Exposition } from "./exposition.ts";
import { renderProgramMetrics } from "./program_metrics.ts";
import type { Metrics } from "./metrics.ts";
import {
  LIFETIME_BUCKETS,
  OTHER_CODE,
  type RouteMeter,
  SIZE_BUCKETS,
} from "./route_meter.ts";
import { VERSION } from "../version.ts";

function perRoute(
  out: Exposition,
  meters: readonly RouteMeter[],
  name: string,
  value: (m: RouteMeter) => number,
): void {
  for (const m of meters) out.sample(name, { handler: m.handler }, value(m));
}

/**
 * Renders `metrics` (and process memory) as Prometheus text.
 *
 * @example
 * ```ts
 * import { Metrics } from "./metrics.ts";
 * import { renderMetrics } from "./prometheus.ts";
 * import assert from "node:assert/strict";
 * assert.ok(renderMetrics(new Metrics([])).startsWith("# HELP"));
 * ```
 */
export function renderMetrics(metrics: Metrics): string {
  const meters = metrics.meters;
  const out = new Exposition();

  out.family(
    "denosocket_build_info",
    "gauge",
    "Always 1; the version as a label.",
  )
    .sample("denosocket_build_info", { version: VERSION }, 1);
  out.family(
    "process_start_time_seconds",
    "gauge",
    "Start time of the process since the Unix epoch, in seconds.",
  ).sample(
    "process_start_time_seconds",
    {},
    Math.round(performance.timeOrigin) / 1000,
  );
  out.family(
    "process_resident_memory_bytes",
    "gauge",
    "Resident set size of the process, in bytes.",
  ).sample("process_resident_memory_bytes", {}, Deno.memoryUsage().rss);

  out.family(
    "denosocket_connections_open",
    "gauge",
    "WebSocket connections open now, by handler.",
  );
  perRoute(out, meters, "denosocket_connections_open", (m) => m.open);
  out.family(
    "denosocket_connections_total",
    "counter",
    "WebSocket connections opened, by handler.",
  );
  perRoute(out, meters, "denosocket_connections_total", (m) => m.opened);

  out.family(
    "denosocket_connections_closed_total",
    "counter",
    "WebSocket connections closed, by handler and close code (1006: ended without a close frame).",
  );
  for (const m of meters) {
    const codes = [...m.closes.keys()].sort((a, b) => a - b);
    for (const code of codes) {
      out.sample("denosocket_connections_closed_total", {
        handler: m.handler,
        code: code === OTHER_CODE ? "other" : String(code),
      }, m.closes.get(code)!);
    }
  }

  out.family(
    "denosocket_connection_duration_seconds",
    "histogram",
    "Lifetime of closed WebSocket connections, by handler, in seconds.",
  );
  for (const m of meters) {
    out.histogram(
      "denosocket_connection_duration_seconds",
      { handler: m.handler },
      LIFETIME_BUCKETS,
      m.lifetime,
      m.lifetimeSum,
    );
  }

  out.family(
    "denosocket_handshake_rejections_total",
    "counter",
    "WebSocket upgrade requests refused, by HTTP status.",
  );
  const statuses = [...metrics.rejections.keys()].sort((a, b) => a - b);
  for (const status of statuses) {
    out.sample("denosocket_handshake_rejections_total", {
      status: String(status),
    }, metrics.rejections.get(status)!);
  }

  out.family(
    "denosocket_messages_total",
    "counter",
    "WebSocket messages, by handler and direction (in: received, out: sent).",
  );
  for (const m of meters) {
    out.sample("denosocket_messages_total", {
      handler: m.handler,
      direction: "in",
    }, m.msgsIn)
      .sample("denosocket_messages_total", {
        handler: m.handler,
        direction: "out",
      }, m.msgsOut);
  }
  out.family(
    "denosocket_message_bytes_total",
    "counter",
    "WebSocket message payload bytes, by handler and direction.",
  );
  for (const m of meters) {
    out.sample("denosocket_message_bytes_total", {
      handler: m.handler,
      direction: "in",
    }, m.bytesIn)
      .sample("denosocket_message_bytes_total", {
        handler: m.handler,
        direction: "out",
      }, m.bytesOut);
  }
  out.family(
    "denosocket_message_size_bytes",
    "histogram",
    "Size of WebSocket messages, by handler and direction, in bytes.",
  );
  for (const m of meters) {
    out.histogram(
      "denosocket_message_size_bytes",
      {
        handler: m.handler,
        direction: "in",
      },
      SIZE_BUCKETS,
      m.sizeIn,
      m.bytesIn,
    );
    out.histogram(
      "denosocket_message_size_bytes",
      {
        handler: m.handler,
        direction: "out",
      },
      SIZE_BUCKETS,
      m.sizeOut,
      m.bytesOut,
    );
  }

  out.family(
    "denosocket_handler_errors_total",
    "counter",
    "Errors thrown by handler code, by handler.",
  );
  perRoute(
    out,
    meters,
    "denosocket_handler_errors_total",
    (m) => m.handlerErrors,
  );

  out.family(
    "denosocket_topic_publishes_total",
    "counter",
    "Messages published to topics.",
  ).sample("denosocket_topic_publishes_total", {}, metrics.topicPublishes);
  out.family(
    "denosocket_topic_deliveries_total",
    "counter",
    "Topic messages sent to subscribers, by the subscriber's handler.",
  );
  perRoute(
    out,
    meters,
    "denosocket_topic_deliveries_total",
    (m) => m.topicDeliveries,
  );
  out.family(
    "denosocket_topic_dropped_total",
    "counter",
    "Topic messages skipped for a subscriber over its send high-water mark, by handler.",
  );
  perRoute(
    out,
    meters,
    "denosocket_topic_dropped_total",
    (m) => m.topicDropped,
  );
  renderProgramMetrics(out, metrics.routes);
  return out.text();
}
