/**
 * `Exposition`: a writer for the Prometheus text format 0.0.4 — families
 * (`# HELP`/`# TYPE`), samples with escaped labels, and histograms from
 * per-bucket counts.
 *
 * @module
 */

/**
 * The `Content-Type` of the exposition.
 *
 * @example
 * ```ts
 * import { PROMETHEUS_CONTENT_TYPE } from "./exposition.ts";
 * new Response("", { headers: { "content-type": PROMETHEUS_CONTENT_TYPE } });
 * ```
 */
export const PROMETHEUS_CONTENT_TYPE =
  "text/plain; version=0.0.4; charset=utf-8";

/** Label names to values. */
export type Labels = Record<string, string>;

/**
 * Escapes a label value: backslash, double quote and newline.
 *
 * @example
 * ```ts
 * import { escapeLabel } from "./exposition.ts";
 * import assert from "node:assert/strict";
 * assert.equal(escapeLabel('a"b'), 'a\\"b');
 * ```
 */
export function escapeLabel(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll(
    "\n",
    "\\n",
  );
}

/**
 * Builds the exposition text, one metric family after another.
 *
 * @example
 * ```ts
 * import { Exposition } from "./exposition.ts";
 * import assert from "node:assert/strict";
 * const text = new Exposition()
 *   .family("x_total", "counter", "Things.")
 *   .sample("x_total", { kind: "a" }, 1)
 *   .text();
 * assert.equal(
 *   text,
 *   "# HELP x_total Things.\n" +
 *     "# TYPE x_total counter\n" +
 *     'x_total{kind="a"} 1\n',
 * );
 * ```
 */
export class Exposition {
  #lines: string[] = [];

  /** Starts a metric family: its `# HELP` and `# TYPE` lines. */
  family(name: string, type: string, help: string): this {
    this.#lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    return this;
  }

  /** One sample line: `name{labels} value`. */
  sample(name: string, labels: Labels, value: number): this {
    const pairs = Object.entries(labels).map(([k, v]) =>
      `${k}="${escapeLabel(v)}"`
    );
    const set = pairs.length ? `{${pairs.join(",")}}` : "";
    this.#lines.push(`${name}${set} ${formatValue(value)}`);
    return this;
  }

  /** The `_bucket` (cumulative), `_sum` and `_count` samples of a histogram. */
  histogram(
    name: string,
    labels: Labels,
    bounds: readonly number[],
    counts: Float64Array,
    sum: number,
  ): this {
    let cumulative = 0;
    for (let i = 0; i < bounds.length; i++) {
      cumulative += counts[i];
      this.sample(
        `${name}_bucket`,
        { ...labels, le: String(bounds[i]) },
        cumulative,
      );
    }
    cumulative += counts[bounds.length];
    this.sample(`${name}_bucket`, { ...labels, le: "+Inf" }, cumulative);
    this.sample(`${name}_sum`, labels, sum);
    this.sample(`${name}_count`, labels, cumulative);
    return this;
  }

  /** The exposition so far, newline-terminated. */
  text(): string {
    return this.#lines.join("\n") + "\n";
  }
}

function formatValue(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  return String(n);
}
