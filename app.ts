/**
 * The app: a plain `(Request, info) => Response` built from options and
 * routes. No `Deno.serve` here, so `main.ts`, `serve.ts`, the native engine
 * and tests all share it.
 *
 * @module
 */
import type { Connection } from "./lib/connection.ts";
import { endpointPage } from "./lib/endpoint_page.ts";
import { Guard } from "./lib/guard.ts";
import { upgradeWithDeno } from "./lib/engine_deno.ts";
import { isUpgradeAttempt, refuse } from "./lib/handshake.ts";
import { formatAddr, Logger } from "./lib/log.ts";
import { type ServerOptions, withDefaults } from "./lib/options.ts";
import { type Route, Router } from "./lib/router.ts";
import { serveStatic } from "./lib/static_files.ts";
import { serveToolPage } from "./lib/tool_pages.ts";
import {
  type ConnectionSettings,
  type PendingUpgrade,
  prepareUpgrade,
} from "./lib/upgrade.ts";
import type { RemoteAddr } from "./lib/types.ts";

/** The built app. */
export interface App {
  /** The request handler for `Deno.serve` / `deno serve`. */
  fetch(req: Request, info: Deno.ServeHandlerInfo): Promise<Response>;
  /**
   * For engines with their own listener: a refusal, a plain response, or a
   * checked upgrade to complete.
   */
  handle(
    req: Request,
    remoteAddr: RemoteAddr,
  ): Promise<Response | PendingUpgrade>;
  /** Open connections. */
  readonly connections: ReadonlySet<Connection<unknown>>;
  /** The routes served. */
  readonly router: Router;
  /** The options in force. */
  readonly options: ServerOptions;
  /** The logger. */
  readonly log: Logger;
  /** Closes every connection with `code`/`reason` and waits, up to `timeoutMs`. */
  closeAll(code?: number, reason?: string, timeoutMs?: number): Promise<void>;
}

/**
 * Builds the app.
 *
 * @example
 * ```ts ignore
 * import manifest from "./handlers/manifest.gen.ts";
 * import { routesFromManifest } from "./lib/manifest.ts";
 * const app = createApp({ port: 0 }, routesFromManifest(manifest));
 * Deno.serve({ port: 0 }, app.fetch);
 * ```
 */
export function createApp(
  partial: Partial<ServerOptions>,
  routes: Route[],
  log: Logger = new Logger(partial.logLevel ?? "info"),
): App {
  const options = withDefaults(partial);
  const router = new Router(routes);
  const connections = new Set<Connection<unknown>>();
  const guard = new Guard(options, log);
  const settings: ConnectionSettings = {
    maxMessageSize: options.maxMessageSize,
    sendHighWater: options.sendHighWater,
    sendBufferLimit: options.sendBufferLimit,
    maxMessagesPerSecond: options.maxMessagesPerSecond,
    onOpen(conn) {
      connections.add(conn);
      if (log.enabled("info")) {
        log.info("open", {
          id: conn.id,
          path: conn.url.pathname,
          remote: formatAddr(conn.remoteAddr),
          protocol: conn.protocol,
          extensions: conn.extensions,
        });
      }
    },
    onClose(conn, code, reason) {
      connections.delete(conn);
      guard.release(conn);
      if (!log.enabled("info")) return;
      const s = conn.stats;
      log.info("close", {
        id: conn.id,
        path: conn.url.pathname,
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
      });
    },
    onHandlerError(conn, where, err) {
      log.error("handler_error", {
        id: conn.id,
        path: conn.url.pathname,
        in: where,
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      });
    },
  };

  async function handle(
    req: Request,
    remoteAddr: RemoteAddr,
  ): Promise<Response | PendingUpgrade> {
    const url = new URL(req.url);
    const match = router.match(url.pathname);
    const denied = guard.checkRequest(req, remoteAddr);
    if (denied) return denied;
    if (isUpgradeAttempt(req)) {
      const slot = match ? guard.admit(req, remoteAddr) : null;
      if (slot instanceof Response) return slot;
      const result = match
        ? await prepareUpgrade(
          req,
          url,
          remoteAddr,
          match,
          settings,
          (err) =>
            log.error("accept_error", {
              path: url.pathname,
              error: err instanceof Error
                ? (err.stack ?? err.message)
                : String(err),
            }),
        )
        : refuse(404, `no WebSocket handler at ${url.pathname}`);
      if (result instanceof Response) slot?.cancel();
      else slot?.bind(result.conn);
      if (result instanceof Response && log.enabled("info")) {
        log.info("refused", {
          path: url.pathname,
          remote: formatAddr(remoteAddr),
          status: result.status,
        });
      }
      return result;
    }
    if (match) {
      if (req.method === "GET" || req.method === "HEAD") {
        return endpointPage(req, match.route);
      }
      return refuse(405, `${url.pathname} is a WebSocket endpoint: use GET`, {
        allow: "GET",
      });
    }
    if (options.staticDir) {
      const res = await serveStatic(req, options.staticDir, url.pathname);
      if (res) return res;
    }
    const tool = await serveToolPage(req, url.pathname);
    if (tool) return tool;
    return refuse(404, `not found: ${url.pathname}`);
  }

  return {
    router,
    options,
    log,
    connections,
    handle,
    async fetch(req, info) {
      const addr = info.remoteAddr as Deno.NetAddr;
      const result = await handle(req, {
        hostname: addr.hostname,
        port: addr.port,
      });
      if (result instanceof Response) return result;
      return upgradeWithDeno(req, result, options.idleTimeout);
    },
    async closeAll(
      code = 1001,
      reason = "Server shutting down",
      timeoutMs = 5000,
    ) {
      for (const conn of connections) conn.closeWith(code, reason);
      const deadline = Date.now() + timeoutMs;
      while (connections.size > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}
