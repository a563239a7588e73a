/**
 * Handlers in a folder outside this repository import the library by its
 * package name, `@denosocket/server`: the server (run from this checkout,
 * from any working directory) resolves it to this checkout's `lib/mod.ts`,
 * so the handler shares the server's topic registry; the folder's own
 * `deno.json` maps the same name for the editor and `deno check`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli, spawnServer } from "./support/server.ts";
import { childEnv, spawnListening } from "./support/spawn.ts";
import { TestClient } from "./support/ws_client.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const HELLO = `import { defineHandler, publish } from "@denosocket/server";

export default defineHandler({
  open(conn) {
    // Through the server's own registry only if this is the same module.
    conn.subscribe("outside");
    publish("outside", "hello from " + conn.url.pathname);
  },
});
`;

/** A temporary folder outside the checkout with one handler. */
async function outsideFolder(source = HELLO): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "myhandlers-" });
  assert.ok(!dir.startsWith(ROOT), `${dir} is outside ${ROOT}`);
  await Deno.writeTextFile(join(dir, "hello.ts"), source);
  return dir;
}

Deno.test('a handler folder outside the checkout imports "@denosocket/server" and shares the server\'s topics', async () => {
  const dir = await outsideFolder();
  try {
    const server = await spawnServer(["--handlers", dir]);
    try {
      const c = await TestClient.open(`${server.ws}/hello`);
      assert.equal(await c.next(), "hello from /hello");
      await c.close();
    } finally {
      await server.stop();
    }
    // Started from that folder, with this checkout's main.ts by path.
    const fromThere = await spawnListening(Deno.execPath(), [
      "run",
      "-A",
      join(ROOT, "main.ts"),
      "--handlers",
      ".",
      "--port",
      "0",
      "--host",
      "127.0.0.1",
    ], { cwd: dir, listening: /listening on http:\/\/[^:]+:(\d+)\// });
    try {
      const c = await TestClient.open(`ws://127.0.0.1:${fromThere.port}/hello`);
      assert.equal(await c.next(), "hello from /hello");
      await c.close();
    } finally {
      await fromThere.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test('the folder\'s deno.json maps "@denosocket/server" for deno check, which catches a handler typo', async () => {
  const dir = await outsideFolder();
  try {
    await Deno.writeTextFile(
      join(dir, "deno.json"),
      JSON.stringify({
        imports: { "@denosocket/server": join(ROOT, "lib/mod.ts") },
      }),
    );
    const check = (file: string) =>
      new Deno.Command(Deno.execPath(), {
        args: ["check", file],
        cwd: dir,
        clearEnv: true,
        env: childEnv(),
        stdout: "piped",
        stderr: "piped",
      }).output();
    assert.equal((await check("hello.ts")).code, 0);
    await Deno.writeTextFile(
      join(dir, "typo.ts"),
      HELLO.replace("open(conn)", "opne(conn)"),
    );
    const bad = await check("typo.ts");
    assert.notEqual(bad.code, 0);
    assert.match(
      new TextDecoder().decode(bad.stderr),
      /'opne' does not exist in type 'Handler<unknown>'/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a handler outside the checkout that imports ../lib/mod.ts gets one line naming it and the package name", async () => {
  const dir = await outsideFolder(
    HELLO.replace('"@denosocket/server"', '"../lib/mod.ts"'),
  );
  try {
    const r = await runCli(["--handlers", dir, "--port", "0"]);
    assert.equal(r.code, 1);
    const lines = r.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, r.stderr);
    assert.match(
      lines[0],
      new RegExp(
        `^error: ${
          join(dir, "hello.ts")
        }(:\\d+:\\d+)?: Module not found .*lib/mod\\.ts.* ` +
          `\\(import the library as "@denosocket/server": docs/handlers\\.md#handlers-in-another-folder\\)$`,
      ),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
