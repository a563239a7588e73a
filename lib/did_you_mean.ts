/**
 * `didYouMean()`: the known name closest to a mistyped one, for "did you
 * mean --port?" after an unknown flag and "did you mean message?" after an
 * unknown handler member.
 *
 * @module
 */

/**
 * The candidate `given` was most likely meant as, or `null` when none is
 * close: one that starts with `given` (a flag typed short), else the nearest
 * by edit distance with a swap of neighbours counting as one edit (`prot` →
 * `port`), allowing one edit per three characters.
 *
 * @example
 * ```ts
 * import { didYouMean } from "./did_you_mean.ts";
 * import assert from "node:assert/strict";
 * assert.equal(didYouMean("prot", ["host", "port"]), "port");
 * assert.equal(didYouMean("mesage", ["open", "message"]), "message");
 * assert.equal(didYouMean("max-message", ["max-message-size"]), "max-message-size");
 * assert.equal(didYouMean("zzz", ["port"]), null);
 * ```
 */
export function didYouMean(
  given: string,
  candidates: readonly string[],
): string | null {
  const prefixed = candidates.filter((c) => c.startsWith(given));
  if (given.length >= 3 && prefixed.length === 1) return prefixed[0];
  const allowed = Math.max(1, Math.floor(given.length / 3));
  let best: string | null = null;
  let bestDistance = allowed + 1;
  for (const c of candidates) {
    const d = editDistance(given, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** Optimal string alignment distance: insert, delete, replace, swap. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j++) {
      rows[i][j] = i === 0 ? j : 0;
    }
  }
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(
        rows[i - 1][j] + 1,
        rows[i][j - 1] + 1,
        rows[i - 1][j - 1] + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, rows[i - 2][j - 2] + 1);
      }
      rows[i][j] = d;
    }
  }
  return rows[a.length][b.length];
}
