/**
 * Command-line options of `deno task bench`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { Budget } from "./model.ts";
import { FULL, QUICK, SCENARIOS } from "./scenarios.ts";
import { SERVER_IDS } from "./servers.ts";

/** Usage text for `--help`. */
export const USAGE = `deno task bench [-- options]

  --quick              short run (< 30 s): fewer rounds, shorter scenarios
  --markdown           print the final tables as Markdown (for docs/performance.md)
  --servers LIST       comma list of (default: all)
                       ${SERVER_IDS.join(",")}
  --scenarios LIST     comma list of ${
  SCENARIOS.map((s) => s.id).join(",")
} (default: all)
  --rounds N           rounds; each starts the servers in a rotated order
  --duration S         measured seconds per round of the timed scenarios
  --quiet-wait S       before each scenario wait up to S s for other
                       processes to go quiet (default 0: off; for shared machines)
  --no-pin             do not pin server and client to separate cores
  --json PATH          where to write results (default bench/results/latest.json)
  --from PATH          measure nothing: print the tables of a saved results file`;

/** Parsed options. */
export interface Options {
  quick: boolean;
  markdown: boolean;
  servers: string[];
  scenarios: string[];
  budget: Budget;
  pin: boolean;
  quietWaitS: number;
  json: string;
  from?: string;
  help: boolean;
}

function list(v: string | undefined, all: string[]): string[] {
  return v ? v.split(",").map((s) => s.trim()).filter(Boolean) : all;
}

/** Parses argv; `deno task bench -- --quick` may pass the `--` through. */
export function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv.filter((a) => a !== "--"),
    options: {
      quick: { type: "boolean", default: false },
      markdown: { type: "boolean", default: false },
      servers: { type: "string" },
      scenarios: { type: "string" },
      rounds: { type: "string" },
      duration: { type: "string" },
      "no-pin": { type: "boolean", default: false },
      "quiet-wait": { type: "string", default: "0" },
      json: { type: "string" },
      from: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const budget = { ...(values.quick ? QUICK : FULL) };
  if (values.rounds) {
    budget.rounds = Math.max(1, Math.min(20, Number(values.rounds) | 0));
  }
  if (values.duration) {
    budget.durationS = Math.max(0.1, Math.min(60, Number(values.duration)));
  }
  // "s2" selects both s2-text and s2-binary.
  const wanted = list(values.scenarios, SCENARIOS.map((s) => s.id));
  const picks = (w: string, id: string) => id === w || id.startsWith(`${w}-`);
  const unknown = wanted.filter((w) => !SCENARIOS.some((s) => picks(w, s.id)));
  if (unknown.length) {
    throw new Error(`unknown scenario: ${unknown.join(", ")}`);
  }
  const scenarios = SCENARIOS.map((s) => s.id).filter((id) =>
    wanted.some((w) => picks(w, id))
  );
  return {
    quick: values.quick,
    markdown: values.markdown,
    servers: list(values.servers, SERVER_IDS),
    scenarios,
    budget,
    pin: !values["no-pin"],
    quietWaitS: Math.max(0, Math.min(60, Number(values["quiet-wait"]) || 0)),
    json: values.json ??
      new URL("./results/latest.json", import.meta.url).pathname,
    from: values.from,
    help: values.help,
  };
}
