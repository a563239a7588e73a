/**
 * Turns recorded samples into the final tables (plain or Markdown) and the
 * summary stored in the JSON results.
 *
 * @module
 */
import type { Cell, RunReport, Sample } from "./model.ts";

/** Other processes using this many cores make a round "noisy". */
export const NOISY = 0.2;

/** Median and range of one cell's rounds. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  rounds: number;
  /** Rounds the figures come from (noisy ones left out, see `kept`). */
  used: number;
  failed: number;
  saturated: number;
  noisy: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const isNoisy = (s: Sample) => (s.otherCpu ?? 0) >= NOISY;

/**
 * The rounds a figure is taken from: on a shared machine, rounds where other
 * processes took ≥ NOISY of a core are left out, as long as a clean round
 * exists (the JSON keeps them all).
 */
export function kept(samples: Sample[]): Sample[] {
  const clean = samples.filter((s) => !isNoisy(s));
  return clean.length ? clean : samples;
}

/**
 * Summarises one cell's rounds. One failed echo check in any round scores
 * the whole cell 0: a server that corrupts or drops messages gets no figure.
 */
export function summarize(samples: Sample[]): Summary | null {
  if (!samples.length) return null;
  const failed = samples.filter((s) => s.error).length;
  const use = kept(samples);
  const v = use.map((s) => failed ? 0 : s.value);
  return {
    median: median(v),
    min: Math.min(...v),
    max: Math.max(...v),
    rounds: samples.length,
    used: use.length,
    failed,
    saturated: use.filter((s) => s.clientSaturated).length,
    noisy: samples.filter(isNoisy).length,
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

function cellText(s: Summary | null): string {
  if (!s) return "–";
  if (s.failed) {
    return `0 ✗ (${s.failed} round${s.failed > 1 ? "s" : ""} failed)`;
  }
  const mark = (s.used < s.rounds ? ` [${s.used}/${s.rounds}]` : "") +
    (s.saturated ? " †" : "") + (s.noisy === s.rounds ? " ‡" : "");
  return `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})${mark}`;
}

function ratio(a: Summary | null, b: Summary | null): string {
  if (!a || !b || !b.median) return "–";
  // A side with no clean round makes the ratio as unreliable as that side.
  const noisy = a.noisy === a.rounds || b.noisy === b.rounds;
  return `${(a.median / b.median).toFixed(2)}×${noisy ? " ‡" : ""}`;
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

/** Both tables and the legend, as one printable string. */
export function renderReport(rep: RunReport, markdown: boolean): string {
  const get = (srv: string, sc: string) =>
    rep.cells.find((c) => c.server === srv && c.scenario === sc) ?? null;
  const sum = (srv: string, sc: string) =>
    summarize(get(srv, sc)?.samples ?? []);
  const avail = rep.servers.filter((s) => s.available);
  const head = [
    "scenario",
    "unit",
    ...rep.servers.map((s) => s.id),
    "project ÷ raw (programs: ÷ websocketd)",
  ];
  const rows = rep.scenarios.map((sc) => [
    sc.title,
    sc.unit,
    ...rep.servers.map((s) =>
      s.available ? cellText(sum(s.id, sc.id)) : "not available"
    ),
    ratio(sum("project", sc.id), sum(sc.baseline ?? "raw", sc.id)),
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
      const use = kept(c.samples);
      const p = (k: "p50Us" | "p99Us") => {
        const v = use.map((x) => x[k]).filter((x): x is number =>
          x !== undefined
        );
        return v.length ? fmt(median(v)) : "–";
      };
      const notes = [
        ...new Set(c.samples.flatMap((x) => [x.error, x.note].filter(Boolean))),
      ];
      dRows.push([
        sc.id,
        s.id,
        cellText(summarize(c.samples)),
        p("p50Us"),
        p("p99Us"),
        pct(use.map((x) => x.serverCpu)),
        pct(use.map((x) => x.clientCpu)),
        pct(use.map((x) => x.otherCpu)),
        ratio(summarize(c.samples), sum(sc.baseline ?? "raw", sc.id)),
        notes.join("; "),
      ]);
    }
  }
  const missing = rep.servers.filter((s) => !s.available).map((s) =>
    `${s.id}: not available (${s.reason})`
  );
  const m = rep.machine;
  const legend = [
    `${rep.budget.rounds} rounds, ${rep.budget.durationS} s measured per timed round, ` +
    `${m.cpus} CPUs, ${
      m.pinned ? "server on CPU 0, loadgen on CPU 1" : "not pinned"
    }, deno ${m.deno}.`,
    "Cells: median (min–max) over rounds. ✗ = failed the byte-exact echo check (cell scored 0, reason in notes);",
    "† = loadgen used ≥ 90% of its core in a round (figure may be the client's limit).",
    `[k/n] = figures from the k of n rounds in which other processes used < ${
      NOISY * 100
    }% of a core (noisy rounds left out; the JSON keeps all).`,
    "‡ = every round was noisy (on a ratio: on either side): treat with care.",
    "CPU = share of one core over the measured window (server: all its threads). s5: lower is better.",
    ...missing,
  ];
  const sep = markdown ? "\n\n" : "\n\n";
  return [
    render(head, rows, markdown),
    render(dHead, dRows, markdown),
    legend.join(markdown ? "  \n" : "\n"),
  ].join(sep);
}

/** Per-cell summaries for the JSON file, so runs can be diffed. */
export function summaries(
  rep: RunReport,
): Record<string, Record<string, Summary | null>> {
  const out: Record<string, Record<string, Summary | null>> = {};
  for (const c of rep.cells) {
    (out[c.scenario] ??= {})[c.server] = summarize(c.samples);
  }
  return out;
}
