/**
 * What an engine with its own listener is given: the `EngineHost`. The app
 * implements it; engines depend on this interface, never on the app, so the
 * layering runs one way (see `docs/architecture.md`).
 *
 * @module
 */
import type { Logger } from "../log.ts";
import type { ServerOptions } from "../options.ts";
import type { Handler, RemoteAddr } from "../types.ts";
import type { Connection } from "./connection.ts";

/** An upgrade that passed every check: the connection and extra 101 headers. */
export interface PendingUpgrade {
  conn: Connection<unknown>;
  /** Headers for the 101, including `Sec-WebSocket-Protocol` when chosen. */
  headers: Headers;
  /** The route's handler (an engine may skip events it does not handle). */
  handler: Handler<unknown>;
}

/**
 * The host an engine serves: it answers each request with a refusal, a
 * plain response, or a checked upgrade for the engine to complete.
 *
 * @example
 * ```ts
 * import type { EngineHost } from "./engine_host.ts";
 * function idleSeconds(host: EngineHost): number {
 *   return host.options.idleTimeout;
 * }
 * ```
 */
export interface EngineHost {
  /**
   * A refusal, a plain response, or a checked upgrade to complete; a
   * promise of one only when it must wait (a handler's `accept()`, a static
   * file): an `await` per handshake is measurable.
   */
  handle(
    req: Request,
    remoteAddr: RemoteAddr,
  ): Response | PendingUpgrade | Promise<Response | PendingUpgrade>;
  /** The options in force (limits, idle timeout). */
  readonly options: ServerOptions;
  /** Where the engine logs what the app cannot see (refused heads, I/O errors). */
  readonly log: Logger;
}
