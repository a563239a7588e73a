/**
 * Keeps `lib/` to the rules in `docs/architecture.md`: the test reads the
 * rule table from that page (the only copy) and the imports from the source.
 */
import assert from "node:assert/strict";
import { dirname, join, normalize, relative } from "node:path";

const ROOT = join(import.meta.dirname!, "..");
const LIB = join(ROOT, "lib");
const MAX_LINES = 250;

/** A folder's name as the table writes it: `lib/core/`, `top`, `lib/mod.ts`. */
function folderOf(file: string): string {
  const rel = relative(LIB, file).split("/");
  if (rel.length === 1) return rel[0] === "mod.ts" ? "lib/mod.ts" : "top";
  if (rel[0] === "engines") return `lib/engines/${rel[1]}/`;
  return `lib/${rel[0]}/`;
}

/** The rule table: folder → what it may import, in layering order. */
export function readRules(markdown: string): Map<string, Set<string>> {
  const section = markdown.split("## The folders and their rules")[1]
    ?.split("\n## ")[0];
  assert.ok(section, "docs/architecture.md lost its rules section");
  const rules = new Map<string, Set<string>>();
  for (const line of section.split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    if (cells.length < 4 || cells[1] === "folder" || cells[1].startsWith("-")) {
      continue;
    }
    const name = cells[1].replaceAll("`", "");
    const allowed = [...cells[3].matchAll(/`([^`]+)`|\btop\b/g)]
      .map((m) => m[1] ?? "top");
    rules.set(name, new Set(allowed));
  }
  return rules;
}

/** Relative imports of a source file, comments removed (doc examples too). */
export function importsOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(
    /^\s*\/\/.*$/gm,
    "",
  );
  const found: string[] = [];
  // Statements only: a specifier inside a string (generated source) is not
  // an import.
  const statement =
    /^(?:import|export)\b(?:[^'";]*?\bfrom\s*|\s*)["']([^"']+)["']/gm;
  for (const m of code.matchAll(statement)) found.push(m[1]);
  for (const m of code.matchAll(/\bimport\(\s*["']([^"']+)["']/g)) {
    found.push(m[1]);
  }
  return found;
}

async function libFiles(dir = LIB): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) out.push(...await libFiles(p));
    else if (/\.(ts|js|mjs)$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

interface Edge {
  file: string;
  from: string;
  /** A folder as the table names it, a path from the root, or a package. */
  to: string;
  /** `node:`, `npm:` or an import-map name rather than a relative path. */
  bare?: boolean;
}

/** Every import edge of `lib/` that leaves its own folder. */
async function crossEdges(): Promise<Edge[]> {
  const edges: Edge[] = [];
  for (const file of await libFiles()) {
    for (const spec of importsOf(await Deno.readTextFile(file))) {
      if (!spec.startsWith(".")) {
        edges.push({ file, from: folderOf(file), to: spec, bare: true });
        continue;
      }
      const target = normalize(join(dirname(file), spec));
      const to = target.startsWith(LIB + "/")
        ? folderOf(target)
        : relative(ROOT, target);
      if (to !== folderOf(file)) {
        edges.push({ file, from: folderOf(file), to });
      }
    }
  }
  return edges;
}

/** Breaks of the table's rules, one readable line each. */
export function ruleBreaks(
  edges: Edge[],
  rules: Map<string, Set<string>>,
): string[] {
  const order = [...rules.keys()];
  const breaks: string[] = [];
  for (const e of edges) {
    const where = relative(ROOT, e.file);
    if (e.bare) {
      if (e.from === "lib/protocol/" && !e.to.startsWith("node:")) {
        breaks.push(`${where}: lib/protocol/ imports ${e.to}`);
      }
      continue;
    }
    if (e.to === "deno.json" && e.from === "top") continue;
    const allowed = rules.get(e.from);
    if (!allowed) {
      breaks.push(`${where}: folder ${e.from} has no row in the table`);
    } else if (!allowed.has(e.to)) {
      breaks.push(`${where}: ${e.from} may not import ${e.to}`);
    } else if (order.indexOf(e.to) > order.indexOf(e.from)) {
      breaks.push(`${where}: ${e.from} imports ${e.to}, which is above it`);
    }
  }
  return breaks;
}

/** Folder cycles, as `a → b → a` strings. */
export function folderCycles(edges: Edge[]): string[] {
  const graph = new Map<string, Set<string>>();
  for (const e of edges) {
    if (!graph.has(e.from)) graph.set(e.from, new Set());
    graph.get(e.from)!.add(e.to);
  }
  const cycles: string[] = [];
  const walk = (node: string, path: string[]) => {
    for (const next of graph.get(node) ?? []) {
      const at = path.indexOf(next);
      if (at >= 0) cycles.push([...path.slice(at), next].join(" → "));
      else walk(next, [...path, next]);
    }
  };
  for (const start of graph.keys()) walk(start, [start]);
  return [...new Set(cycles)];
}

const rules = readRules(
  await Deno.readTextFile(join(ROOT, "docs/architecture.md")),
);

Deno.test("docs/architecture.md names a rule for every folder of lib/", async () => {
  const folders = new Set((await libFiles()).map(folderOf));
  assert.deepEqual([...folders].filter((f) => !rules.has(f)), []);
  assert.ok(rules.get("lib/protocol/")!.size === 0, "protocol imports nothing");
});

Deno.test("lib/ imports only what docs/architecture.md allows", async () => {
  assert.deepEqual(ruleBreaks(await crossEdges(), rules), []);
});

Deno.test("no lib/ file imports handlers/, main.ts, serve.ts or tests", async () => {
  const up = (await crossEdges()).filter((e) =>
    /^(handlers\/|main\.ts|serve\.ts|app\.ts|tests\/|bench\/|scripts\/)/
      .test(e.to)
  ).map((e) => `${relative(ROOT, e.file)} → ${e.to}`);
  assert.deepEqual(up, []);
});

Deno.test("the folders of lib/ form no cycle", async () => {
  assert.deepEqual(folderCycles(await crossEdges()), []);
});

Deno.test("lib/protocol/ uses no Deno API", async () => {
  const users: string[] = [];
  for (const file of await libFiles(join(LIB, "protocol"))) {
    const code = (await Deno.readTextFile(file))
      .replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
    if (/\bDeno\s*[.[]/.test(code)) users.push(relative(ROOT, file));
  }
  assert.deepEqual(users, []);
});

Deno.test(`no lib/ file is longer than ${MAX_LINES} lines`, async () => {
  const long: string[] = [];
  for (const file of await libFiles()) {
    const lines = (await Deno.readTextFile(file)).split("\n").length - 1;
    if (lines > MAX_LINES) long.push(`${relative(ROOT, file)}: ${lines}`);
  }
  assert.deepEqual(long, []);
});

Deno.test("the rule checks catch a broken rule", () => {
  const file = join(LIB, "protocol/x.ts");
  const edge = (from: string, to: string) => ({
    file,
    from,
    to,
    bare: !to.startsWith("lib/"),
  });
  assert.equal(
    ruleBreaks([edge("lib/protocol/", "lib/core/")], rules).length,
    1,
  );
  assert.equal(ruleBreaks([edge("lib/core/", "lib/http/")], rules).length, 1);
  assert.equal(
    ruleBreaks([edge("lib/protocol/", "npm:ioredis")], rules).length,
    1,
  );
  assert.deepEqual(
    folderCycles([edge("lib/a/", "lib/b/"), edge("lib/b/", "lib/a/")]),
    ["lib/a/ → lib/b/ → lib/a/", "lib/b/ → lib/a/ → lib/b/"],
  );
  assert.deepEqual(importsOf('/** import { x } from "./y.ts"; */'), []);
  assert.deepEqual(importsOf('const m = await import("./z.ts");'), ["./z.ts"]);
});
