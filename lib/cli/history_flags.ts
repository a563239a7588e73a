/**
 * The topic history flags of the command line (`--history`,
 * `--history-ttl`) and their environment variables, kept apart from
 * `parse_cli.ts` like the security and deflate flags; `serve.ts` reads the
 * same variables with `historyFromEnv()`.
 *
 * @module
 */
import type { ServerOptions } from "../options.ts";
import { MAX_HISTORY_SIZE, MAX_HISTORY_TTL } from "../topics/history/policy.ts";

/** `parseArgs` option specs for the history flags. */
export const HISTORY_FLAGS = {
  history: { type: "string" },
  "history-ttl": { type: "string" },
} as const;

/** Usage lines for the history flags. */
export const HISTORY_USAGE = `
Topic history (resume after a reconnect; see docs/topics.md):
      --history N           messages each topic keeps by default; 0 = off (default 0, or $DENOSOCKET_HISTORY)
      --history-ttl S       seconds a kept message lives; 0 = no age bound (default 3600, or $DENOSOCKET_HISTORY_TTL)`;

/** The values `parseArgs` returns for `HISTORY_FLAGS`. */
export type HistoryValues = {
  [K in keyof typeof HISTORY_FLAGS]?: string;
};

/** The environment variables the history flags fall back on. */
export interface HistoryEnv {
  DENOSOCKET_HISTORY?: string;
  DENOSOCKET_HISTORY_TTL?: string;
}

/**
 * Copies the history flags (or their variables) into `options`; returns
 * an error message for a bad value.
 *
 * @example
 * ```ts
 * import { applyHistoryFlags } from "./history_flags.ts";
 * import { DEFAULTS } from "../options.ts";
 * import assert from "node:assert/strict";
 * const options = { ...DEFAULTS };
 * assert.equal(applyHistoryFlags({ history: "500" }, {}, options), null);
 * assert.equal(options.history, 500);
 * assert.match(applyHistoryFlags({ history: "-1" }, {}, options)!, /--history/);
 * ```
 */
export function applyHistoryFlags(
  values: HistoryValues,
  env: HistoryEnv,
  options: ServerOptions,
): string | null {
  const size = values.history ?? (env.DENOSOCKET_HISTORY || undefined);
  if (size !== undefined) {
    const n = wholeNumber(size, MAX_HISTORY_SIZE);
    if (n === null) {
      return `invalid --history "${size}": expected a whole number of messages 0-${MAX_HISTORY_SIZE}`;
    }
    options.history = n;
  }
  const ttl = values["history-ttl"] ??
    (env.DENOSOCKET_HISTORY_TTL || undefined);
  if (ttl !== undefined) {
    const n = wholeNumber(ttl, MAX_HISTORY_TTL);
    if (n === null) {
      return `invalid --history-ttl "${ttl}": expected whole seconds 0-${MAX_HISTORY_TTL}`;
    }
    options.historyTtl = n;
  }
  return null;
}

/**
 * `--history` and `--history-ttl` from the environment alone, for
 * `serve.ts`; throws a `TypeError` for a bad value.
 *
 * @example
 * ```ts
 * import { historyFromEnv } from "./history_flags.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(historyFromEnv({ DENOSOCKET_HISTORY: "100" }), {
 *   history: 100,
 *   historyTtl: 3600,
 * });
 * ```
 */
export function historyFromEnv(
  env: HistoryEnv,
): Pick<ServerOptions, "history" | "historyTtl"> {
  const options = { history: 0, historyTtl: 3600 } as ServerOptions;
  const error = applyHistoryFlags({}, env, options);
  if (error) {
    throw new TypeError(error.replace("--history", "DENOSOCKET_HISTORY"));
  }
  return { history: options.history, historyTtl: options.historyTtl };
}

function wholeNumber(text: string, max: number): number | null {
  if (!/^\s*\d+\s*$/.test(text)) return null;
  const n = Number(text);
  return n <= max ? n : null;
}
