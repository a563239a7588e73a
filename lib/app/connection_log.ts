/**
 * The connection log lines: `open`, `close` and `handler_error`, with the
 * fields docs/operations.md lists. Apart from `app.ts` so the app reads as
 * routing and wiring.
 *
 * @module
 */
import type { Connection } from "../core/connection.ts";
import { formatAddr, type Logger } from "../log.ts";

/**
 * Logs an opened connection (at info).
 *
 * @example
 * ```ts ignore
 * logOpen(log, conn); // INFO open id=1 path=/echo remote=127.0.0.1:5000
 * ```
 */
export function logOpen(log: Logger, conn: Connection<unknown>): void {
  if (!log.enabled("info")) return;
  log.info("open", {
    id: conn.id,
    path: conn.path,
    remote: formatAddr(conn.remoteAddr),
    protocol: conn.protocol,
    extensions: conn.extensions,
  });
}

/**
 * Logs a closed connection with its code, reason, duration and counters.
 *
 * @example
 * ```ts ignore
 * logClose(log, conn, 1000, ""); // INFO close id=1 path=/echo code=1000 …
 * ```
 */
export function logClose(
  log: Logger,
  conn: Connection<unknown>,
  code: number,
  reason: string,
): void {
  if (!log.enabled("info")) return;
  const s = conn.stats;
  log.info("close", {
    id: conn.id,
    path: conn.path,
    remote: formatAddr(conn.remoteAddr),
    protocol: conn.protocol,
    code,
    reason,
    duration_ms: s.openedAt ? Math.round(performance.now() - s.openedAt) : 0,
    msgs_in: s.msgsIn,
    bytes_in: s.bytesIn,
    msgs_out: s.msgsOut,
    bytes_out: s.bytesOut,
    // Text shows drops only when there were some; JSON keeps its keys fixed.
    dropped: s.dropped || (log.format === "json" ? 0 : undefined),
  });
}

/**
 * Logs an error a handler threw, with its stack.
 *
 * @example
 * ```ts ignore
 * logHandlerError(log, conn, "message", new Error("boom"));
 * ```
 */
export function logHandlerError(
  log: Logger,
  conn: Connection<unknown>,
  where: string,
  err: unknown,
): void {
  log.error("handler_error", {
    id: conn.id,
    path: conn.path,
    in: where,
    error: err instanceof Error ? (err.stack ?? err.message) : String(err),
  });
}
