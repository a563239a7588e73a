/**
 * `HistoryPolicy`: which topics keep history and how much. A default for
 * every topic (`--history`, `--history-ttl`) and rules per topic or
 * `prefix*` that handlers set with `topicHistory()`.
 *
 * @module
 */
import type { HistoryLimits } from "./store.ts";

/** Largest `size` accepted: a bound on what one topic may hold. */
export const MAX_HISTORY_SIZE = 1_000_000;
/** Largest `ttl` accepted, in seconds (one year). */
export const MAX_HISTORY_TTL = 365 * 86400;

/** A rule as handlers write it; `ttl` defaults to `--history-ttl`. */
export interface HistoryRule {
  /** Messages kept; 0 turns history off for the topic. */
  size: number;
  /** Seconds a message is kept; 0: no age bound. */
  ttl?: number;
}

/**
 * Throws a `RangeError` unless `rule` is a usable rule.
 *
 * @example
 * ```ts
 * import { checkHistoryRule } from "./policy.ts";
 * import assert from "node:assert/strict";
 * checkHistoryRule({ size: 100, ttl: 60 });
 * assert.throws(() => checkHistoryRule({ size: -1 }), RangeError);
 * ```
 */
export function checkHistoryRule(rule: HistoryRule): void {
  const { size, ttl } = rule;
  if (!Number.isInteger(size) || size < 0 || size > MAX_HISTORY_SIZE) {
    throw new RangeError(
      `history size must be a whole number 0-${MAX_HISTORY_SIZE}`,
    );
  }
  if (
    ttl !== undefined &&
    (!Number.isInteger(ttl) || ttl < 0 || ttl > MAX_HISTORY_TTL)
  ) {
    throw new RangeError(
      `history ttl must be whole seconds 0-${MAX_HISTORY_TTL}`,
    );
  }
}

/**
 * The rules, looked up on every publish: an exact topic first, then the
 * longest matching prefix, then the default.
 *
 * @example
 * ```ts
 * import { HistoryPolicy } from "./policy.ts";
 * import assert from "node:assert/strict";
 * const policy = new HistoryPolicy();
 * policy.set("chat:*", { size: 200 });
 * assert.deepEqual(policy.limitsFor("chat:lobby"), { size: 200, ttl: 3600 });
 * assert.equal(policy.limitsFor("news"), null); // the default is off
 * ```
 */
export class HistoryPolicy {
  /** For topics no rule names; size 0 means no history. */
  defaults: HistoryLimits = { size: 0, ttl: 3600 };
  #exact = new Map<string, HistoryRule>();
  /** Longest prefix first, so the first match is the most specific. */
  #prefixes: [string, HistoryRule][] = [];

  /** Sets (or with `null` removes) the rule for a topic or `prefix*`. */
  set(pattern: string, rule: HistoryRule | null): void {
    if (rule) checkHistoryRule(rule);
    if (!pattern.endsWith("*")) {
      if (rule) this.#exact.set(pattern, { ...rule });
      else this.#exact.delete(pattern);
      return;
    }
    const prefix = pattern.slice(0, -1);
    this.#prefixes = this.#prefixes.filter(([p]) => p !== prefix);
    if (rule) this.#prefixes.push([prefix, { ...rule }]);
    this.#prefixes.sort((a, b) => b[0].length - a[0].length);
  }

  /** The limits `topic` keeps, or `null` when it keeps no history. */
  limitsFor(topic: string): HistoryLimits | null {
    let rule = this.#exact.get(topic);
    if (!rule) {
      for (const [prefix, r] of this.#prefixes) {
        if (topic.startsWith(prefix)) {
          rule = r;
          break;
        }
      }
    }
    if (!rule) return this.defaults.size === 0 ? null : this.defaults;
    if (rule.size === 0) return null;
    return { size: rule.size, ttl: rule.ttl ?? this.defaults.ttl };
  }
}
