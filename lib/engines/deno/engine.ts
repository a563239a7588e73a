/**
 * The deno engine: the only place that touches `Deno.upgradeWebSocket` and
 * Deno's `WebSocket`. Everything else sees a `Transport` and `Connection`.
 *
 * @module
 */
import type { Connection, Transport } from "../../core/connection.ts";
import {
  abortDenoSocket,
  canAbortDenoSockets,
  closeDenoSocket,
} from "./internals.ts";
import type { PendingUpgrade } from "../../core/engine_host.ts";
import { NO_HEADERS } from "../../http/upgrade.ts";

/**
 * One object per socket that is both its `Transport` and its event listener
 * (`handleEvent`): cheaper per handshake than a transport of closures plus
 * four `on*` handlers (each `on*` setter wraps its function and registers
 * it; the handshake benchmark spent several µs per connection there).
 */
class DenoTransport implements Transport, EventListenerObject {
  readonly #socket: WebSocket;
  readonly #conn: Connection<unknown>;

  constructor(socket: WebSocket, conn: Connection<unknown>) {
    this.#socket = socket;
    this.#conn = conn;
  }

  send(data: string | Uint8Array): void {
    this.#socket.send(data as string | Uint8Array<ArrayBuffer>);
  }

  close(code: number, reason: string): void {
    // Deferred, and through closeDenoSocket(): Deno 2.9 drops the TCP
    // connection, often before the close frame leaves, when a data frame
    // arrives after close() (a flooding client got no 1008, busy clients
    // at shutdown no 1001). See deno_internals.ts.
    const socket = this.#socket;
    setTimeout(() => {
      try {
        closeDenoSocket(socket, code, reason);
      } catch {
        // Already closing: Deno throws where the handshake is under way.
      }
    }, 0);
  }

  get bufferedAmount(): number {
    return this.#socket.bufferedAmount;
  }

  handleEvent(e: Event): void {
    const conn = this.#conn;
    switch (e.type) {
      case "message": {
        const d = (e as MessageEvent).data;
        conn.received(
          typeof d === "string" ? d : new Uint8Array(d as ArrayBuffer),
        );
        break;
      }
      case "open":
        // Fires once: its listener record would stay with an idle socket.
        this.#socket.removeEventListener("open", this);
        conn.opened();
        break;
      case "close":
        conn.closed((e as CloseEvent).code, (e as CloseEvent).reason);
        break;
      case "error":
        conn.failed(
          (e as ErrorEvent).error ?? new Error((e as ErrorEvent).message),
        );
        break;
    }
  }
}

/** `DenoTransport` with `abort()`, where this Deno allows it. */
class AbortableDenoTransport extends DenoTransport {
  readonly #socket: WebSocket;

  constructor(socket: WebSocket, conn: Connection<unknown>) {
    super(socket, conn);
    this.#socket = socket;
  }

  abort(): void {
    abortDenoSocket(this.#socket);
  }
}

const Engine = canAbortDenoSockets() ? AbortableDenoTransport : DenoTransport;

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
  // Deno closes the request at the upgrade, and its headers then throw
  // "Request closed" (conn.headers and conn.origin in open() or message())
  // unless their list was fetched before. getSetCookie() fetches it whole
  // without sorting: ~1 µs of CPU a handshake, where new Headers(req.headers)
  // took ~10 µs (measured). Guarded by tests/handler_members_test.ts.
  req.headers.getSetCookie();
  // No `protocol` option: Deno splits offers on ", " only and throws for
  // "a,b"; the chosen protocol is already in pending.headers.
  const { socket, response } = Deno.upgradeWebSocket(req, { idleTimeout });
  const conn = pending.conn;
  // Deno's default; set only if a later Deno changes it (the setter costs).
  if (socket.binaryType !== "arraybuffer") socket.binaryType = "arraybuffer";
  const transport = new Engine(socket, conn);
  conn.attach(transport);
  socket.addEventListener("open", transport);
  socket.addEventListener("message", transport);
  // Connection.failed() only calls the handler's error(): no listener
  // without one.
  if (pending.handler.error) socket.addEventListener("error", transport);
  socket.addEventListener("close", transport);
  if (pending.headers !== NO_HEADERS) {
    for (const [k, v] of pending.headers) response.headers.append(k, v);
  }
  return response;
}
