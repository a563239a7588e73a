/**
 * `Guard`: who may connect and how many. Basic auth on every request, then
 * for WebSocket upgrades the origin check and the connection caps. Lives in
 * `app.handle()`, so every engine gets the same answers.
 *
 * @module
 */
import { checkBasicAuth, unauthorized } from "./basic_auth.ts";
import type { Connection } from "../core/connection.ts";
import { refusalReason, refuse } from "./refuse.ts";
import { formatAddr, type Logger } from "../log.ts";
import type { ServerOptions } from "../options.ts";
import type { RemoteAddr } from "../types.ts";

/** Seconds a client is told to wait after a 503 or 429. */
export const RETRY_AFTER_S = 5;

/** A reserved connection slot: bind it to the connection, or cancel it. */
export interface Slot {
  bind(conn: Connection<unknown>): void;
  cancel(): void;
}

/**
 * Access and connection-cap checks.
 *
 * @example
 * ```ts ignore
 * const guard = new Guard(options, log);
 * const denied = guard.checkRequest(req, remoteAddr);
 * if (denied) return denied;
 * ```
 */
export class Guard {
  #options: ServerOptions;
  #log: Logger;
  #open = 0;
  #perIp = new Map<string, number>();

  constructor(options: ServerOptions, log: Logger) {
    this.#options = options;
    this.#log = log;
  }

  /** WebSocket connections holding a slot (open or being opened). */
  get count(): number {
    return this.#open;
  }

  /** Basic auth, for every request. Returns a 401 or `null`. */
  checkRequest(req: Request, remote: RemoteAddr): Response | null {
    const expected = this.#options.basicAuth;
    if (expected === null) return null;
    if (checkBasicAuth(req.headers.get("authorization"), expected)) return null;
    this.#log.info("refused", {
      path: new URL(req.url).pathname,
      remote: formatAddr(remote),
      status: 401,
      why: req.headers.has("authorization")
        ? "wrong credentials"
        : "no credentials",
    });
    return unauthorized();
  }

  /**
   * Origin and caps, for an upgrade attempt. Returns a refusal, or a `Slot`
   * that must be bound to the new connection (or cancelled).
   */
  admit(req: Request, remote: RemoteAddr): Response | Slot {
    const refusal = this.peek(req, remote);
    if (refusal) {
      // A refused origin is the client's business; a full server is ours.
      const origin = refusal.status === 403;
      this.#log[origin ? "info" : "warn"]("refused", {
        path: new URL(req.url).pathname,
        remote: formatAddr(remote),
        status: refusal.status,
        origin: origin ? req.headers.get("origin") ?? "" : undefined,
        reason: refusalReason(refusal) ?? "",
        open: origin ? undefined : this.#open,
      });
      return refusal;
    }
    const ip = remote.hostname;
    this.#open++;
    this.#perIp.set(ip, (this.#perIp.get(ip) ?? 0) + 1);
    // A class, not two closures: one small object per handshake.
    return new GuardSlot(this, ip);
  }

  /**
   * What `admit()` would refuse with now, reserving nothing and logging
   * nothing (for `/_upgrade_check`), or `null`.
   */
  peek(req: Request, remote: RemoteAddr): Response | null {
    const { origins, sameOrigin } = this.#options;
    // Header reads cost: none without an origin rule.
    if (origins !== null || sameOrigin) {
      const origin = req.headers.get("origin");
      if (!this.#originAllowed(origin, req.headers.get("host"))) {
        return refuse(403, `origin ${origin} is not allowed`);
      }
    }
    const { maxConnections, maxConnectionsPerIp } = this.#options;
    const ip = remote.hostname;
    if (maxConnections > 0 && this.#open >= maxConnections) {
      return refuse(
        503,
        `server is at its limit of ${maxConnections} connections; retry later`,
        { "retry-after": String(RETRY_AFTER_S) },
      );
    }
    if (
      maxConnectionsPerIp > 0 &&
      (this.#perIp.get(ip) ?? 0) >= maxConnectionsPerIp
    ) {
      return refuse(
        429,
        `too many connections from ${ip} (limit ${maxConnectionsPerIp})`,
        { "retry-after": String(RETRY_AFTER_S) },
      );
    }
    return null;
  }

  /**
   * Frees the slot of a closed connection. Its slot was bound to it (every
   * connection the app makes is), and counted under its remote address: no
   * map from connection to slot needed (a map entry per connection).
   */
  release(conn: Connection<unknown>): void {
    this.free(conn.remoteAddr.hostname);
  }

  /** Frees the slot of `ip`; for `release()` and `GuardSlot.cancel()`. */
  free(ip: string): void {
    this.#open--;
    const n = (this.#perIp.get(ip) ?? 1) - 1;
    if (n <= 0) this.#perIp.delete(ip);
    else this.#perIp.set(ip, n);
  }

  #originAllowed(origin: string | null, host: string | null): boolean {
    const { origins, sameOrigin } = this.#options;
    if (origins === null && !sameOrigin) return true;
    // No Origin: not a browser (browsers always send it on WebSockets), and
    // any other client could forge one anyway.
    if (origin === null) return true;
    if (origins?.includes(origin)) return true;
    if (sameOrigin && host !== null) {
      try {
        return new URL(origin).host.toLowerCase() === host.toLowerCase();
      } catch {
        return false;
      }
    }
    return false;
  }
}

class GuardSlot implements Slot {
  #guard: Guard;
  #ip: string;
  #done = false;

  constructor(guard: Guard, ip: string) {
    this.#guard = guard;
    this.#ip = ip;
  }

  bind(_conn: Connection<unknown>): void {
    // From now on `release(conn)` frees it, once, when the connection closes.
    this.#done = true;
  }

  cancel(): void {
    if (this.#done) return;
    this.#done = true;
    this.#guard.free(this.#ip);
  }
}
