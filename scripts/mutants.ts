/**
 * `deno task mutants`: one-line changes to the code (scripts/mutations.ts),
 * each of which breaks a behaviour some test names. For each, the script
 * applies the change to a scratch copy of the project, runs the tests that
 * should notice, and reports the mutants that survive (every test passed).
 * Not part of `deno task test` or CI: a full run takes several minutes.
 *
 * The working tree is never touched: the copy lives in a temporary folder
 * (files as `git ls-files` lists them, uncommitted changes included), each
 * mutant starts from the original file, and the copy is removed at the end,
 * on Ctrl+C too.
 *
 * First, for each distinct set of tests, a baseline run on the unmutated
 * copy: a test that already fails would "kill" every mutant.
 *
 * @example
 * ```sh
 * deno task mutants                  # all of them
 * deno task mutants static deflate   # those whose name contains a word
 * deno task mutants --list
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { dirname, join } from "node:path";
import { type Mutation, MUTATIONS } from "./mutations.ts";

const { values, positionals } = parseArgs({
  args: Deno.args.filter((a) => a !== "--"), // `deno task mutants -- x`
  allowPositionals: true,
  options: {
    list: { type: "boolean", default: false },
    "no-baseline": { type: "boolean", default: false },
    timeout: { type: "string", default: "300" },
  },
});
const TIMEOUT_MS = Number(values.timeout) * 1000;
const ROOT = new URL("../", import.meta.url).pathname;

const chosen = MUTATIONS.filter((m) =>
  positionals.length === 0 || positionals.some((w) => m.name.includes(w))
);
if (values.list) {
  for (const m of chosen) console.log(`${m.name}\n    ${m.file}: ${m.why}`);
  Deno.exit(0);
}
if (chosen.length === 0) {
  console.error(`no mutation matches ${positionals.join(" ")} (see --list)`);
  Deno.exit(2);
}

/** Copies the project's files (tracked and untracked, not ignored). */
async function scratchCopy(): Promise<string> {
  const out = await new Deno.Command("git", {
    args: ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    cwd: ROOT,
    stdout: "piped",
  }).output();
  if (!out.success) throw new Error("git ls-files failed");
  const dir = await Deno.makeTempDir({ prefix: "denosocket-mutants-" });
  const files = new TextDecoder().decode(out.stdout).split("\0");
  for (const f of files.filter((f) => f !== "")) {
    try {
      await Deno.mkdir(join(dir, dirname(f)), { recursive: true });
      await Deno.copyFile(join(ROOT, f), join(dir, f));
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err; // deleted, unstaged
    }
  }
  return dir;
}

/** Runs `deno test` on the mutant's tests in `dir`: true if all passed. */
async function testsPass(
  dir: string,
  m: Pick<Mutation, "tests" | "filter">,
): Promise<{ pass: boolean; output: string }> {
  const args = ["test", "-A", "--no-check", "--fail-fast"];
  if (m.filter) args.push("--filter", m.filter);
  const child = new Deno.Command(Deno.execPath(), {
    args: [...args, ...m.tests],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), TIMEOUT_MS);
  const out = await child.output();
  clearTimeout(timer);
  const dec = new TextDecoder();
  const output = dec.decode(out.stdout) + dec.decode(out.stderr);
  return { pass: out.success, output };
}

/** The first failing test's name, from `deno test` output. */
function firstFailure(output: string): string {
  const m = /^(.+?) \.\.\. FAILED/m.exec(output);
  return m
    ? m[1].trim()
    : output.includes("timed out")
    ? "(timed out)"
    : "(no test named: run failed)";
}

let dir = "";
const cleanup = () => {
  if (dir) Deno.removeSync(dir, { recursive: true });
  dir = "";
};
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(sig, () => {
    cleanup();
    Deno.exit(130);
  });
}

try {
  dir = await scratchCopy();
  console.log(`scratch copy: ${dir}`);
  if (!values["no-baseline"]) {
    const seen = new Set<string>();
    for (const m of chosen) {
      const key = JSON.stringify([m.tests, m.filter ?? ""]);
      if (seen.has(key)) continue;
      seen.add(key);
      const base = await testsPass(dir, m);
      if (!base.pass) {
        console.error(
          `baseline fails for ${m.tests.join(" ")}${
            m.filter ? ` --filter "${m.filter}"` : ""
          }: ${firstFailure(base.output)}\n${base.output.slice(-3000)}`,
        );
        Deno.exit(1);
      }
    }
    console.log(`baseline: ${seen.size} test sets pass unmutated`);
  }
  const survivors: Mutation[] = [];
  const stale: Mutation[] = [];
  for (const m of chosen) {
    const path = join(dir, m.file);
    const original = await Deno.readTextFile(join(ROOT, m.file));
    const at = original.indexOf(m.search);
    if (at < 0 || original.indexOf(m.search, at + 1) >= 0) {
      stale.push(m);
      console.log(`STALE    ${m.name}: search text not found exactly once`);
      continue;
    }
    await Deno.writeTextFile(path, original.replace(m.search, m.replace));
    const t0 = performance.now();
    let result;
    try {
      result = await testsPass(dir, m);
    } finally {
      await Deno.writeTextFile(path, original);
    }
    const s = ((performance.now() - t0) / 1000).toFixed(0);
    if (result.pass) {
      survivors.push(m);
      console.log(`SURVIVED ${m.name} (${s} s)`);
    } else {
      console.log(
        `killed   ${m.name} (${s} s) by: ${firstFailure(result.output)}`,
      );
    }
  }
  const expected = survivors.filter((m) => m.survives);
  const unexpected = survivors.filter((m) => !m.survives);
  console.log(
    `\n${chosen.length - survivors.length - stale.length} killed, ` +
      `${survivors.length} survived (${expected.length} expected), ` +
      `${stale.length} stale`,
  );
  for (const m of expected) console.log(`  expected: ${m.name}: ${m.survives}`);
  for (const m of [...unexpected, ...stale]) {
    console.log(`  FIX: ${m.name} (${m.file}): ${m.why}`);
  }
  if (unexpected.length || stale.length) Deno.exitCode = 1;
} finally {
  cleanup();
}
