/**
 * Program endpoints from the command line: `--programs DIR` (which files are
 * served, what a module's clash does), `--program CMD ARGS…`, the flags'
 * errors, the permission and Deploy checks at start, and shutdown ending
 * every program in time. `main.ts` runs as a real subprocess.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseCli } from "../lib/cli/parse_cli.ts";
import { deployProblems } from "../scripts/deploy_check.ts";
import { programHandler } from "../lib/mod.ts";
import { eachEngine, startEngine } from "./support/engines.ts";
import { runCli } from "./support/server.ts";
import {
  alive,
  EXAMPLES,
  FIXTURES,
  pythonSession,
  texts,
} from "./support/programs.ts";
import { childEnv, spawnListening } from "./support/spawn.ts";
import { selfSigned } from "./support/tls.ts";
import { rawHandshake, readFrames } from "./support/frames.ts";
import { TestClient } from "./support/ws_client.ts";
import { waitFor } from "./support/wait.ts";

const ROOT = join(import.meta.dirname!, "..");

Deno.test("--program takes the rest of the command line, as does a second --", () => {
  for (
    const args of [
      ["--port", "0", "--program", "./count.sh", "-n", "--port"],
      ["--", "--port", "0", "--", "./count.sh", "-n", "--port"],
      ["--port", "0", "--program=./count.sh", "-n", "--port"],
    ]
  ) {
    const r = parseCli(args, {});
    assert.ok(r.kind === "serve", JSON.stringify(r));
    assert.equal(r.options.port, 0);
    assert.deepEqual(r.options.program, ["./count.sh", "-n", "--port"]);
  }
});

Deno.test("program flags: each bad value gets its own one-line error", () => {
  const error = (args: string[]) => {
    const r = parseCli(args, {});
    return r.kind === "error" ? r.message : `no error: ${r.kind}`;
  };
  assert.match(error(["--program"]), /--program needs a command/);
  assert.match(
    error(["--programs", "p", "--binary", "--pass-stderr"]),
    /cannot be used together/,
  );
  assert.match(
    error(["--passenv", "PATH,BAD-NAME"]),
    /invalid --passenv "BAD-NAME"/,
  );
  assert.match(error(["--closems", "-5"]), /--closems/);
  assert.match(error(["--max-forks", "lots"]), /invalid --max-forks "lots"/);
  const r = parseCli(["--binary"], {});
  assert.ok(r.kind === "serve");
  assert.match(
    r.warnings[0],
    /--binary has no effect without --programs or --program/,
  );
});

Deno.test("deploy:check reports a program endpoint in the manifest", () => {
  const problems = deployProblems([
    { pattern: "/echo", handler: { message() {} }, file: "handlers/echo.ts" },
    {
      pattern: "/count",
      handler: programHandler(["./count.sh"]),
      file: "handlers/count.ts",
    },
  ]);
  assert.deepEqual(problems, [
    "/count (handlers/count.ts) runs a program, and Deno Deploy runs no subprocesses",
  ]);
});

/** A folder of programs with one of each thing `--programs` must not serve. */
async function mixedFolder(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "denosocket-dir-" });
  const script = '#!/bin/sh\necho "$SCRIPT_NAME"\n';
  await Deno.writeTextFile(`${dir}/ok.sh`, script, { mode: 0o755 });
  await Deno.writeTextFile(`${dir}/echo`, script, { mode: 0o755 });
  await Deno.writeTextFile(`${dir}/plain.txt`, "not a program\n");
  await Deno.writeTextFile(`${dir}/.secret.sh`, script, { mode: 0o755 });
  await Deno.mkdir(`${dir}/tools`);
  await Deno.writeTextFile(`${dir}/tools/deep.sh`, script, { mode: 0o755 });
  await Deno.mkdir(`${dir}/.git`);
  await Deno.writeTextFile(`${dir}/.git/hook.sh`, script, { mode: 0o755 });
  await Deno.symlink("/bin/sh", `${dir}/outside`);
  await Deno.symlink(`${dir}/ok.sh`, `${dir}/alias.sh`);
  return dir;
}

Deno.test("--programs serves executable files below DIR, no dot-file, no symlink out, and a module wins a clash", async () => {
  const dir = await mixedFolder();
  try {
    const list = await runCli(["--programs", dir, "--list-handlers"]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /\/echo\s+handlers\/echo\.ts/);
    for (const path of ["/ok.sh", "/alias.sh", "/tools/deep.sh"]) {
      assert.match(list.stdout, new RegExp(`${path}\\s+\\S+  \\(program\\)`));
    }
    for (const hidden of ["secret", "hook", "outside", "plain"]) {
      assert.doesNotMatch(list.stdout, new RegExp(hidden));
    }
    const server = await startEngine("deno", ["--programs", dir]);
    try {
      const out = server.output();
      assert.match(
        out,
        /plain\.txt: not executable \(chmod \+x it\); not served/,
      );
      assert.match(
        out,
        /outside: a symlink leading out of the folder; not served/,
      );
      assert.match(
        out,
        /echo is not served at \/echo: handlers\/echo\.ts serves it/,
      );
      const deep = await pythonSession({ url: `${server.ws}/tools/deep.sh` });
      assert.deepEqual(texts(deep), ["/tools/deep.sh"]);
      const echo = await pythonSession({
        url: `${server.ws}/echo`,
        send: [{ text: "module" }],
        expect: 1,
      });
      assert.deepEqual(texts(echo), ["module"]);
      for (const path of ["/.secret.sh", "/outside", "/plain.txt"]) {
        const s = await pythonSession({ url: `${server.ws}${path}` });
        assert.match(String(s.error), /404/, path);
      }
    } finally {
      await server.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

eachEngine.test("--program serves every WebSocket path without a handler, SCRIPT_NAME / and the path in PATH_INFO", async (engine) => {
  const server = await startEngine(engine, ["--program", "env", "-0"]);
  try {
    await waitFor(() => server.output().includes("/*"), 5000, "the table");
    assert.match(
      server.output(),
      /\/\*\s+\S*env -0 {2}\(program, every path without a handler\)/,
    );
    const client = await TestClient.open(`${server.ws}/any/where?x=1`);
    // `env -0` separates variables with NUL: one message, no newline.
    const all = String(await client.next());
    const vars = all.split("\0");
    assert.ok(vars.includes("SCRIPT_NAME=/"), all);
    assert.ok(vars.includes("PATH_INFO=/any/where"));
    assert.ok(vars.includes("QUERY_STRING=x=1"));
    assert.equal((await client.closed).code, 1000);
    const echo = await TestClient.open(`${server.ws}/echo`);
    echo.send("still the module");
    assert.equal(await echo.next(), "still the module");
    await echo.close();
    const page = await fetch(`${server.http}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);
  } finally {
    await server.stop();
  }
});

Deno.test("program endpoints fail the start without --allow-run, on Deno Deploy, and for a command not found", async () => {
  const run = async (args: string[], env: Record<string, string> = {}) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args,
      cwd: ROOT,
      clearEnv: true,
      env: childEnv(env),
      stdout: "piped",
      stderr: "piped",
      // A server that starts when it should not is stopped, not waited for.
      signal: AbortSignal.timeout(20_000),
    }).output();
    return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
  };
  const noRun = await run([
    "run",
    "--allow-net",
    "--allow-read",
    "--allow-env",
    "--no-prompt",
    "main.ts",
    "--port",
    "0",
    "--programs",
    "programs",
  ]);
  assert.equal(noRun.code, 1);
  assert.match(
    noRun.stderr,
    /error: \/count\.sh \(programs\/count\.sh\) runs .*count\.sh, which needs --allow-run/,
  );
  const deploy = await run([
    "run",
    "-A",
    "main.ts",
    "--port",
    "0",
    "--programs",
    "programs",
  ], {
    DENO_DEPLOYMENT_ID: "test",
  });
  assert.equal(deploy.code, 1);
  assert.match(
    deploy.stderr,
    /error: program endpoints need subprocesses, which Deno Deploy does not run: \/count\.sh/,
  );
  const missing = await runCli([
    "--port",
    "0",
    "--program",
    "no-such-program-here",
  ]);
  assert.equal(missing.code, 1);
  assert.match(
    missing.stderr,
    /error: --program no-such-program-here: not found on PATH/,
  );
});

Deno.test("without program endpoints the server gives up the run permission", async () => {
  const dir = await Deno.makeTempDir({ prefix: "denosocket-perm-" });
  await Deno.writeTextFile(
    `${dir}/perm.ts`,
    `export default { open(conn) { conn.send(Deno.permissions.querySync({ name: "run" }).state); } };\n`,
  );
  try {
    for (
      const [extra, state] of [[[], "prompt"], [
        ["--programs", EXAMPLES],
        "granted",
      ]] as const
    ) {
      const server = await startEngine("deno", ["--handlers", dir, ...extra]);
      try {
        const client = await TestClient.open(`${server.ws}/perm`);
        assert.equal(await client.next(), state);
        await client.close();
      } finally {
        await server.stop();
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

eachEngine.test("shutdown ends every program within the budget, even one that ignores signals", async (engine) => {
  // --closems 5000 stretches the usual stop past the 4 s exit deadline.
  const server = await startEngine(engine, [
    "--programs",
    FIXTURES,
    "--closems",
    "5000",
  ]);
  const client = await TestClient.open(`${server.ws}/stubborn.sh`);
  const pid = Number(String(await client.next()).split(" ")[1]);
  const t0 = performance.now();
  const status = await server.stop("SIGTERM");
  const ms = performance.now() - t0;
  assert.equal(status.code, 0, server.output());
  assert.ok(ms < 4500, `exit took ${Math.round(ms)} ms`);
  await waitFor(() => !alive(pid), 2000, "the program is gone");
  assert.equal((await client.closed).code, 1001);
});

Deno.test("deno task start -- --programs programs: the README's command serves the examples", async () => {
  const p = await spawnListening(Deno.execPath(), [
    "task",
    "start",
    "--",
    "--port",
    "0",
    "--host",
    "127.0.0.1",
    "--programs",
    "programs",
  ], { listening: /listening on http:\/\/[^:]+:(\d+)\// });
  try {
    await waitFor(() => p.output().includes("/greeter.sh"), 5000, "the table");
    const s = await pythonSession({
      url: `ws://127.0.0.1:${p.port}/greeter.sh`,
      send: [{ text: "newcomer" }],
      expect: 1,
    });
    assert.deepEqual(texts(s), ["Hello, newcomer!"]);
  } finally {
    await p.stop("SIGTERM");
  }
});

eachEngine.test("under TLS a program gets HTTPS=on and the port from the Host header", async (engine) => {
  const dir = await Deno.makeTempDir();
  try {
    const { cert, key } = await selfSigned(dir);
    const pem = await Deno.readTextFile(cert);
    const server = await startEngine(engine, [
      "--cert",
      cert,
      "--key",
      key,
      "--program",
      "env",
    ]);
    try {
      const { conn, leftover } = await rawHandshake(
        server.port,
        "/tls?x=1",
        () =>
          Deno.connectTls({
            hostname: "127.0.0.1",
            port: server.port,
            caCerts: [pem],
          }),
      );
      const r = await readFrames(
        conn,
        5000,
        (f) => f.some((x) => x.opcode === 8),
        leftover,
      );
      conn.close();
      const vars = r.frames.filter((f) => f.opcode === 1)
        .map((f) => new TextDecoder().decode(f.payload));
      assert.ok(vars.includes("HTTPS=on"), vars.join("\n"));
      assert.ok(vars.includes(`SERVER_PORT=${server.port}`));
      assert.ok(vars.includes("REQUEST_URI=/tls?x=1"));
    } finally {
      await server.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
