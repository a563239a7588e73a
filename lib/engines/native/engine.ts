/**
 * The native engine: our own listener (`Deno.listen` + a minimal HTTP/1.1
 * reader) and our own RFC 6455 / RFC 7692 implementation, behind the same
 * app as the deno engine. Plain requests become a `Request` for the app's
 * handler; upgrades get a 101 written here and a `NativeSocket`.
 *
 * Why `Deno.listen` and not `node:http`'s `upgrade` event: echoing 64 KiB
 * chunks over loopback measured ~1190 MB/s through `Deno.Conn`, ~645 MB/s
 * through `node:net` and ~450 MB/s through a `node:http` upgrade socket.
 *
 * @module
 */

import type { EngineHost } from "../../core/engine_host.ts";
import type { DeflaterOptions } from "../../protocol/deflate.ts";
import type { DeflateNegotiationOptions } from "../../protocol/deflate_negotiation.ts";
import { HeadDeadlines } from "./head_deadlines.ts";
import { DrainingSet } from "./draining_set.ts";
import { IdleSweeper } from "./idle.ts";
import { type ConnContext, refuseConn, serveConn } from "./serve_conn.ts";
import { syncZlibAvailable } from "../../protocol/zlib_sync.ts";

/** Listener settings. */
export interface NativeServeOptions {
  /** TCP port (0: any free one). */
  port: number;
  /** Interface to listen on. */
  hostname: string;
  /** Called once listening, like `Deno.serve`'s. */
  onListen?(addr: { hostname: string; port: number }): void;
  /** PEM certificate chain: with `key`, serve https/wss (`Deno.listenTls`). */
  cert?: string;
  /** PEM private key for `cert`. */
  key?: string;
  /** permessage-deflate settings, or false to never negotiate it. */
  deflate?: false | (DeflateNegotiationOptions & DeflaterOptions);
}

/** A running native server. */
export interface NativeServer {
  /** Where it listens. */
  readonly addr: Deno.NetAddr;
  /** Resolves when the server has stopped and every connection ended. */
  readonly finished: Promise<void>;
  /** Stops accepting, closes remaining WebSockets with 1001, waits. */
  shutdown(): Promise<void>;
}

// A client gets this long to send its request (slowloris guard), and never
// longer than the idle timeout: a connection that has not even finished its
// request is idle.
const HEAD_TIMEOUT_MS = 10_000;

/**
 * Serves `app` with the native engine.
 *
 * @example
 * ```ts ignore
 * const server = serveNative(app, { port: 9998, hostname: "0.0.0.0" });
 * await server.finished;
 * ```
 */
export function serveNative(
  app: EngineHost,
  opts: NativeServeOptions,
): NativeServer {
  const where = { port: opts.port, hostname: opts.hostname };
  const listener: Deno.Listener<Deno.Conn<Deno.NetAddr>> = opts.cert && opts.key
    ? Deno.listenTls({ ...where, cert: opts.cert, key: opts.key })
    : Deno.listen(where);
  const addr = listener.addr as Deno.NetAddr;
  const sweeper = new IdleSweeper(app.options.idleTimeout);
  const deflate = opts.deflate === false || !syncZlibAvailable()
    ? null
    : (opts.deflate ?? {});
  const defaultHost = `${addr.hostname}:${addr.port}`;
  const idle = app.options.idleTimeout;
  const headTimeout = idle > 0
    ? Math.min(HEAD_TIMEOUT_MS, idle * 1000)
    : HEAD_TIMEOUT_MS;
  // RFC 9110 §15.5.9: 408 for a request not completed in time, then close
  // (which ends the pending read: the refusal owns the connection).
  const late = `request not received within ${headTimeout / 1000} s`;
  const heads = new HeadDeadlines(headTimeout, (d) => {
    d.late = refuseConn(ctx, d.tcp, 408, late).catch(() => {
      try {
        d.tcp.close();
      } catch { /* already closed */ }
    });
  });
  const ctx: ConnContext = {
    app,
    handshakes: new DrainingSet(),
    defaultHost,
    scheme: opts.cert && opts.key ? "https" : "http",
    heads,
    sweeper,
    deflate,
    // One object for every socket of this server.
    socketOptions: {
      maxMessageSize: app.options.maxMessageSize,
      deflater: deflate ?? undefined,
      ended: (socket) => sweeper.ended(socket),
    },
  };

  const accepting = (async () => {
    try {
      // accept(), not `for await`: the async iterator's promise and result
      // object per connection are garbage (docs/performance.md).
      for (;;) serveConn(ctx, await listener.accept());
    } catch { /* listener closed */ }
  })();
  opts.onListen?.({ hostname: addr.hostname, port: addr.port });

  let stopped: Promise<void> | null = null;
  const finished = Promise.withResolvers<void>();
  return {
    addr,
    finished: finished.promise,
    shutdown() {
      stopped ??= (async () => {
        try {
          listener.close();
        } catch { /* already closed */ }
        await accepting;
        const closeAll = () => {
          for (const s of sweeper.sockets) {
            s.close(1001, "Server shutting down");
          }
        };
        closeAll();
        await ctx.handshakes.whenEmpty(); // handshakes under way
        closeAll(); // sockets they opened meanwhile
        await sweeper.whenEmpty();
        sweeper.close();
        heads.close();
        finished.resolve();
      })();
      return stopped;
    },
  };
}
