/**
 * `ProgramStats`: the counters of one program endpoint, read by
 * `/_metrics` (`lib/ops/program_metrics.ts`) and the fork limits.
 *
 * @module
 */

/**
 * How one program ended, as the exit counters label it: the exit code
 * (`"0"`, `"1"` …) or the signal that killed it (`"SIGKILL"`).
 *
 * @example
 * ```ts
 * import { exitLabel } from "./stats.ts";
 * import assert from "node:assert/strict";
 * assert.equal(exitLabel({ success: false, code: 137, signal: "SIGKILL" }), "SIGKILL");
 * assert.equal(exitLabel({ success: true, code: 0, signal: null }), "0");
 * ```
 */
export function exitLabel(status: Deno.CommandStatus): string {
  return status.signal ?? String(status.code);
}

/**
 * One endpoint's counters.
 *
 * @example
 * ```ts
 * import { ProgramStats } from "./stats.ts";
 * import assert from "node:assert/strict";
 * const stats = new ProgramStats();
 * stats.spawned();
 * stats.exited("0");
 * assert.equal(stats.running, 0);
 * assert.equal(stats.exits.get("0"), 1);
 * ```
 */
export class ProgramStats {
  /** Processes running now. */
  running = 0;
  /** Upgrades admitted whose process has not started yet. */
  reserved = 0;
  /** Processes started since the server started. */
  started = 0;
  /** Processes that could not be started (missing, not executable, no permission). */
  spawnFailures = 0;
  /** Upgrades refused with 503 because of a fork limit. */
  refused = 0;
  /** Ended processes by exit code or signal (see `exitLabel`). */
  readonly exits: Map<string, number> = new Map();

  /** A process started. */
  spawned(): void {
    this.started++;
    this.running++;
  }

  /** A started process ended with `label` (an exit code or a signal name). */
  exited(label: string): void {
    this.running--;
    this.exits.set(label, (this.exits.get(label) ?? 0) + 1);
  }
}
