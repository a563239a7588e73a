/**
 * Turns recorded samples into the final tables (plain or Markdown) and the
 * summary stored in the JSON results.
 *
 * @module
 */
import type { Cell, RunReport, Sample } from "./model.ts";
import { isNoisy, keptRounds, NOISY } from "./rounds.ts";

export { NOISY };

/** Median and range of one cell's rounds. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  rounds: number;
  /** Rounds the figures come from (the row's clean rounds, see `keptRounds`). */
  used: number;
  failed: number;
  saturated: number;
  /** No round of the row was clean: the figures come from noisy rounds. */
  allNoisy: boolean;
}

/**
 * Pairs shown as ratios (a ÷ b) when both servers ran: each engine against
 * raw Deno, and each default config against its quiet one.
 */
export const RATIOS: [string, string][] = [
  ["project", "raw"],
  ["project-default", "raw"],
  ["project-default", "project"],
  ["project-native", "raw"],
  ["project-native-default", "raw"],
  ["project-native-default", "project-native"],
  ["project", "websocketd"],
  ["project-native", "websocketd"],
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Summarises one cell over the row's kept rounds. One failed echo check in
 * any round scores the whole cell 0: a server that corrupts or drops
 * messages gets no figure.
 */
export function summarize(
  samples: Sample[],
  kept: Set<number>,
): Summary | null {
  if (!samples.length) return null;
  const failed = samples.filter((s) => s.error).length;
  const use = samples.filter((s) => kept.has(s.round));
  if (!use.length) return null;
  const v = use.map((s) => failed ? 0 : s.value);
  return {
    median: median(v),
    min: Math.min(...v),
    max: Math.max(...v),
    rounds: samples.length,
    used: use.length,
    failed,
    saturated: use.filter((s) => s.clientSaturated).length,
    allNoisy: use.every(isNoisy),
  };
}

/** Readable number: thousands grouped, three significant digits below 100. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return "–";
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString("en-US");
  return v.toPrecision(3).replace(/\.?0+$/, "");
}

function pct(xs: (number | undefined)[]): string {
  const v = xs.filter((x): x is number => typeof x === "number" && x >= 0);
  return v.length ? `${Math.round(median(v) * 100)}%` : "–";
}

function cellText(s: Summary | null, na?: string): string {
  if (na) return "n/a";
  if (!s) return "–";
  if (s.failed) {
    return `0 ✗ (${s.failed} round${s.failed > 1 ? "s" : ""} failed)`;
  }
  const mark = (s.used < s.rounds ? ` [${s.used}/${s.rounds}]` : "") +
    (s.saturated ? " †" : "") + (s.allNoisy ? " ‡" : "");
  return `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})${mark}`;
}

function ratio(a: Summary | null, b: Summary | null): string {
  if (!a || !b || !b.median) return "–";
  return `${(a.median / b.median).toFixed(2)}×${
    a.allNoisy || b.allNoisy ? " ‡" : ""
  }`;
}

function render(head: string[], rows: string[][], markdown: boolean): string {
  if (markdown) {
    const line = (r: string[]) =>
      `| ${r.map((c) => c.replaceAll("|", "\\|")).join(" | ")} |`;
    return [line(head), line(head.map(() => "---")), ...rows.map(line)].join(
      "\n",
    );
  }
  const w = head.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => r[i].length))
  );
  const line = (r: string[]) =>
    r.map((c, i) => c.padEnd(w[i])).join("  ").trimEnd();
  return [line(head), w.map((n) => "-".repeat(n)).join("  "), ...rows.map(line)]
    .join("\n");
}

/** Looks cells up and summarises them over each row's kept rounds. */
function reader(rep: RunReport) {
  const get = (srv: string, sc: string) =>
    rep.cells.find((c) => c.server === srv && c.scenario === sc) ?? null;
  const kept = new Map(
    rep.scenarios.map((
      sc,
    ) => [sc.id, keptRounds(rep.cells.filter((c) => c.scenario === sc.id))]),
  );
  const sum = (srv: string, sc: string) =>
    summarize(get(srv, sc)?.samples ?? [], kept.get(sc) ?? new Set());
  return { get, kept, sum };
}

/** Every table and the legend, as one printable string. */
export function renderReport(rep: RunReport, markdown: boolean): string {
  const { get, kept, sum } = reader(rep);
  const avail = rep.servers.filter((s) => s.available);
  const head = ["scenario", "unit", ...rep.servers.map((s) => s.id)];
  const rows = rep.scenarios.map((sc) => [
    sc.title,
    sc.unit,
    ...rep.servers.map((s) =>
      s.available
        ? cellText(sum(s.id, sc.id), get(s.id, sc.id)?.na)
        : "not available"
    ),
  ]);
  const ran = new Set(avail.map((s) => s.id));
  const pairs = RATIOS.filter(([a, b]) => ran.has(a) && ran.has(b));
  const rHead = ["scenario", ...pairs.map(([a, b]) => `${a} ÷ ${b}`)];
  const rRows = rep.scenarios.map((sc) => [
    sc.id,
    ...pairs.map(([a, b]) => ratio(sum(a, sc.id), sum(b, sc.id))),
  ]);
  const dHead = [
    "scenario",
    "server",
    "median (min–max)",
    "p50 µs",
    "p99 µs",
    "server CPU",
    "loadgen CPU",
    "other CPU",
    "÷ raw (programs: ÷ websocketd)",
    "notes",
  ];
  const dRows: string[][] = [];
  for (const sc of rep.scenarios) {
    for (const s of avail) {
      const c: Cell | null = get(s.id, sc.id);
      if (!c) continue;
      const use = c.samples.filter((x) => kept.get(sc.id)?.has(x.round));
      const p = (k: "p50Us" | "p99Us") => {
        const v = use.map((x) => x[k]).filter((x): x is number =>
          x !== undefined
        );
        return v.length ? fmt(median(v)) : "–";
      };
      const notes = c.na ? [c.na] : [
        ...new Set(c.samples.flatMap((x) => [x.error, x.note].filter(Boolean))),
      ];
      dRows.push([
        sc.id,
        s.id,
        cellText(sum(s.id, sc.id), c.na),
        p("p50Us"),
        p("p99Us"),
        pct(use.map((x) => x.serverCpu)),
        pct(use.map((x) => x.clientCpu)),
        pct(use.map((x) => x.otherCpu)),
        c.na ? "–" : ratio(sum(s.id, sc.id), sum(sc.baseline ?? "raw", sc.id)),
        notes.join("; "),
      ]);
    }
  }
  const m = rep.machine;
  const legend = [
    `${rep.budget.rounds} rounds, ${rep.budget.durationS} s measured per timed round, ` +
    `${m.cpus} CPUs, ${
      m.pinned ? "server on CPU 0, loadgen on CPU 1" : "not pinned"
    }, deno ${m.deno}, commit ${rep.commit}.`,
    "Cells: median (min–max) over rounds. ✗ = failed the byte-exact echo check (cell scored 0, reason in notes);",
    "n/a = the server cannot run the row like the others (reason in notes); † = loadgen used ≥ 90% of its core in a round (figure may be the client's limit).",
    `[k/n] = figures from the k of n rounds in which other processes used < ${
      NOISY * 100
    }% of a core while any server ran the row (a noisy round is left out for the whole row; the JSON keeps all).`,
    "‡ = every round of the row was noisy (on a ratio: on either side): treat with care.",
    "CPU = share of one core over the measured window (server: all its threads). s5: lower is better (so are its ratios).",
    "Servers:",
    ...rep.servers.map((s) =>
      s.available
        ? `  ${s.id}: ${s.label}: ${(s.commands ?? []).join(" | ")}`
        : `  ${s.id}: not available (${s.reason})`
    ),
  ];
  return [
    render(head, rows, markdown),
    render(rHead, rRows, markdown),
    render(dHead, dRows, markdown),
    legend.join(markdown ? "  \n" : "\n"),
  ].join("\n\n");
}

/** Per-cell summaries for the JSON file, so runs can be diffed. */
export function summaries(
  rep: RunReport,
): Record<string, Record<string, Summary | null>> {
  const { sum } = reader(rep);
  const out: Record<string, Record<string, Summary | null>> = {};
  for (const c of rep.cells) {
    (out[c.scenario] ??= {})[c.server] = c.na
      ? null
      : sum(c.server, c.scenario);
  }
  return out;
}
