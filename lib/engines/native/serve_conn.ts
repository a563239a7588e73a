/**
 * One TCP connection of the native engine up to its WebSocket: read the
 * request head (under the shared head deadline), ask the app, write the
 * response or the 101, hand the connection to a `NativeSocket`.
 *
 * Everything per server is in one `ConnContext`; this code makes no closure
 * per connection, and once the socket runs nothing of the handshake (the
 * `Request`, the head, this function's frame) stays alive with it.
 *
 * @module
 */

import type { EngineHost } from "../../core/engine_host.ts";
import type { DeflaterOptions } from "../../protocol/deflate.ts";
import {
  type DeflateNegotiationOptions,
  negotiateDeflate,
} from "../../protocol/deflate_negotiation.ts";
import { latin1Out } from "../../protocol/bytes.ts";
import { formatAddr } from "../../log.ts";
import type { HeadDeadline, HeadDeadlines } from "./head_deadlines.ts";
import { readRequest } from "./http_request.ts";
import {
  switchingProtocols,
  writeAll,
  writeResponse,
} from "./http_response.ts";
import type { DrainingSet } from "./draining_set.ts";
import type { IdleSweeper } from "./idle.ts";
import { NativeSocket, type NativeSocketOptions } from "./socket.ts";

/** What every connection of one server shares. */
export interface ConnContext {
  app: EngineHost;
  /** Connections still in their handshake (for shutdown). */
  handshakes: DrainingSet<Deno.Conn>;
  /** `host:port` for requests without a Host header. */
  defaultHost: string;
  /** `https` under TLS: the scheme of every request URL. */
  scheme: "http" | "https";
  heads: HeadDeadlines;
  sweeper: IdleSweeper;
  /** permessage-deflate settings, or null to never negotiate it. */
  deflate: (DeflateNegotiationOptions & DeflaterOptions) | null;
  socketOptions: NativeSocketOptions;
}

/**
 * A response's head and body are separate writes: without no-delay the
 * body would wait for Nagle (TLS conns have no such switch). WebSockets get
 * it from their write loop on their first frame.
 */
function noDelay(tcp: Deno.Conn): void {
  (tcp as Partial<Deno.TcpConn>).setNoDelay?.(true);
}

/** Answers `status` with `message` and closes; logged like the app's refusals. */
export async function refuseConn(
  ctx: ConnContext,
  tcp: Deno.Conn<Deno.NetAddr>,
  status: number,
  message: string,
): Promise<void> {
  // The deno engine's HTTP parser answers these itself, unseen.
  ctx.app.log.info("refused", {
    remote: formatAddr(tcp.remoteAddr),
    status,
    reason: message,
  });
  noDelay(tcp);
  await writeResponse(tcp, new Response(message + "\n", { status }), "GET");
  tcp.close();
}

/**
 * Serves one accepted connection until it is answered or its `NativeSocket`
 * has started (which then runs by itself). Never rejects. One async
 * function for all of it: each one more is a generator, a promise and
 * closures per handshake.
 *
 * @example
 * ```ts ignore
 * for (;;) serveConn(ctx, await listener.accept());
 * ```
 */
export async function serveConn(
  ctx: ConnContext,
  tcp: Deno.Conn<Deno.NetAddr>,
): Promise<void> {
  ctx.handshakes.add(tcp);
  const deadline: HeadDeadline = ctx.heads.add(tcp);
  try {
    let read;
    try {
      read = await readRequest(tcp, ctx.defaultHost, ctx.scheme);
    } finally {
      ctx.heads.delete(deadline);
    }
    if (deadline.late) return await deadline.late;
    if (read === null) return tcp.close();
    if ("status" in read) {
      return await refuseConn(ctx, tcp, read.status, read.message);
    }
    const { request } = read;
    const remote = tcp.remoteAddr;
    let result;
    try {
      result = ctx.app.handle(request, {
        hostname: remote.hostname,
        port: remote.port,
      });
      // Most upgrades are answered without a promise (no accept()).
      if (result instanceof Promise) result = await result;
    } catch (err) {
      ctx.app.log.error("native_handle_error", { error: String(err) });
      result = new Response("internal server error\n", { status: 500 });
    }
    if (result instanceof Response) {
      noDelay(tcp);
      await writeResponse(tcp, result, request.method);
      return tcp.close();
    }
    const conn = result.conn;
    const agreed = ctx.deflate &&
      negotiateDeflate(
        request.headers.get("sec-websocket-extensions"),
        ctx.deflate,
      );
    const extensions = agreed ? agreed.header : "";
    // The core builds the Connection before extensions are known here.
    (conn as { extensions: string }).extensions = extensions;
    conn.keepHeadText(read.head);
    const key = request.headers.get("sec-websocket-key")!;
    const head = latin1Out(switchingProtocols(key, result.headers, extensions));
    try {
      // One write nearly always takes it all: no writeAll() frame for it.
      const n = await tcp.write(head);
      if (n < head.length) await writeAll(tcp, head.subarray(n));
    } catch (err) {
      conn.closed(1006, "101 not written"); // frees its slot
      throw err;
    }
    const params = agreed ? agreed.params : null;
    const socket = new NativeSocket(tcp, conn, ctx.socketOptions, params);
    conn.attach(socket);
    ctx.sweeper.add(socket);
    conn.opened();
    socket.start(read.rest);
  } catch (err) {
    if (deadline.late) return await deadline.late;
    ctx.app.log.debug("native_conn_error", { error: String(err) });
    try {
      tcp.close();
    } catch { /* already closed */ }
  } finally {
    ctx.handshakes.delete(tcp);
  }
}
