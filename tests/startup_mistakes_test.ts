/**
 * The start-up mistakes a newcomer makes, each answered with one `error:`
 * line that names the flag or value and what to do — no stack trace — and
 * a non-zero exit, on both engines; and the banner, which names the address
 * bound and the URL to open.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli, spawnServer } from "./support/server.ts";
import { eachEngine } from "./support/engines.ts";
import { listenBanner } from "../lib/cli/banner.ts";

/** Exactly one line on stderr, starting `error: `, and no trace. */
function assertOneErrorLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line expected, got:\n${stderr}`);
  assert.match(lines[0], /^error: /);
  assert.doesNotMatch(stderr, /Uncaught|^\s+at /m);
  assert.match(lines[0], pattern);
}

eachEngine.test("a port in use is one line naming the port and --port, exit 1", async (engine) => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (taken.addr as Deno.NetAddr).port;
  try {
    const r = await runCli([
      "--engine",
      engine,
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
    ]);
    assert.equal(r.code, 1);
    assertOneErrorLine(
      r.stderr,
      new RegExp(
        `port ${port} is already in use on 127\\.0\\.0\\.1: .*--port 0`,
      ),
    );
  } finally {
    taken.close();
  }
});

eachEngine.test("--host that is no address here is one line naming --host, exit 1", async (engine) => {
  for (
    const [host, why] of [
      ["999.1.1.1", /no such address or host name/],
      ["10.255.255.1", /not an address of this machine/],
    ] as const
  ) {
    const r = await runCli(["--engine", engine, "--host", host, "--port", "0"]);
    assert.equal(r.code, 1, host);
    assertOneErrorLine(
      r.stderr,
      new RegExp(`--host ${host.replaceAll(".", "\\.")}: ${why.source}`),
    );
  }
});

Deno.test("--handlers and --static that are not folders are one line each, exit 1", async () => {
  const file = await Deno.makeTempFile();
  const gone = join(await Deno.makeTempDir(), "nope");
  try {
    for (
      const [args, pattern] of [
        [["--handlers", gone], `--handlers ${gone}: no such folder`],
        [["--handlers", file], `--handlers ${file}: not a folder`],
        [["--static", gone], `--static ${gone}: no such folder; --no-static`],
        [["--static", file], `--static ${file}: not a folder; --no-static`],
      ] as const
    ) {
      const r = await runCli([...args, "--port", "0", "--host", "127.0.0.1"]);
      assert.equal(r.code, 1, args.join(" "));
      assertOneErrorLine(r.stderr, new RegExp(pattern.replaceAll("/", "\\/")));
    }
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("an unknown flag is one line with the flag it was meant to be, exit 2", async () => {
  for (
    const [flag, meant] of [
      ["--prot", "--port"],
      ["--handler", "--handlers"],
      ["--log-levl", "--log-level"],
      ["--max-conections", "--max-connections"],
    ]
  ) {
    const r = await runCli([flag, "1"]);
    assert.equal(r.code, 2, flag);
    assertOneErrorLine(
      r.stderr,
      new RegExp(
        `unknown option ${flag}: did you mean ${meant}\\? \\(--help lists every option\\)$`,
      ),
    );
  }
  const far = await runCli(["--zzzz"]);
  assertOneErrorLine(far.stderr, /^error: unknown option --zzzz \(--help/);
});

Deno.test("a defineHandler() typo in a --handlers file is one line: file:line, the meant member, what a handler has", async () => {
  const dir = await Deno.makeTempDir();
  const mod = new URL("../lib/mod.ts", import.meta.url).href;
  await Deno.writeTextFile(
    join(dir, "bye.ts"),
    `import { defineHandler } from "${mod}";\n` +
      `export default defineHandler({\n  mesage(conn, data) {\n    conn.send(data);\n  },\n});\n`,
  );
  try {
    const r = await runCli(["--handlers", dir, "--port", "0"]);
    assert.equal(r.code, 1);
    assertOneErrorLine(
      r.stderr,
      new RegExp(
        `^error: ${dir}/bye\\.ts:2:\\d+: defineHandler\\(\\): unknown member "mesage" ` +
          `\\(did you mean message\\?\\); expected a handler: .*open\\?, message\\?, close\\?, error\\?, run\\?, accept\\?, protocols\\?`,
      ),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

eachEngine.test("the banner names the address bound; for every interface also the URL to open", async (engine) => {
  const server = await spawnServer(["--engine", engine]);
  try {
    assert.match(
      server.output(),
      new RegExp(
        `^denosocket \\S+ listening on http://127\\.0\\.0\\.1:${server.port}/\\r?$`,
        "m",
      ),
    );
  } finally {
    await server.stop();
  }
  // What a wildcard bind prints (tests do not listen on every interface).
  const all = listenBanner(
    "http",
    { hostname: "0.0.0.0", port: 9998 },
    "1.2.3",
  );
  assert.equal(
    all.line,
    "denosocket 1.2.3 listening on 0.0.0.0:9998 (every IPv4 interface); open http://localhost:9998/",
  );
  assert.equal(all.url, "http://localhost:9998/");
  const v6 = listenBanner("https", { hostname: "::", port: 443 }, "1.2.3");
  assert.equal(
    v6.line,
    "denosocket 1.2.3 listening on [::]:443 (every interface); open https://localhost:443/",
  );
});
