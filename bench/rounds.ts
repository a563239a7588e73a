/**
 * How a round is laid out and which rounds a row's figures come from: pure
 * functions, so `tests/bench_rounds_test.ts` can check them without a run.
 *
 * @module
 */
import type { Cell, Sample, Scenario, ServerSpec } from "./model.ts";

/** Other processes using this many cores make a round "noisy". */
export const NOISY = 0.2;

/** Scenarios run on one server process, with its compression setting. */
export interface Group {
  deflate: boolean;
  scenarios: Scenario[];
}

/**
 * The server processes one server needs per round, in scenario order: a
 * process of its own for each memory row, one for the plain rows and one
 * for the deflate rows. `na(sc)` names the rows it sits out.
 */
export function plan(
  scenarios: Scenario[],
  na: (sc: Scenario) => string | null,
): Group[] {
  const groups: Group[] = [];
  const shared = new Map<boolean, Group>();
  for (const sc of scenarios) {
    if (na(sc)) continue;
    if (sc.fresh) {
      groups.push({ deflate: sc.deflate, scenarios: [sc] });
      continue;
    }
    let g = shared.get(sc.deflate);
    if (!g) {
      g = { deflate: sc.deflate, scenarios: [] };
      shared.set(sc.deflate, g);
      groups.push(g);
    }
    g.scenarios.push(sc);
  }
  return groups;
}

/** Why `spec` gets no figure for `sc` (not like for like), or null. */
export function notApplicable(spec: ServerSpec, sc: Scenario): string | null {
  if (sc.deflate && !spec.deflate) {
    return "runs without permessage-deflate; the row needs it on";
  }
  return spec.skip?.(sc) ?? null;
}

/**
 * Round `round` (from 1) starts the servers in a rotated order (A B C,
 * B C A, C A B …), so no server always runs first or right after another.
 */
export function rotate<T>(items: T[], round: number): T[] {
  if (!items.length) return [];
  const k = (round - 1) % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

export const isNoisy = (s: Sample): boolean => (s.otherCpu ?? 0) >= NOISY;

/**
 * The rounds a row's figures come from: a round in which other processes
 * took ≥ NOISY of a core during any server's run of the row is left out for
 * every server of the row, so all its medians come from the same rounds. If
 * no round is clean, all are used (and marked).
 */
export function keptRounds(cells: Cell[]): Set<number> {
  const all = new Set<number>();
  const noisy = new Set<number>();
  for (const c of cells) {
    for (const s of c.samples) {
      all.add(s.round);
      if (isNoisy(s)) noisy.add(s.round);
    }
  }
  const clean = [...all].filter((r) => !noisy.has(r));
  return new Set(clean.length ? clean : all);
}
