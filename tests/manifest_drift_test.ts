/**
 * A handler added, renamed or removed without `deno task manifest`, tried in
 * a throwaway copy of the project (the checkout is never touched): the start
 * warns naming the files and the command, a manifest that lists a deleted
 * file is one error line, `deno task deploy:check` fails naming the files,
 * and `deno task dev` rewrites the manifest and reloads on its own.
 */
import assert from "node:assert/strict";
import { copyProject, type ProjectCopy } from "./support/project_copy.ts";
import { spawnListening } from "./support/spawn.ts";
import { startInPty } from "./support/pty.ts";
import { rawUpgrade, upgradeHeaders } from "./support/raw.ts";
import { runDeno } from "./support/server.ts";
import { TestClient } from "./support/ws_client.ts";
import { HANDLERS_DIR } from "../lib/paths.ts";

const DENO = Deno.execPath();
const ENV = { PORT: "0", DENOSOCKET_HOST: "127.0.0.1" };
const BYE = `import { defineHandler } from "../lib/mod.ts";
export default defineHandler({
  open(conn) {
    conn.send("bye from " + conn.url.pathname);
  },
});
`;
const STALE_HINT =
  "run `deno task manifest` and restart (`deno task dev` does both on save)";

/** Runs `fn` with a fresh project copy; checks the checkout's manifest is untouched. */
async function inCopy(fn: (copy: ProjectCopy) => Promise<void>) {
  const manifest = `${HANDLERS_DIR}/manifest.gen.ts`;
  const before = await Deno.readTextFile(manifest);
  const copy = await copyProject();
  try {
    await fn(copy);
  } finally {
    await copy.remove();
  }
  assert.equal(await Deno.readTextFile(manifest), before, "checkout touched");
}

function run(copy: ProjectCopy, args: string[]) {
  return runDeno(args, { cwd: copy.dir, env: ENV });
}

async function upgradeStatus(port: number, path: string): Promise<number> {
  const res = await rawUpgrade(
    port,
    path,
    upgradeHeaders({ Host: `127.0.0.1:${port}` }),
  );
  return res.status;
}

Deno.test("a handler file the manifest lacks: the start warns naming it and `deno task manifest`; its path is 404", async () => {
  await inCopy(async (copy) => {
    await Deno.writeTextFile(copy.path("handlers/bye.ts"), BYE);
    const server = await spawnListening(DENO, ["run", "-A", "main.ts"], {
      cwd: copy.dir,
      env: ENV,
      listening: /listening on http:\/\/127\.0\.0\.1:(\d+)\//,
    });
    try {
      assert.ok(
        server.output().includes(
          'WARN  manifest_stale message="handlers/manifest.gen.ts is stale: ' +
            "it lacks handlers/bye.ts (/bye), so that path answers 404; " +
            STALE_HINT,
        ),
        server.output(),
      );
      assert.equal(await upgradeStatus(server.port, "/bye"), 404);
      assert.equal(await upgradeStatus(server.port, "/echo"), 101);
    } finally {
      await server.stop();
    }
  });
});

Deno.test("a manifest that lists a deleted handler: one error line naming it and the command, exit 1", async () => {
  await inCopy(async (copy) => {
    await Deno.remove(copy.path("handlers/clock.ts"));
    await Deno.writeTextFile(copy.path("handlers/bye.ts"), BYE);
    const r = await run(copy, ["run", "-A", "main.ts"]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      "error: handlers/manifest.gen.ts is stale: it lacks handlers/bye.ts (/bye), " +
        "so that path answers 404; it lists handlers/clock.ts, which is gone; " +
        STALE_HINT + "\n",
    );
  });
});

Deno.test("a defineHandler() typo in a manifest handler: one line with file:line, the meant member and what a handler has", async () => {
  await inCopy(async (copy) => {
    const echo = copy.path("handlers/echo.ts");
    const text = await Deno.readTextFile(echo);
    await Deno.writeTextFile(echo, text.replace("  message(", "  mesage("));
    const r = await run(copy, ["run", "-A", "main.ts"]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^error: handlers\/echo\.ts:\d+:\d+: defineHandler\(\): unknown member "mesage" \(did you mean message\?\); expected a handler: `export default defineHandler\(\{ open\?, message\?/,
    );
    assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
    // `deno task check` finds it before any start.
    const check = await run(copy, ["check", "handlers/"]);
    assert.notEqual(check.code, 0);
    assert.match(
      check.stderr,
      /'mesage' does not exist .*Did you mean to write 'message'\?/,
    );
  });
});

Deno.test("deno serve warns about a stale manifest too, and a handler typo is one error line there", async () => {
  await inCopy(async (copy) => {
    await Deno.writeTextFile(copy.path("handlers/bye.ts"), BYE);
    const flags = ["--allow-net", "--allow-read", "--allow-env"];
    const server = await spawnListening(DENO, [
      "serve",
      ...flags,
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "serve.ts",
    ], {
      cwd: copy.dir,
      listening: /Listening on http:\/\/127\.0\.0\.1:(\d+)\//,
    });
    try {
      // serve.ts checks the manifest as it starts, beside the listener
      // (no top-level await: see serve.ts): the warning follows at once.
      const warning =
        /WARN +manifest_stale message="handlers\/manifest\.gen\.ts is stale: it lacks handlers\/bye\.ts \(\/bye\)/;
      for (let i = 0; i < 50 && !warning.test(server.output()); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.match(server.output(), warning);
    } finally {
      await server.stop();
    }
    const echo = copy.path("handlers/echo.ts");
    const text = await Deno.readTextFile(echo);
    await Deno.writeTextFile(echo, text.replace("  message(", "  mesage("));
    const r = await run(copy, [
      "serve",
      ...flags,
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "serve.ts",
    ]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^error: handlers\/echo\.ts:\d+:\d+: defineHandler\(\): unknown member "mesage" \(did you mean message\?\)/m,
    );
    assert.doesNotMatch(r.stderr, /Uncaught|^\s+at /m);
  });
});

Deno.test("deno task deploy:check fails on a stale manifest, naming the files", async () => {
  await inCopy(async (copy) => {
    await Deno.writeTextFile(copy.path("handlers/bye.ts"), BYE);
    const r = await run(copy, ["task", "deploy:check"]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /deploy check: handlers\/manifest\.gen\.ts is stale: it lacks handlers\/bye\.ts \(\/bye\)/,
    );
    assert.match(r.stdout, /deploy check FAILED/);
    assert.doesNotMatch(r.stdout, /passed/);
  });
});

Deno.test("deno task dev rewrites the manifest and reloads when a handler appears, is renamed and disappears", async () => {
  await inCopy(async (copy) => {
    const term = startInPty([DENO, "task", "dev"], ENV, `file://${copy.dir}/`);
    const BANNER = /listening on http:\/\/127\.0\.0\.1:(\d+)\//g;
    const ports = () => [...term.output().matchAll(BANNER)].map((m) => m[1]);
    /**
     * The port of the newest banner once there are more than `seen` and
     * the output has been quiet for 800 ms (one change may restart twice).
     */
    const settledPort = async (seen: number) => {
      const deadline = Date.now() + 30_000;
      let last = "";
      let quietSince = Date.now();
      while (Date.now() < deadline) {
        const now = term.output();
        if (now !== last) [last, quietSince] = [now, Date.now()];
        const p = ports();
        if (p.length > seen && Date.now() - quietSince >= 800) {
          return { port: Number(p[p.length - 1]), seen: p.length };
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no new banner after ${seen}:\n${term.output()}`);
    };
    try {
      let { port, seen } = await settledPort(0);
      assert.equal(await upgradeStatus(port, "/bye"), 404);

      await Deno.writeTextFile(copy.path("handlers/bye.ts"), BYE);
      ({ port, seen } = await settledPort(seen));
      const bye = await TestClient.open(`ws://127.0.0.1:${port}/bye`);
      assert.equal(await bye.next(), "bye from /bye");
      await bye.close();

      await Deno.rename(
        copy.path("handlers/bye.ts"),
        copy.path("handlers/hello.ts"),
      );
      ({ port, seen } = await settledPort(seen));
      const hello = await TestClient.open(`ws://127.0.0.1:${port}/hello`);
      assert.equal(await hello.next(), "bye from /hello");
      await hello.close();
      assert.equal(await upgradeStatus(port, "/bye"), 404);

      await Deno.remove(copy.path("handlers/hello.ts"));
      ({ port, seen } = await settledPort(seen));
      assert.equal(await upgradeStatus(port, "/hello"), 404);
      assert.equal(await upgradeStatus(port, "/echo"), 101);

      const out = term.output();
      assert.match(out, /INFO +manifest_written added=handlers\/bye\.ts/);
      assert.match(
        out,
        /INFO +manifest_written added=handlers\/hello\.ts removed=handlers\/bye\.ts/,
      );
      assert.match(out, /INFO +manifest_written removed=handlers\/hello\.ts/);
      assert.doesNotMatch(out, /manifest_stale|error:/);
      // The copy's manifest is back to the committed one.
      assert.equal(
        await Deno.readTextFile(copy.path("handlers/manifest.gen.ts")),
        await Deno.readTextFile(`${HANDLERS_DIR}/manifest.gen.ts`),
      );
      await term.ctrlC();
      assert.equal(await term.exited, 0);
    } finally {
      await term.kill();
    }
  });
});
