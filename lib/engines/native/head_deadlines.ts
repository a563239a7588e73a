/**
 * The request-head deadline (slowloris guard) for every pending connection
 * with one timer, not one `setTimeout` + `Promise.race` per connection:
 * those were ~5% of a short-lived connection's server time. A deadline
 * fires between 1 and 1¼ timeouts after it was set. One handler for all
 * entries, not a closure per connection.
 *
 * @module
 */

/** A watched connection. */
export interface HeadDeadline {
  readonly at: number;
  readonly tcp: Deno.Conn<Deno.NetAddr>;
  /** Set by the expiry handler: the refusal under way. */
  late: Promise<void> | null;
}

/**
 * Deadlines of `timeoutMs`, checked every quarter of it (at most 1 s).
 *
 * @example
 * ```ts ignore
 * const heads = new HeadDeadlines(10_000, (d) => d.late = refuse(d.tcp, 408));
 * const deadline = heads.add(tcp);
 * await readRequest(tcp, host);
 * heads.delete(deadline);
 * if (deadline.late) await deadline.late;
 * ```
 */
export class HeadDeadlines {
  #entries = new Set<HeadDeadline>();
  #timeoutMs: number;
  #expire: (d: HeadDeadline) => void;
  #timer: ReturnType<typeof setInterval>;

  /** Starts the (unref'd) check timer; `expire` runs for each late entry. */
  constructor(timeoutMs: number, expire: (d: HeadDeadline) => void) {
    this.#timeoutMs = timeoutMs;
    this.#expire = expire;
    const period = Math.max(50, Math.min(1000, timeoutMs / 4));
    this.#timer = setInterval(() => this.#check(), period);
    this.#timer.unref(); // Deno 2.9 timers are Node-style Timeout objects
  }

  /** Watches `tcp`: `expire` runs `timeoutMs` from now unless deleted first. */
  add(tcp: Deno.Conn<Deno.NetAddr>): HeadDeadline {
    const d = { at: performance.now() + this.#timeoutMs, tcp, late: null };
    this.#entries.add(d);
    return d;
  }

  /** Forgets an entry returned by `add` (a no-op once it has expired). */
  delete(d: HeadDeadline): void {
    this.#entries.delete(d);
  }

  /** Stops the timer. */
  close(): void {
    clearInterval(this.#timer);
  }

  #check(): void {
    const now = performance.now();
    // Entries are in insertion order, so in deadline order: stop at the
    // first one still in time.
    for (const d of this.#entries) {
      if (d.at > now) break;
      this.#entries.delete(d);
      this.#expire(d);
    }
  }
}
