/**
 * The app: a plain `(Request, info) => Response` built from options and
 * routes. No `Deno.serve` here, so `main.ts`, `serve.ts`, the native engine
 * and tests all share it.
 *
 * @module
 */
import type { Connection } from "../core/connection.ts";
import type { EngineHost, PendingUpgrade } from "../core/engine_host.ts";
import { Guard, type Slot } from "../http/guard.ts";
import { upgradeWithDeno } from "../engines/deno/engine.ts";
import { isUpgradeAttempt } from "../http/handshake.ts";
import { refuse } from "../http/refuse.ts";
import { formatAddr, Logger } from "../log.ts";
import { requestPathname } from "../http/request_path.ts";
import { Metrics } from "../ops/metrics.ts";
import { OpsEndpoints } from "../ops/ops.ts";
import { type ServerOptions, withDefaults } from "../options.ts";
import { type Route, type RouteMatch, Router } from "../routing/router.ts";
import { servePlainHttp } from "../http/plain_http.ts";
import { topics } from "../topics/topics.ts";
import { type ConnectionSettings, prepareUpgrade } from "../http/upgrade.ts";
import type { RemoteAddr } from "../types.ts";

/** The built app: an `EngineHost` for the native engine, `fetch` for Deno's. */
export interface App extends EngineHost {
  /** The request handler for `Deno.serve` / `deno serve`. */
  fetch(
    req: Request,
    info: Deno.ServeHandlerInfo,
  ): Response | Promise<Response>;
  /** Open connections. */
  readonly connections: ReadonlySet<Connection<unknown>>;
  /** The routes served. */
  readonly router: Router;
  /** Counters for `/_metrics`; topics count here (`topicPublished()`…). */
  readonly metrics: Metrics;
  /** Closes every connection with `code`/`reason` and waits, up to `timeoutMs`. */
  closeAll(code?: number, reason?: string, timeoutMs?: number): Promise<void>;
}

/**
 * Builds the app.
 *
 * @example
 * ```ts ignore
 * import manifest from "./handlers/manifest.gen.ts"; // in the app's main.ts
 * import { routesFromManifest } from "../routing/manifest.ts";
 * const app = createApp({ port: 0 }, routesFromManifest(manifest));
 * Deno.serve({ port: 0 }, app.fetch);
 * ```
 */
export function createApp(
  partial: Partial<ServerOptions>,
  routes: Route[],
  log: Logger = new Logger(
    partial.logLevel ?? "info",
    undefined,
    partial.logFormat ?? "text",
  ),
): App {
  const options = withDefaults(partial);
  const router = new Router(routes);
  const connections = new Set<Connection<unknown>>();
  const guard = new Guard(options, log);
  const metrics = new Metrics(router.routes);
  const ops = options.ops
    ? new OpsEndpoints(metrics, () => connections.size, options.opsToken)
    : null;
  // One registry per isolate: the app built last counts its publishes.
  topics.meter = ops ? metrics : null;
  const settings: ConnectionSettings = {
    maxMessageSize: options.maxMessageSize,
    sendHighWater: options.sendHighWater,
    sendBufferLimit: options.sendBufferLimit,
    maxMessagesPerSecond: options.maxMessagesPerSecond,
    onOpen(conn) {
      connections.add(conn);
      metrics.connOpened(conn);
      if (log.enabled("info")) {
        log.info("open", {
          id: conn.id,
          path: conn.path,
          remote: formatAddr(conn.remoteAddr),
          protocol: conn.protocol,
          extensions: conn.extensions,
        });
      }
    },
    onClose(conn, code, reason) {
      connections.delete(conn);
      guard.release(conn);
      metrics.connClosed(conn, code);
      if (!log.enabled("info")) return;
      const s = conn.stats;
      log.info("close", {
        id: conn.id,
        path: conn.path,
        remote: formatAddr(conn.remoteAddr),
        protocol: conn.protocol,
        code,
        reason,
        duration_ms: s.openedAt
          ? Math.round(performance.now() - s.openedAt)
          : 0,
        msgs_in: s.msgsIn,
        bytes_in: s.bytesIn,
        msgs_out: s.msgsOut,
        bytes_out: s.bytesOut,
        // Text shows drops only when there were some; JSON keeps its keys fixed.
        dropped: s.dropped || (log.format === "json" ? 0 : undefined),
      });
    },
    onHandlerError(conn, where, err) {
      metrics.handlerError(conn);
      log.error("handler_error", {
        id: conn.id,
        path: conn.path,
        in: where,
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      });
    },
  };

  function onAcceptError(err: unknown, href: string): void {
    log.error("accept_error", {
      path: requestPathname(href),
      error: err instanceof Error ? (err.stack ?? err.message) : String(err),
    });
  }

  /**
   * `handle()` without the promise where none is needed: a WebSocket
   * upgrade to a handler without `accept()` is answered synchronously.
   */
  function route(
    req: Request,
    remoteAddr: RemoteAddr,
  ): Response | PendingUpgrade | Promise<Response | PendingUpgrade> {
    // The URL object is made only if someone reads `conn.url`.
    const href = req.url;
    const path = requestPathname(href);
    const opsResponse = ops?.handle(req, path);
    if (opsResponse) return opsResponse;
    const match = router.match(path);
    const denied = guard.checkRequest(req, remoteAddr);
    if (denied) return denied;
    if (!isUpgradeAttempt(req)) {
      return servePlainHttp(req, path, match, options.staticDir);
    }
    const slot = match ? guard.admit(req, remoteAddr) : null;
    if (slot instanceof Response) {
      if (ops) metrics.rejected(slot.status);
      return slot;
    }
    if (!match) {
      return upgraded(
        refuse(404, `no WebSocket handler at ${path}`),
        path,
        remoteAddr,
        null,
        slot,
      );
    }
    const result = prepareUpgrade(
      req,
      href,
      remoteAddr,
      match,
      settings,
      onAcceptError,
      path,
    );
    if (result instanceof Promise) {
      return result.then((r) => upgraded(r, path, remoteAddr, match, slot));
    }
    return upgraded(result, path, remoteAddr, match, slot);
  }

  /** Binds or frees the slot of a prepared (or refused) upgrade. */
  function upgraded(
    result: Response | PendingUpgrade,
    path: string,
    remoteAddr: RemoteAddr,
    match: RouteMatch | null,
    slot: Slot | null,
  ): Response | PendingUpgrade {
    if (!(result instanceof Response)) {
      slot?.bind(result.conn);
      // Counting is off with --no-ops: no meter, nothing done per message.
      if (ops) result.conn.meter = metrics.meterFor(match!.route);
      return result;
    }
    slot?.cancel();
    if (ops) metrics.rejected(result.status);
    if (log.enabled("info")) {
      log.info("refused", {
        path,
        remote: formatAddr(remoteAddr),
        status: result.status,
      });
    }
    return result;
  }

  return {
    router,
    options,
    log,
    metrics,
    connections,
    async handle(req, remoteAddr) {
      return await route(req, remoteAddr);
    },
    fetch(req, info) {
      const addr = info.remoteAddr as Deno.NetAddr;
      let result;
      try {
        result = route(req, { hostname: addr.hostname, port: addr.port });
      } catch (err) {
        return Promise.reject(err); // as from an async fetch
      }
      if (result instanceof Promise) {
        return result.then((r) =>
          r instanceof Response
            ? r
            : upgradeWithDeno(req, r, options.idleTimeout)
        );
      }
      if (result instanceof Response) return result;
      return upgradeWithDeno(req, result, options.idleTimeout);
    },
    async closeAll(
      code = 1001,
      reason = "Server shutting down",
      timeoutMs = 5000,
    ) {
      if (ops) ops.stopping = true;
      for (const conn of connections) conn.closeWith(code, reason);
      const deadline = Date.now() + timeoutMs;
      while (connections.size > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}
