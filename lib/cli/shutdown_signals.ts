/**
 * One Ctrl+C or two: what a SIGINT/SIGTERM means to `main.ts`.
 *
 * In a terminal, Ctrl+C sends SIGINT to the whole foreground process group.
 * Under `deno task start` that is both the task runner and `main.ts`, and the
 * runner passes its own SIGINT on, so `main.ts` sees one keypress as two
 * signals 0.5–2 ms apart (measured in a pty with Deno 2.9.6; under
 * `deno run --watch` three). Taking the second as "force now" made one
 * Ctrl+C exit 1 with clients cut (1006). A repeat within `SAME_KEYPRESS_MS`
 * of the first signal is therefore the same keypress; a later one is a
 * person pressing Ctrl+C again, and forces the exit.
 *
 * @module
 */

/** Signals this close to the first one are the same keypress. */
export const SAME_KEYPRESS_MS = 1000;

/** What a signal asks for: start the shutdown, nothing new, or exit now. */
export type SignalMeaning = "stop" | "repeat" | "force";

/**
 * Classifies shutdown signals by their arrival time.
 *
 * @example
 * ```ts
 * import { ShutdownSignals } from "./shutdown_signals.ts";
 * import assert from "node:assert/strict";
 * const signals = new ShutdownSignals();
 * assert.equal(signals.next(5000), "stop");
 * assert.equal(signals.next(5002), "repeat"); // deno task's copy
 * assert.equal(signals.next(6200), "force"); // Ctrl+C pressed again
 * ```
 */
export class ShutdownSignals {
  #firstAt: number | null = null;
  readonly #windowMs: number;

  constructor(windowMs: number = SAME_KEYPRESS_MS) {
    this.#windowMs = windowMs;
  }

  /** The meaning of a signal received at `now` (milliseconds). */
  next(now: number): SignalMeaning {
    if (this.#firstAt === null) {
      this.#firstAt = now;
      return "stop";
    }
    return now - this.#firstAt < this.#windowMs ? "repeat" : "force";
  }
}

/**
 * Listens for SIGINT and SIGTERM: the first calls `stop(signal)`, a repeat
 * within `SAME_KEYPRESS_MS` is ignored, any later one calls `force(signal)`.
 *
 * @example
 * ```ts ignore
 * listenForShutdown(
 *   (signal) => void gracefulStop(signal),
 *   () => Deno.exit(1),
 * );
 * ```
 */
export function listenForShutdown(
  stop: (signal: Deno.Signal) => void,
  force: (signal: Deno.Signal) => void,
): void {
  const signals = new ShutdownSignals();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => {
      const meaning = signals.next(performance.now());
      if (meaning === "stop") stop(signal);
      else if (meaning === "force") force(signal);
    });
  }
}
