/**
 * The documentation stays true to the code: `docs/flags.md` documents exactly
 * the flags `main.ts --help` prints (and every environment variable the code
 * reads), every relative link and `#anchor` in the Markdown resolves, the
 * README links every page of `docs/`, and the README stays short.
 *
 * @module
 */
import assert from "node:assert/strict";
import { runCli } from "./support/server.ts";

/** The repository root: the folder above this test's folder. */
const ROOT = import.meta.dirname!.replace(/[\\/][^\\/]+$/, "");
const FLAGS_DOC = "docs/flags.md";
const README_MAX_LINES = 250;

/** Folders that hold no documentation or source of ours. */
const SKIP_DIRS = new Set([
  ".git",
  "node_modules",
  "shots",
  "bench/results",
  "bench/.peers",
  "bench/.bench-build",
]);

function readText(rel: string): string {
  return Deno.readTextFileSync(`${ROOT}/${rel}`);
}

function exists(rel: string): boolean {
  try {
    Deno.statSync(`${ROOT}/${rel}`);
    return true;
  } catch {
    return false;
  }
}

/** Files below `dir` (relative to the root) whose names end with `ext`. */
function filesUnder(dir: string, ext: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of Deno.readDirSync(`${ROOT}/${rel}`)) {
      const child = rel === "." ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory && !SKIP_DIRS.has(child)) walk(child);
      else if (entry.isFile && entry.name.endsWith(ext)) out.push(child);
    }
  };
  walk(dir);
  return out.sort();
}

/** The Markdown files whose links are checked. */
function markdownFiles(): string[] {
  return ["README.md", "bench/README.md", ...filesUnder("docs", ".md")];
}

/** Markdown without fenced code blocks (their lines become empty). */
function withoutFences(text: string): string[] {
  let fence: string | null = null;
  return text.split("\n").map((line) => {
    const m = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence === null && m) {
      fence = m[1];
      return "";
    }
    if (fence !== null) {
      if (line.trim().startsWith(fence)) fence = null;
      return "";
    }
    return line;
  });
}

/** A line with its code spans removed. */
function withoutCode(line: string): string {
  return line.replace(/(`+)[\s\S]*?\1/g, "");
}

/** Every `[text](target)` and `[label]: target` target outside code. */
function linkTargets(text: string): string[] {
  const targets: string[] = [];
  for (const raw of withoutFences(text)) {
    const line = withoutCode(raw);
    for (
      const m of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)
    ) {
      targets.push(m[1]);
    }
    const ref = /^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/.exec(line);
    if (ref) targets.push(ref[1]);
  }
  return targets;
}

/**
 * GitHub's anchor for a heading: the text as rendered (code kept, markup
 * dropped), lower-cased, punctuation removed, each space a hyphen; repeats
 * get `-1`, `-2`, ….
 */
function headingSlugs(text: string): Set<string> {
  const slugs = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutFences(text)) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const rendered = m[1]
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
      .replace(/[`*]/g, "");
    const base = rendered.toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, "")
      .replace(/ /g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    slugs.add(n === 0 ? base : `${base}-${n}`);
  }
  return slugs;
}

/** `path/to/../file` → `path/file`, relative to the root. */
function normalize(path: string): string {
  const parts: string[] = [];
  for (const p of path.split("/")) {
    if (p === "" || p === ".") continue;
    if (p === "..") parts.pop();
    else parts.push(p);
  }
  return parts.join("/");
}

/** One problem per unresolvable link, as `file: target (why)`. */
function brokenLinks(): string[] {
  const problems: string[] = [];
  const slugCache = new Map<string, Set<string>>();
  const slugsOf = (rel: string) => {
    let s = slugCache.get(rel);
    if (!s) slugCache.set(rel, s = headingSlugs(readText(rel)));
    return s;
  };
  for (const file of markdownFiles()) {
    const dir = file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : "";
    for (const target of linkTargets(readText(file))) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, mailto: …
      const hash = target.indexOf("#");
      const pathPart = hash < 0 ? target : target.slice(0, hash);
      const fragment = hash < 0
        ? ""
        : decodeURIComponent(target.slice(hash + 1));
      const rel = pathPart === ""
        ? file
        : normalize(`${dir}/${decodeURIComponent(pathPart)}`);
      if (!exists(rel)) {
        problems.push(`${file}: ${target} (no such file: ${rel})`);
        continue;
      }
      if (fragment && rel.endsWith(".md") && !slugsOf(rel).has(fragment)) {
        problems.push(`${file}: ${target} (no heading #${fragment} in ${rel})`);
      }
    }
  }
  return problems;
}

/** What `main.ts --help` prints. */
async function helpText(): Promise<string> {
  const r = await runCli(["--help"]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

/** The options of the usage text: long flag → its short form, or "". */
function helpFlags(help: string): Map<string, string> {
  const flags = new Map<string, string>();
  for (const line of help.split("\n")) {
    const m = /^\s+(?:(-[A-Za-z]), )?(--[a-z][a-z0-9-]*)/.exec(line);
    if (m) flags.set(m[2], m[1] ?? "");
  }
  assert.ok(flags.size >= 20, `too few flags parsed from --help:\n${help}`);
  return flags;
}

/** The sections of docs/flags.md: `### \`--flag\`` heading → section text. */
function docFlagSections(): Map<string, string> {
  const sections = new Map<string, string>();
  let current: string | null = null;
  for (const line of withoutFences(readText(FLAGS_DOC))) {
    const heading = /^#{1,6}\s/.test(line);
    const m = /^### `(--[a-z][a-z0-9-]*)`\s*$/.exec(line);
    if (m) {
      assert.ok(
        !sections.has(m[1]),
        `${m[1]} has two sections in ${FLAGS_DOC}`,
      );
      current = m[1];
      sections.set(current, "");
    } else if (heading) current = null;
    else if (current) {
      sections.set(current, sections.get(current) + line + "\n");
    }
  }
  return sections;
}

Deno.test("every flag in --help has its own ### section in docs/flags.md", async () => {
  const documented = docFlagSections();
  const missing = [...helpFlags(await helpText()).keys()].filter((f) =>
    !documented.has(f)
  );
  assert.deepEqual(missing, [], `add a ### \`--flag\` section to ${FLAGS_DOC}`);
});

Deno.test("every flag documented in docs/flags.md exists in --help", async () => {
  const real = helpFlags(await helpText());
  const invented = [...docFlagSections().keys()].filter((f) => !real.has(f));
  assert.deepEqual(invented, [], `${FLAGS_DOC} documents flags main.ts lacks`);
});

Deno.test("docs/flags.md gives each flag's short form from --help in its section", async () => {
  const sections = docFlagSections();
  const wrong: string[] = [];
  for (const [long, short] of helpFlags(await helpText())) {
    if (short && !sections.get(long)?.includes(`\`${short}, ${long}`)) {
      wrong.push(`${short}, ${long}`);
    }
  }
  assert.deepEqual(wrong, []);
});

Deno.test("every DENOSOCKET_* variable and PORT the code reads is in docs/flags.md", () => {
  const doc = readText(FLAGS_DOC);
  const names = new Set<string>();
  for (const ext of [".ts", ".mjs"]) {
    for (const file of filesUnder(".", ext)) {
      for (
        const m of readText(file).matchAll(
          /["'](DENOSOCKET_[A-Z0-9_]+|PORT)["']/g,
        )
      ) {
        names.add(m[1]);
      }
    }
  }
  assert.ok(
    names.has("PORT") && names.has("DENOSOCKET_BUS"),
    [...names].join(),
  );
  const missing = [...names].filter((n) => !doc.includes(`\`${n}\``)).sort();
  assert.deepEqual(missing, [], `document these in ${FLAGS_DOC}`);
});

Deno.test("every relative link and #anchor in README.md, bench/README.md and docs/ resolves", () => {
  assert.deepEqual(brokenLinks(), []);
});

Deno.test("README.md links every page in docs/", () => {
  const linked = new Set(
    linkTargets(readText("README.md"))
      .map((t) => normalize(decodeURIComponent(t.split("#")[0]))),
  );
  const pages = filesUnder("docs", ".md");
  const unlinked = pages.filter((p) => !linked.has(p));
  assert.deepEqual(unlinked, []);
});

Deno.test("README.md stays within 250 lines", () => {
  const lines = readText("README.md").replace(/\n$/, "").split("\n").length;
  assert.ok(
    lines <= README_MAX_LINES,
    `README.md has ${lines} lines; move detail into docs/`,
  );
});
