/**
 * Idle detection for native sockets with one timer for all of them (not
 * one per connection): like Deno's engine, a ping after half the idle
 * timeout of silence, and close 1001 when the other half passes without
 * anything arriving. The same sweep has idle sockets drop what they can
 * make again (`NativeSocket.trim()`).
 *
 * @module
 */

import { DrainingSet } from "./draining_set.ts";
import type { NativeSocket } from "./socket.ts";

/**
 * Watches sockets; `idleTimeout` in seconds, 0 = never ping.
 *
 * @example
 * ```ts ignore
 * const sweeper = new IdleSweeper(30);
 * sweeper.add(socket); // ... sweeper.ended(socket) when it ends
 * sweeper.close();
 * ```
 */
export class IdleSweeper {
  #sockets = new DrainingSet<NativeSocket>();
  #timer: ReturnType<typeof setInterval>;
  #pings: boolean;

  /** Starts the (unref'd) sweep timer. */
  constructor(idleTimeout: number) {
    this.#pings = idleTimeout > 0;
    // A tick every quarter timeout: a socket's silence is known to within
    // a quarter, so pings go out after ½–¾ and closes after 1–1¼ timeouts.
    const period = this.#pings ? idleTimeout * 250 : 10_000;
    this.#timer = setInterval(() => this.#sweep(), period);
    // Deno 2.9 timers are Node-style Timeout objects.
    this.#timer.unref();
  }

  /** The sockets being watched. */
  get sockets(): ReadonlySet<NativeSocket> {
    return this.#sockets;
  }

  /** Watches `s`. */
  add(s: NativeSocket): void {
    this.#sockets.add(s);
  }

  /** Stops watching `s` (its `ended` hook: the socket is gone). */
  ended(s: NativeSocket): void {
    this.#sockets.delete(s);
  }

  /** Resolves once no socket is left (for shutdown). */
  whenEmpty(): Promise<void> {
    return this.#sockets.whenEmpty();
  }

  /** Stops the timer. */
  close(): void {
    clearInterval(this.#timer);
  }

  #sweep(): void {
    for (const s of this.#sockets) {
      const ticks = ++s.idleTicks;
      if (ticks >= 2) s.trim(); // silent for a whole period
      if (!this.#pings) continue;
      if (ticks === 3) s.ping();
      else if (ticks >= 5) s.fail(1001, "No response from ping frame");
    }
  }
}
