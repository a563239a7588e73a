/**
 * The deno engine: the only place that touches `Deno.upgradeWebSocket` and
 * Deno's `WebSocket`. Everything else sees a `Transport` and `Connection`.
 *
 * @module
 */
import type { Transport } from "./connection.ts";
import {
  abortDenoSocket,
  canAbortDenoSockets,
  closeDenoSocket,
} from "./deno_internals.ts";
import { NO_HEADERS, type PendingUpgrade } from "./upgrade.ts";

/**
 * Completes a checked upgrade with Deno's WebSocket and returns the 101.
 *
 * @example
 * ```ts ignore
 * const pending = await prepareUpgrade(...);
 * if (!(pending instanceof Response)) return upgradeWithDeno(req, pending, 30);
 * ```
 */
export function upgradeWithDeno(
  req: Request,
  pending: PendingUpgrade,
  idleTimeout: number,
): Response {
  // No `protocol` option: Deno splits offers on ", " only and throws for
  // "a,b"; the chosen protocol is already in pending.headers.
  const { socket, response } = Deno.upgradeWebSocket(req, { idleTimeout });
  const conn = pending.conn;
  socket.binaryType = "arraybuffer";
  const transport: Transport = {
    send: (data) => socket.send(data as string | Uint8Array<ArrayBuffer>),
    close: (code, reason) => {
      // Deferred, and through closeDenoSocket(): Deno 2.9 drops the TCP
      // connection, often before the close frame leaves, when a data frame
      // arrives after close() (a flooding client got no 1008, busy clients
      // at shutdown no 1001). See deno_internals.ts.
      setTimeout(() => {
        try {
          closeDenoSocket(socket, code, reason);
        } catch {
          // Already closing: Deno throws where the handshake is under way.
        }
      }, 0);
    },
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
  };
  if (canAbortDenoSockets()) transport.abort = () => abortDenoSocket(socket);
  conn.attach(transport);
  socket.onopen = () => conn.opened();
  socket.onmessage = (e: MessageEvent) => {
    const d = e.data;
    conn.received(typeof d === "string" ? d : new Uint8Array(d as ArrayBuffer));
  };
  socket.onerror = (e: Event) => {
    conn.failed(
      (e as ErrorEvent).error ?? new Error((e as ErrorEvent).message),
    );
  };
  socket.onclose = (e: CloseEvent) => conn.closed(e.code, e.reason);
  if (pending.headers !== NO_HEADERS) {
    for (const [k, v] of pending.headers) response.headers.append(k, v);
  }
  return response;
}
