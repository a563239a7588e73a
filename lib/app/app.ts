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
import { Logger } from "../log.ts";
import { logClose, logHandlerError, logOpen } from "./connection_log.ts";
import { requestPathname } from "../http/request_path.ts";
import { Metrics } from "../ops/metrics.ts";
import { OpsEndpoints } from "../ops/ops.ts";
import { type ServerOptions, withDefaults } from "../options.ts";
import { type Route, type RouteMatch, Router } from "../routing/router.ts";
import { servePlainHttp } from "../http/plain_http.ts";
import { topics } from "../topics/topics.ts";
import { sendLimitOnWire } from "../core/flow_control.ts";
import { type ConnectionSettings, prepareUpgrade } from "../http/upgrade.ts";
import { UpgradeCheck } from "../http/upgrade_check.ts";
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
  const checks = new UpgradeCheck(router, guard, log);
  const metrics = new Metrics(router.routes);
  const ops = options.ops
    ? new OpsEndpoints(metrics, () => connections.size, options.opsToken)
    : null;
  // One registry per isolate: the app built last counts and sets history.
  topics.configure(ops ? metrics : null, options);
  const settings: ConnectionSettings = {
    maxMessageSize: options.maxMessageSize,
    sendHighWater: options.sendHighWater,
    sendBufferLimit: sendLimitOnWire(options.sendBufferLimit),
    maxMessagesPerSecond: options.maxMessagesPerSecond,
    onOpen(conn) {
      connections.add(conn);
      metrics.connOpened(conn);
      logOpen(log, conn);
    },
    onClose(conn, code, reason) {
      connections.delete(conn);
      guard.release(conn);
      metrics.connClosed(conn, code);
      logClose(log, conn, code, reason);
    },
    onHandlerError(conn, where, err) {
      metrics.handlerError(conn);
      logHandlerError(log, conn, where, err);
    },
  };

  function onAcceptError(err: unknown, href: string): void {
    log.error("accept_error", {
      path: requestPathname(href),
      error: err instanceof Error ? (err.stack ?? err.message) : String(err),
    });
  }

  /**
   * `handle()`: a promise only where one is needed; a WebSocket upgrade to
   * a handler without `accept()` is answered synchronously.
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
    let match = router.match(path);
    const denied = guard.checkRequest(req, remoteAddr);
    // A refused handshake like any other (a page request is none).
    if (denied && ops && isUpgradeAttempt(req)) metrics.rejected(401);
    const answered = denied ?? checks.handle(req, path, remoteAddr);
    if (answered) return answered;
    if (!isUpgradeAttempt(req)) {
      return servePlainHttp(req, path, match, options.staticDir);
    }
    // `--program`: the `/*` route takes upgrades no other route serves
    // (plain requests still get the static site).
    match ??= router.fallback;
    const slot = match ? guard.admit(req, remoteAddr) : null;
    if (slot instanceof Response) {
      if (ops) metrics.rejected(slot.status);
      checks.remember(slot, href, remoteAddr);
      return slot;
    }
    if (!match) {
      const refusal = refuse(404, `no WebSocket handler at ${path}`);
      return upgraded(refusal, path, href, remoteAddr, null, slot);
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
      return result.then((r) =>
        upgraded(r, path, href, remoteAddr, match, slot)
      );
    }
    return upgraded(result, path, href, remoteAddr, match, slot);
  }

  /** Binds or frees the slot of a prepared (or refused) upgrade. */
  function upgraded(
    result: Response | PendingUpgrade,
    path: string,
    href: string,
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
    checks.refused(result, path, href, remoteAddr); // logs it, with its reason
    return result;
  }

  return {
    router,
    options,
    log,
    metrics,
    connections,
    handle: route,
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
