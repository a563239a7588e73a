/**
 * `deno task test` (`scripts/test.ts`) run for real as a subprocess: with a
 * `PATH` that hides the Debian tools and without root it stops before any
 * test with the one install line; under `CI=true` a skip variable or an
 * ignored test fails the run; its last lines name every ignored test and
 * why. And `docs/testing.md`'s table is the list in tests/support/tools.ts.
 */
import assert from "node:assert/strict";
import { childEnv } from "./support/spawn.ts";
import { installLine, TOOL_LIST, TOOLS } from "./support/tools.ts";

const ROOT = new URL("../", import.meta.url);
const NOBODY = 65534;
const dec = new TextDecoder();

interface Run {
  code: number;
  out: string;
  err: string;
}

/**
 * Runs `scripts/test.ts ...args` with exactly `env`; as root, under
 * `setpriv` as nobody, so the runner sees a user who may not install.
 */
async function runner(
  args: string[],
  env: Record<string, string>,
  asNobody = false,
): Promise<Run> {
  const deno = [Deno.execPath(), "run", "-A", "scripts/test.ts", ...args];
  const argv = asNobody && Deno.uid() === 0
    ? [
      "/usr/bin/setpriv",
      `--reuid=${NOBODY}`,
      `--regid=${NOBODY}`,
      "--clear-groups",
      ...deno,
    ]
    : deno;
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd: ROOT,
    clearEnv: true,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    out: dec.decode(out.stdout),
    err: dec.decode(out.stderr),
  };
}

/**
 * A folder nobody may write (for Deno's cache and the marker) holding a test
 * file that leaves a marker when it runs: proof that no test was started.
 */
async function scratch(): Promise<
  { dir: string; testFile: string; marker: string }
> {
  const dir = await Deno.makeTempDir({ prefix: "denosocket-runner-" });
  if (Deno.uid() === 0) await Deno.chown(dir, NOBODY, NOBODY);
  await Deno.chmod(dir, 0o777);
  const marker = `${dir}/a-test-ran`;
  const testFile = `${dir}/marker_test.ts`;
  await Deno.writeTextFile(
    testFile,
    `Deno.test("leaves a marker", () => Deno.writeTextFileSync(${
      JSON.stringify(marker)
    }, "ran"));\n`,
  );
  return { dir, testFile, marker };
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Every tool the tests find on PATH (all but Debian's python3). */
const ON_PATH = TOOL_LIST.filter((t) => !t.path.startsWith("/usr/bin/python"));

Deno.test("deno task test without root, tools hidden from PATH: one install line, exit 1, no test run", async () => {
  const { dir, testFile, marker } = await scratch();
  try {
    // apt-get alone: the tools and sudo are hidden.
    const bin = `${dir}/bin`;
    await Deno.mkdir(bin, { mode: 0o755 });
    await Deno.symlink("/usr/bin/apt-get", `${bin}/apt-get`);
    const env = {
      PATH: bin,
      HOME: dir,
      DENO_DIR: `${dir}/deno`,
      NO_COLOR: "1",
    };
    for (const ci of [false, true]) {
      const r = await runner(
        [testFile],
        ci ? { ...env, CI: "true" } : env,
        true,
      );
      const text = r.out + r.err;
      assert.equal(r.code, 1, text);
      assert.equal(exists(marker), false, "a test ran");
      assert.doesNotMatch(text, /running \d+ test/);
      // Nothing after the check's message: no npm fetch, no deno test.
      assert.match(
        r.err.trimEnd().split("\n").at(-1)!,
        /^\(deno task test installs them itself as root/,
      );
      for (const t of ON_PATH) {
        const row = new RegExp(`^  ${t.name} +Debian package ${t.pkg}: `, "m");
        assert.match(r.err, row, t.name);
      }
      const lines = r.err.split("\n").filter((l) => /apt-get install/.test(l));
      assert.deepEqual(lines, [`  ${installLine(ON_PATH)}`], r.err);
      assert.equal(
        installLine(ON_PATH),
        "sudo apt-get install -y chromium redis-server redis-tools openssl prometheus websocketd gcc zlib1g-dev",
      );
      assert.match(
        r.err,
        ci
          ? /CI=true, but not root and no sudo on PATH/
          : /not root, and CI is not true/,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task test names a DENOSOCKET_CHROMIUM that does not run, and installs nothing for it", async () => {
  const { dir, testFile, marker } = await scratch();
  try {
    const r = await runner([testFile], {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: dir,
      DENO_DIR: `${dir}/deno`,
      NO_COLOR: "1",
      DENOSOCKET_CHROMIUM: "/nonexistent/chromium",
    }, true);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(
      r.err,
      /DENOSOCKET_CHROMIUM=\/nonexistent\/chromium does not run .*: point it at a working chromium, or unset it/,
    );
    assert.doesNotMatch(r.err, /apt-get/);
    assert.equal(exists(marker), false, "a test ran");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task test under CI=true fails before any test when a skip variable is set", async () => {
  const { dir, testFile, marker } = await scratch();
  try {
    const r = await runner(
      [testFile],
      childEnv({ CI: "true", [TOOLS.chromium.skipEnv]: "1" }),
    );
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(
      r.err,
      /CI=true, but DENOSOCKET_SKIP_BROWSER=1 would ignore tests/,
    );
    assert.equal(exists(marker), false, "a test ran");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task test names every ignored test and why in its last lines; CI=true fails on them", async () => {
  const dir = await Deno.makeTempDir({ prefix: "denosocket-runner-" });
  try {
    const file = `${dir}/ignored_test.ts`;
    await Deno.writeTextFile(
      file,
      [
        `Deno.test("runs", () => {});`,
        `Deno.test({ name: "needs a thing (ignored: THING=1)", ignore: true, fn() {} });`,
        `Deno.test({ name: "switched off", ignore: true, fn() {} });`,
        "",
      ].join("\n"),
    );
    const local = await runner([file], childEnv());
    assert.equal(local.code, 0, local.out + local.err);
    const tail = local.err.trimEnd().split("\n").slice(-6);
    assert.deepEqual(tail, [
      "deno task test: 3 tests and steps: 0 failed, 2 ignored",
      "deno task test: 2 ignored, never run:",
      "deno task test:   because THING=1 (1):",
      "deno task test:     needs a thing (ignored: THING=1)",
      "deno task test:   because no reason in its name: look for its `ignore` option (1):",
      "deno task test:     switched off",
    ]);
    const ci = await runner([file], childEnv({ CI: "true" }));
    assert.equal(ci.code, 1, ci.out + ci.err);
    assert.match(
      ci.err.trimEnd().split("\n").at(-1)!,
      /CI=true: an ignored test fails the run/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task test with nothing ignored says so and exits 0, also under CI=true", async () => {
  const dir = await Deno.makeTempDir({ prefix: "denosocket-runner-" });
  try {
    const file = `${dir}/plain_test.ts`;
    await Deno.writeTextFile(file, `Deno.test("runs", () => {});\n`);
    const r = await runner([file], childEnv({ CI: "true" }));
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.err, /deno task test: no test was ignored\n$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("docs/testing.md lists exactly the programs and packages of tests/support/tools.ts", async () => {
  const doc = await Deno.readTextFile(new URL("docs/testing.md", ROOT));
  const section = doc.split("## What the tests need")[1]?.split("\n## ")[0];
  assert.ok(section, "docs/testing.md lost its 'What the tests need' section");
  const rows = section.split("\n")
    .filter((l) => /^\| `/.test(l))
    .map((l) =>
      l.split("|").slice(1, 3).map((c) => c.trim().replaceAll("`", ""))
    );
  assert.deepEqual(rows, TOOL_LIST.map((t) => [t.name, t.pkg]));
  assert.ok(
    section.includes(installLine(TOOL_LIST, false)),
    `the section shows: ${installLine(TOOL_LIST, false)}`,
  );
});
