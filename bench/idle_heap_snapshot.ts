/**
 * Reads V8 heap snapshots (`.heapsnapshot` JSON) into per-kind totals and
 * prints the difference of two as bytes and objects per connection. Used by
 * `bench/idle_heap.ts`.
 *
 * @module
 */

/** Objects and self bytes of one kind (type + constructor/function name). */
export interface KindTotal {
  count: number;
  bytes: number;
}

interface Snapshot {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: [string[]];
      edge_fields: string[];
      edge_types: [string[]];
    };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

// Strings and numbers are grouped by type only: their "name" is the value.
const BY_TYPE_ONLY = new Set([
  "string",
  "concatenated string",
  "sliced string",
  "number",
  "heap number",
  "code",
]);

function kindOf(s: Snapshot, i: number): string {
  const fields = s.snapshot.meta.node_fields;
  const type =
    s.snapshot.meta.node_types[0][s.nodes[i + fields.indexOf("type")]];
  return BY_TYPE_ONLY.has(type)
    ? `(${type})`
    : `${type}: ${s.strings[s.nodes[i + fields.indexOf("name")]].slice(0, 60)}`;
}

/** Totals by kind for one snapshot file. */
export function summarize(path: string): Map<string, KindTotal> {
  const s: Snapshot = JSON.parse(Deno.readTextFileSync(path));
  const fields = s.snapshot.meta.node_fields;
  const width = fields.length;
  const S = fields.indexOf("self_size");
  const out = new Map<string, KindTotal>();
  for (let i = 0; i < s.nodes.length; i += width) {
    const key = kindOf(s, i);
    const t = out.get(key) ?? { count: 0, bytes: 0 };
    t.count++;
    t.bytes += s.nodes[i + S];
    out.set(key, t);
  }
  return out;
}

/** The kinds that grew most from `a` to `b`, per connection of `dn`. */
export function topRows(
  a: Map<string, KindTotal>,
  b: Map<string, KindTotal>,
  dn: number,
  top: number,
): string {
  const rows: { key: string; count: number; bytes: number }[] = [];
  let total = 0;
  for (const [key, tb] of b) {
    const ta = a.get(key) ?? { count: 0, bytes: 0 };
    const row = {
      key,
      count: (tb.count - ta.count) / dn,
      bytes: (tb.bytes - ta.bytes) / dn,
    };
    total += row.bytes;
    rows.push(row);
  }
  rows.sort((x, y) => y.bytes - x.bytes);
  const lines = rows.slice(0, top).filter((r) => Math.abs(r.bytes) >= 1).map(
    (r) =>
      `${r.bytes.toFixed(0).padStart(7)} B ${
        r.count.toFixed(2).padStart(7)
      } obj  ${r.key}`,
  );
  return [
    `heap snapshot difference per connection: ${total.toFixed(0)} B`,
    ...lines,
  ].join("\n");
}

/**
 * Who holds the objects of kinds matching `pattern`: per connection of
 * `n`, the parent kind and edge name of every reference to them.
 */
export function retainers(path: string, pattern: RegExp, n: number): string {
  const s: Snapshot = JSON.parse(Deno.readTextFileSync(path));
  const nf = s.snapshot.meta.node_fields, ef = s.snapshot.meta.edge_fields;
  const edgeTypes = s.snapshot.meta.edge_types[0];
  const width = nf.length, ew = ef.length;
  const EC = nf.indexOf("edge_count");
  const ET = ef.indexOf("type"), EN = ef.indexOf("name_or_index");
  const TO = ef.indexOf("to_node");
  const kinds: string[] = [];
  for (let i = 0; i < s.nodes.length; i += width) kinds.push(kindOf(s, i));
  const groups = new Map<string, Map<string, number>>();
  let e = 0;
  for (let i = 0; i < s.nodes.length; i += width) {
    const parent = kinds[i / width];
    for (let k = 0; k < s.nodes[i + EC]; k++, e += ew) {
      const child = kinds[s.edges[e + TO] / width];
      if (!pattern.test(child)) continue;
      const type = edgeTypes[s.edges[e + ET]];
      const name = type === "element" || type === "hidden"
        ? `[${type}]`
        : String(s.strings[s.edges[e + EN]]);
      const key = `${parent} .${name}`;
      const g = groups.get(child) ?? new Map<string, number>();
      g.set(key, (g.get(key) ?? 0) + 1);
      groups.set(child, g);
    }
  }
  const lines: string[] = [];
  for (const [child, g] of groups) {
    const rows = [...g].filter(([, c]) => c >= n / 2).sort((a, b) =>
      b[1] - a[1]
    );
    if (rows.length === 0) continue;
    lines.push(child);
    for (const [key, c] of rows.slice(0, 12)) {
      lines.push(`  ${(c / n).toFixed(2).padStart(6)} ×  ${key}`);
    }
  }
  return lines.join("\n");
}
