import assert from "node:assert/strict";
import { join } from "node:path";
import {
  listHandlerFiles,
  loadHandlerDir,
  MANIFEST_FILE,
  manifestSource,
  routePattern,
  routesFromManifest,
} from "../lib/routing/manifest.ts";
import { HANDLERS_DIR } from "../lib/paths.ts";
import { Router } from "../lib/routing/router.ts";
import { runCli, spawnServer } from "./support/server.ts";
import { TestClient } from "./support/ws_client.ts";

Deno.test("routePattern() maps files to paths and skips non-routes", () => {
  assert.equal(routePattern("echo.ts"), "/echo");
  assert.equal(routePattern("./a/b.ts"), "/a/b");
  assert.equal(routePattern("a/index.ts"), "/a");
  assert.equal(routePattern("rooms/[name].ts"), "/rooms/:name");
  assert.equal(routePattern("_util.ts"), null);
  assert.equal(routePattern("_lib/x.ts"), null);
  assert.equal(routePattern("echo_test.ts"), null);
  assert.equal(routePattern("notes.md"), null);
  assert.equal(routePattern(MANIFEST_FILE), null);
});

Deno.test("Router prefers exact paths and decodes parameters", () => {
  const h = { message() {} };
  const router = new Router([
    { pattern: "/rooms/:name", handler: h, file: "a" },
    { pattern: "/rooms/lobby", handler: h, file: "b" },
  ]);
  assert.equal(router.match("/rooms/lobby")?.route.file, "b");
  assert.deepEqual(router.match("/rooms/a%20b")?.params, { name: "a b" });
  assert.equal(router.match("/rooms/")?.route.file, undefined);
  assert.equal(router.match("/rooms/x/y"), null);
  assert.equal(router.match("/rooms/%E0%A4%A"), null);
});

Deno.test("the committed manifest lists exactly the files in handlers/", async () => {
  const files = await listHandlerFiles(HANDLERS_DIR);
  const committed = await Deno.readTextFile(join(HANDLERS_DIR, MANIFEST_FILE));
  const listed = [...committed.matchAll(/from "(\.\/[^"]+)";/g)].map((m) =>
    m[1]
  );
  const missing = files.filter((f) => !listed.includes(f));
  const extra = listed.filter((f) => !files.includes(f));
  assert.deepEqual(
    { missing, extra },
    { missing: [], extra: [] },
    `handlers/${MANIFEST_FILE} is stale: run \`deno task manifest\``,
  );
  assert.equal(
    committed,
    manifestSource(files),
    "manifest text differs: run `deno task manifest`",
  );
});

Deno.test("routesFromManifest() names the file and what was expected for a bad export", () => {
  assert.throws(
    () =>
      routesFromManifest({
        routes: {
          "./ok.ts": { default: { message() {} } },
          "./typo.ts": { default: { mesage() {} } },
          "./none.ts": {},
          "./fn.ts": { default: () => {} },
        },
      }),
    (err: Error) => {
      assert.match(err.message, /handlers\/typo\.ts: unknown member "mesage"/);
      assert.match(
        err.message,
        /handlers\/none\.ts: the default export is undefined/,
      );
      assert.match(
        err.message,
        /handlers\/fn\.ts: the default export is function/,
      );
      assert.match(
        err.message,
        /expected a handler: `export default defineHandler/,
      );
      return true;
    },
  );
});

Deno.test("--handlers DIR loads a folder at run time with the same rules", async () => {
  const dir = await Deno.makeTempDir();
  const mod = new URL("../lib/mod.ts", import.meta.url).href;
  await Deno.mkdir(join(dir, "a"));
  await Deno.writeTextFile(
    join(dir, "hello.ts"),
    `import { defineHandler } from "${mod}";\nexport default defineHandler({ open(c) { c.send("hello " + c.url.pathname); } });\n`,
  );
  await Deno.writeTextFile(
    join(dir, "a", "index.ts"),
    `import { defineHandler } from "${mod}";\nexport default defineHandler({ open(c) { c.send("index"); } });\n`,
  );
  await Deno.writeTextFile(join(dir, "_helper.ts"), `export const x = 1;\n`);
  try {
    const routes = await loadHandlerDir(dir);
    assert.deepEqual(routes.map((r) => r.pattern).sort(), ["/a", "/hello"]);
    const listed = await runCli(["--handlers", dir, "--list-handlers"]);
    assert.equal(listed.code, 0);
    assert.match(listed.stdout, /\/hello\s+.*hello\.ts/);
    const server = await spawnServer(["--handlers", dir]);
    try {
      const c = await TestClient.open(`${server.ws}/hello`);
      assert.equal(await c.next(), "hello /hello");
      await c.close();
    } finally {
      await server.stop();
    }
    await Deno.writeTextFile(join(dir, "bad.ts"), `export default 42;\n`);
    const bad = await runCli(["--handlers", dir, "--list-handlers"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /bad\.ts: the default export is number/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
