/**
 * Dropping one server-side Deno `WebSocket` at once. Deno's public API has no
 * way to: `socket.close()` queues the close frame behind unsent data, so a
 * peer that stopped reading keeps the socket CLOSING, its TCP connection open
 * and every buffered byte in memory (measured: ~18 MiB per stalled peer, never
 * released, no `close` event, idle timeout inactive once closing). Closing the
 * socket's resource id through Deno's internal `core.close` ends the TCP
 * connection, fires `close`, and the memory is reused.
 *
 * This reaches into Deno internals (`Deno[Deno.internal].core` and the
 * socket's `[[rid]]` slot), verified on Deno 2.9; when either is missing the
 * feature reports itself unavailable and the caller falls back to waiting.
 *
 * @module
 */

interface DenoCore {
  close(rid: number): void;
}

const core: DenoCore | null = (() => {
  const d = Deno as unknown as Record<symbol, { core?: DenoCore } | undefined>;
  const internal = (Deno as unknown as { internal?: symbol }).internal;
  const c = internal ? d[internal]?.core : undefined;
  return typeof c?.close === "function" ? c : null;
})();

/**
 * True when this Deno lets us drop a WebSocket (see the module doc).
 *
 * @example
 * ```ts
 * import { canAbortDenoSockets } from "./deno_abort.ts";
 * canAbortDenoSockets(); // true on Deno 2.9
 * ```
 */
export function canAbortDenoSockets(): boolean {
  return core !== null;
}

/**
 * Ends a server-side Deno `WebSocket`'s TCP connection now. Returns false
 * when it could not (no internals, or already gone).
 *
 * @example
 * ```ts ignore
 * abortDenoSocket(socket); // the peer sees the TCP connection end
 * ```
 */
export function abortDenoSocket(socket: WebSocket): boolean {
  if (!core) return false;
  const slot = Object.getOwnPropertySymbols(socket).find((s) =>
    s.description === "[[rid]]"
  );
  const rid = slot && (socket as unknown as Record<symbol, unknown>)[slot];
  if (typeof rid !== "number") return false;
  try {
    core.close(rid);
    return true;
  } catch {
    return false; // Already closed by Deno.
  }
}
