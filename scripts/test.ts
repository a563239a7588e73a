/**
 * `deno task test`, the README's test command: sets up what the tests need
 * (`scripts/test_setup.ts`), runs `deno test -A` with any arguments given
 * (`deno task test tests/tls_test.ts`), then says in its last lines which
 * tests were ignored and why. With `CI=true` an ignored test fails the run,
 * and so does a skip variable such as `DENOSOCKET_SKIP_BROWSER=1` (before
 * any test): CI runs every test or fails.
 *
 * @module
 */
import { ignoredBecause, TOOL_LIST } from "../tests/support/tools.ts";
import { ensureTools, fetchNpmPackages, say } from "./test_setup.ts";

/** What a JUnit report says about a run. */
export interface RunSummary {
  tests: number;
  failures: number;
  /** Names of the ignored tests and steps (`parent > step`). */
  ignored: string[];
}

function unescapeXml(s: string): string {
  return s.replaceAll("&lt;", "<").replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"').replaceAll("&apos;", "'")
    .replaceAll("&amp;", "&");
}

/**
 * Reads the JUnit XML that `deno test --junit-path` writes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const xml = `<testsuites name="deno test" tests="2" failures="0" errors="0">
 *   <testcase name="a &amp; b" classname="./x_test.ts"><skipped/></testcase>
 *   <testcase name="c" classname="./x_test.ts"></testcase></testsuites>`;
 * assert.deepEqual(readJunit(xml), { tests: 2, failures: 0, ignored: ["a & b"] });
 * ```
 */
export function readJunit(xml: string): RunSummary {
  const head = /<testsuites\b[^>]*>/.exec(xml)?.[0] ?? "";
  const attr = (name: string) =>
    Number(new RegExp(`\\b${name}="(\\d+)"`).exec(head)?.[1] ?? 0);
  const ignored = [
    ...xml.matchAll(/<testcase name="([^"]*)"[^>]*>\s*<skipped\s*\/>/g),
  ].map((m) => unescapeXml(m[1]));
  return {
    tests: attr("tests"),
    failures: attr("failures") + attr("errors"),
    ignored,
  };
}

/**
 * The ignored tests grouped by the reason in their names (`(ignored: …)`,
 * see `ignoredBecause()` in tests/support/tools.ts).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const groups = byReason(["a (ignored: X=1)", "b"]);
 * assert.deepEqual([...groups], [["X=1", ["a (ignored: X=1)"]], [
 *   "no reason in its name: look for its `ignore` option",
 *   ["b"],
 * ]]);
 * ```
 */
export function byReason(names: readonly string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const name of names) {
    const reason = /\(ignored: ([^)]+)\)/.exec(name)?.[1] ??
      "no reason in its name: look for its `ignore` option";
    groups.set(reason, [...groups.get(reason) ?? [], name]);
  }
  return groups;
}

/** The last lines of a run: counts, and every ignored test with its reason. */
export function report(summary: RunSummary, ci: boolean): string[] {
  const { tests, failures, ignored } = summary;
  const lines = [
    `${tests} tests and steps: ${failures} failed, ${ignored.length} ignored`,
  ];
  if (ignored.length === 0) return [...lines, "no test was ignored"];
  lines.push(`${ignored.length} ignored, never run:`);
  for (const [reason, names] of byReason(ignored)) {
    lines.push(`  because ${reason} (${names.length}):`);
    for (const name of names) lines.push(`    ${name}`);
  }
  if (ci) lines.push("CI=true: an ignored test fails the run");
  return lines;
}

/** Runs `deno test -A` with a JUnit report beside its normal output. */
async function runTests(args: string[]): Promise<[number, RunSummary | null]> {
  const junit = await Deno.makeTempFile({
    prefix: "denosocket-tests-",
    suffix: ".xml",
  });
  // Ctrl+C reaches deno test as well; wait for it to stop, then report.
  const ignore = () => {};
  Deno.addSignalListener("SIGINT", ignore);
  try {
    const { code } = await new Deno.Command(Deno.execPath(), {
      args: ["test", "-A", `--junit-path=${junit}`, ...args],
      cwd: new URL("../", import.meta.url),
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    const xml = await Deno.readTextFile(junit).catch(() => "");
    return [code, xml ? readJunit(xml) : null];
  } finally {
    Deno.removeSignalListener("SIGINT", ignore);
    await Deno.remove(junit).catch(() => {});
  }
}

/** The whole command; resolves to its exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const ci = Deno.env.get("CI") === "true";
  // `deno task test -- --filter x` passes the `--` on.
  const args = argv[0] === "--" ? argv.slice(1) : [...argv];
  const skipping = TOOL_LIST.filter((t) => ignoredBecause(t));
  if (ci && skipping.length) {
    say(
      `CI=true, but ${
        skipping.map(ignoredBecause).join(" and ")
      } would ignore tests: CI runs every test. Unset it; no test was run.`,
    );
    return 1;
  }
  const needed = TOOL_LIST.filter((t) => !ignoredBecause(t));
  if (!await ensureTools(needed)) return 1;
  if (!await fetchNpmPackages(ci)) return 1;
  const [code, summary] = await runTests(args);
  if (!summary) {
    say(`deno test exited ${code} and wrote no JUnit report`);
    return code || 1;
  }
  for (const line of report(summary, ci)) say(line);
  if (code !== 0) return code;
  return ci && summary.ignored.length ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
