/**
 * The program-endpoint families of `/_metrics`: processes running, started,
 * ended by exit status, spawn failures and fork-limit refusals, each by
 * handler (the route pattern). Rendered only when the app has a program
 * endpoint, so other servers' expositions stay as they were.
 *
 * @module
 */
import type { Exposition } from "./exposition.ts";
import { programOf } from "../programs/program_handler.ts";
import type { ProgramStats } from "../programs/stats.ts";
import type { Route } from "../routing/router.ts";

/**
 * Appends the program families for the program routes among `routes`.
 *
 * @example
 * ```ts
 * import { Exposition } from "./exposition.ts";
 * import { renderProgramMetrics } from "./program_metrics.ts";
 * import { programHandler } from "../programs/program_handler.ts";
 * import assert from "node:assert/strict";
 * const out = new Exposition();
 * renderProgramMetrics(out, [
 *   { pattern: "/cat", handler: programHandler(["cat"]), file: "programs/cat" },
 * ]);
 * assert.match(out.text(), /denosocket_program_processes_running\{handler="\/cat"\} 0/);
 * ```
 */
export function renderProgramMetrics(
  out: Exposition,
  routes: readonly Route[],
): void {
  const endpoints: [string, ProgramStats][] = [];
  for (const r of routes) {
    const program = programOf(r.handler);
    if (program) endpoints.push([r.pattern, program.stats]);
  }
  if (endpoints.length === 0) return;
  const each = (
    name: string,
    type: string,
    help: string,
    value: (s: ProgramStats) => number,
  ) => {
    out.family(name, type, help);
    for (const [handler, s] of endpoints) {
      out.sample(name, { handler }, value(s));
    }
  };
  each(
    "denosocket_program_processes_running",
    "gauge",
    "Program processes running now, by handler.",
    (s) => s.running,
  );
  each(
    "denosocket_program_processes_started_total",
    "counter",
    "Program processes started, by handler.",
    (s) => s.started,
  );
  out.family(
    "denosocket_program_exits_total",
    "counter",
    "Program processes ended, by handler and exit status (the code, or the signal that killed it).",
  );
  for (const [handler, s] of endpoints) {
    for (const status of [...s.exits.keys()].sort()) {
      out.sample(
        "denosocket_program_exits_total",
        { handler, status },
        s.exits.get(status)!,
      );
    }
  }
  each(
    "denosocket_program_spawn_failures_total",
    "counter",
    "Programs that could not be started (missing, not executable, no permission), by handler.",
    (s) => s.spawnFailures,
  );
  each(
    "denosocket_program_forks_refused_total",
    "counter",
    "Upgrades refused with 503 because of --max-forks or the endpoint's maxForks, by handler.",
    (s) => s.refused,
  );
}
