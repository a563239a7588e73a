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
import {
  type DeflateNegotiationOptions,
  negotiateDeflate,
} from "../../protocol/deflate_negotiation.ts";
import { readRequest } from "./http_request.ts";
import {
  switchingProtocols,
  writeAll,
  writeResponse,
} from "./http_response.ts";
import { HeadDeadlines } from "./head_deadlines.ts";
import { IdleSweeper } from "./idle.ts";
import { formatAddr } from "../../log.ts";
import { NativeSocket } from "./socket.ts";
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
const enc = new TextEncoder();

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
  const tasks = new Set<Promise<void>>();
  const deflate = opts.deflate === false || !syncZlibAvailable()
    ? null
    : (opts.deflate ?? {});
  const defaultHost = `${addr.hostname}:${addr.port}`;
  // Request URLs say https under TLS, as Deno.serve's do (a program's HTTPS=on).
  const scheme = opts.cert && opts.key ? "https" : "http";
  const idle = app.options.idleTimeout;
  const headTimeout = idle > 0
    ? Math.min(HEAD_TIMEOUT_MS, idle * 1000)
    : HEAD_TIMEOUT_MS;
  const heads = new HeadDeadlines(headTimeout);

  async function serveConn(tcp: Deno.Conn<Deno.NetAddr>): Promise<void> {
    // A response's head and body are separate writes: without no-delay the
    // body would wait for Nagle (TLS conns have no such switch). WebSockets
    // get it from their WriteLoop on their first frame.
    const noDelay = () => (tcp as Partial<Deno.TcpConn>).setNoDelay?.(true);
    const remote = tcp.remoteAddr;
    const refuse = async (status: number, message: string) => {
      // Logged like the app's refusals: the deno engine's HTTP parser
      // answers these itself, unseen.
      app.log.info("refused", {
        remote: formatAddr(remote),
        status,
        reason: message,
      });
      noDelay();
      await writeResponse(tcp, new Response(message + "\n", { status }), "GET");
      tcp.close();
    };
    // RFC 9110 §15.5.9: 408 for a request not completed in time, then
    // close (which ends the pending read: the refusal owns the connection).
    let late: Promise<void> | null = null;
    const deadline = heads.add(() => {
      late = refuse(408, `request not received within ${headTimeout / 1000} s`)
        .catch(() => {
          try {
            tcp.close();
          } catch { /* already closed */ }
        });
    });
    let read;
    try {
      read = await readRequest(tcp, defaultHost, scheme);
    } catch (err) {
      if (late) return late;
      throw err;
    } finally {
      heads.delete(deadline);
    }
    if (late) return late;
    if (read === null) return tcp.close();
    if ("status" in read) return refuse(read.status, read.message);
    const { request, rest, buffer } = read;
    let result;
    try {
      result = await app.handle(request, {
        hostname: remote.hostname,
        port: remote.port,
      });
    } catch (err) {
      app.log.error("native_handle_error", { error: String(err) });
      result = new Response("internal server error\n", { status: 500 });
    }
    if (result instanceof Response) {
      noDelay();
      await writeResponse(tcp, result, request.method);
      return tcp.close();
    }
    const agreed = deflate &&
      negotiateDeflate(
        request.headers.get("sec-websocket-extensions"),
        deflate,
      );
    const extensions = agreed ? agreed.header : "";
    // The core builds the Connection before extensions are known here.
    (result.conn as { extensions: string }).extensions = extensions;
    const key = request.headers.get("sec-websocket-key")!;
    const head = switchingProtocols(key, result.headers, extensions);
    await writeAll(tcp, enc.encode(head));
    const socket = new NativeSocket(tcp, result.conn, {
      maxMessageSize: app.options.maxMessageSize,
      deflate: agreed ? agreed.params : null,
      deflater: deflate ?? undefined,
    });
    result.conn.attach(socket);
    sweeper.add(socket);
    result.conn.opened();
    try {
      await socket.run(rest, buffer);
    } finally {
      sweeper.delete(socket);
    }
  }

  function track(tcp: Deno.Conn<Deno.NetAddr>): void {
    // One async function, not serveConn().catch().finally(): two promises
    // and closures fewer per connection.
    const task: Promise<void> = (async () => {
      try {
        await serveConn(tcp);
      } catch (err) {
        app.log.debug("native_conn_error", { error: String(err) });
        try {
          tcp.close();
        } catch { /* already closed */ }
      } finally {
        tasks.delete(task!);
      }
    })();
    tasks.add(task);
  }

  const accepting = (async () => {
    try {
      for await (const tcp of listener) track(tcp);
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
        for (const s of sweeper.sockets) s.close(1001, "Server shutting down");
        await Promise.all(tasks);
        sweeper.close();
        heads.close();
        finished.resolve();
      })();
      return stopped;
    },
  };
}
