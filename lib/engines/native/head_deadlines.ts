/**
 * The request-head deadline (slowloris guard) for every pending connection
 * with one timer, not one `setTimeout` + `Promise.race` per connection:
 * those were ~5% of a short-lived connection's server time. A deadline
 * fires between 1 and 1¼ timeouts after it was set.
 *
 * @module
 */

/** A watched connection: `expire` runs once if it is still there in time. */
interface Entry {
  at: number;
  expire: () => void;
}

/**
 * Deadlines of `timeoutMs`, checked every quarter of it (at most 1 s).
 *
 * @example
 * ```ts ignore
 * const heads = new HeadDeadlines(10_000);
 * const entry = heads.add(() => refuse(408));
 * await readRequest(tcp, host);
 * heads.delete(entry);
 * ```
 */
export class HeadDeadlines {
  #entries = new Set<Entry>();
  #timeoutMs: number;
  #timer: ReturnType<typeof setInterval>;

  /** Starts the (unref'd) check timer. */
  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
    const period = Math.max(50, Math.min(1000, timeoutMs / 4));
    this.#timer = setInterval(() => this.#check(), period);
    this.#timer.unref(); // Deno 2.9 timers are Node-style Timeout objects
  }

  /** Calls `expire` once `timeoutMs` from now unless deleted first. */
  add(expire: () => void): object {
    const entry = { at: performance.now() + this.#timeoutMs, expire };
    this.#entries.add(entry);
    return entry;
  }

  /** Forgets an entry returned by `add` (a no-op once it has expired). */
  delete(entry: object): void {
    this.#entries.delete(entry as Entry);
  }

  /** Stops the timer. */
  close(): void {
    clearInterval(this.#timer);
  }

  #check(): void {
    const now = performance.now();
    // Entries are in insertion order, so in deadline order: stop at the
    // first one still in time.
    for (const e of this.#entries) {
      if (e.at > now) break;
      this.#entries.delete(e);
      e.expire();
    }
  }
}
