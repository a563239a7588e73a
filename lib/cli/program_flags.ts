/**
 * The program-endpoint flags of the command line (`--programs`,
 * `--program`, `--binary`, …), kept apart from `parse_cli.ts` like the
 * security and deflate flags. websocketd's names where it has the flag
 * (`--passenv`, `--closems`, `--binary`).
 *
 * @module
 */
import type { ServerOptions } from "../options.ts";

/** `parseArgs` option specs for the program flags (`--program` is split off first). */
export const PROGRAM_FLAGS = {
  programs: { type: "string" },
  binary: { type: "boolean" },
  "pass-stderr": { type: "boolean" },
  passenv: { type: "string" },
  closems: { type: "string" },
  "max-forks": { type: "string" },
} as const;

/** Usage lines for the program flags. */
export const PROGRAM_USAGE = `
Programs (websocketd's endpoints; need --allow-run, which deno task start grants):
      --programs DIR        every executable file in DIR is an endpoint: DIR/count.sh at /count.sh
      --program CMD [ARGS…] run CMD ARGS… for every WebSocket path without a handler; the
                            rest of the command line is CMD's (so is everything after a "--")
      --binary              programs exchange raw bytes, not lines of text (default: lines)
      --pass-stderr         stderr lines also reach the client, stdout and stderr as JSON
      --passenv LIST        comma-separated variables programs inherit (default PATH,LD_LIBRARY_PATH)
      --closems MS          extra ms a program gets before each signal once its client leaves (default 0)
      --max-forks N         programs running at once; beyond → 503 (default 0 = no cap)`;

/** The values `parseArgs` returns for `PROGRAM_FLAGS`. */
export type ProgramValues = {
  [K in keyof typeof PROGRAM_FLAGS]?: (typeof PROGRAM_FLAGS)[K] extends
    { type: "boolean" } ? boolean : string;
};

/**
 * Splits the command line at `--program CMD …` (or `--program=CMD …`, or a
 * bare `--`): the server's flags, and the program's command line or `null`.
 * Returns an error message when the command is missing.
 *
 * @example
 * ```ts
 * import { splitProgramCommand } from "./program_flags.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(
 *   splitProgramCommand(["-p", "0", "--program", "./count.sh", "-n", "3"]),
 *   { flags: ["-p", "0"], command: ["./count.sh", "-n", "3"] },
 * );
 * ```
 */
export function splitProgramCommand(
  args: string[],
): { flags: string[]; command: string[] | null } | string {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a !== "--program" && a !== "--" && !a.startsWith("--program=")) {
      continue;
    }
    const command = a.startsWith("--program=")
      ? [a.slice("--program=".length), ...args.slice(i + 1)]
      : args.slice(i + 1);
    if (command.length === 0 || command[0] === "") {
      return `${
        a === "--" ? '"--"' : "--program"
      } needs a command, e.g. --program ./count.sh`;
    }
    return { flags: args.slice(0, i), command };
  }
  return { flags: args, command: null };
}

/** What `applyProgramFlags` found wrong or pointless. */
export interface ProgramFlagResult {
  /** Refuse to start with this message, or null. */
  error: string | null;
  /** One-line warnings to print at start. */
  warnings: string[];
}

/**
 * Copies the program flags (and the split-off command) into `options`.
 *
 * @example
 * ```ts
 * import { applyProgramFlags } from "./program_flags.ts";
 * import { DEFAULTS } from "../options.ts";
 * import assert from "node:assert/strict";
 * const options = { ...DEFAULTS };
 * const r = applyProgramFlags({ programs: "programs", "max-forks": "8" }, null, options);
 * assert.equal(r.error, null);
 * assert.equal(options.maxForks, 8);
 * ```
 */
export function applyProgramFlags(
  values: ProgramValues,
  command: string[] | null,
  options: ServerOptions,
): ProgramFlagResult {
  const warnings: string[] = [];
  const fail = (error: string) => ({ error, warnings });
  if (values.programs !== undefined) {
    if (values.programs === "") return fail("--programs needs a folder");
    options.programsDir = values.programs;
  }
  options.program = command;
  if (values.binary) options.binary = true;
  if (values["pass-stderr"]) options.passStderr = true;
  if (options.binary && options.passStderr) {
    return fail(
      "--binary and --pass-stderr cannot be used together (stderr lines cannot be tagged in a byte stream)",
    );
  }
  if (values.passenv !== undefined) {
    const names = values.passenv.split(",").map((n) => n.trim()).filter(
      Boolean,
    );
    const bad = names.find((n) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(n));
    if (bad !== undefined) {
      return fail(`invalid --passenv "${bad}": expected variable names`);
    }
    options.passEnv = names;
  }
  for (
    const [flag, key, max] of [
      ["closems", "closeMs", 600_000],
      ["max-forks", "maxForks", 1_000_000],
    ] as const
  ) {
    const text = values[flag];
    if (text === undefined) continue;
    if (!/^\d+$/.test(text.trim()) || Number(text) > max) {
      return fail(
        `invalid --${flag} "${text}": expected a whole number 0-${max}`,
      );
    }
    options[key] = Number(text);
  }
  if (options.programsDir === null && command === null) {
    for (const flag of ["binary", "pass-stderr"] as const) {
      if (values[flag]) {
        warnings.push(
          `--${flag} has no effect without --programs or --program (handler modules set it with programHandler())`,
        );
      }
    }
  }
  return { error: null, warnings };
}
