import assert from "node:assert/strict";
import { startServer } from "./support/server.ts";
import { eachEngine } from "./support/engines.ts";

const BROWSER_ACCEPT =
  "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

eachEngine.test("a browser GET of /echo is sent to the console, pre-filled", async (engine) => {
  const server = await startServer({ engine });
  try {
    const res = await fetch(`${server.http}/echo`, {
      headers: { accept: BROWSER_ACCEPT },
      redirect: "manual",
    });
    await res.body?.cancel();
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/console.html?url=%2Fecho");
    assert.equal(res.headers.get("vary"), "Accept");
  } finally {
    await server.close();
  }
});

eachEngine.test("the console link keeps the path's query and the handler's subprotocols", async (engine) => {
  const server = await startServer({ engine });
  try {
    for (
      const [path, location] of [
        ["/rooms/lobby?x=1", "/console.html?url=%2Frooms%2Flobby%3Fx%3D1"],
        [
          "/subprotocol",
          "/console.html?url=%2Fsubprotocol&speaks=chat.v2%2Cchat",
        ],
      ]
    ) {
      const res = await fetch(`${server.http}${path}`, {
        headers: { accept: "text/html" },
        redirect: "manual",
      });
      await res.body?.cancel();
      assert.equal(res.status, 303, path);
      assert.equal(res.headers.get("location"), location);
    }
  } finally {
    await server.close();
  }
});

eachEngine.test("curl's GET of /subprotocol gets text naming the subprotocols and the console", async (engine) => {
  const server = await startServer({ engine });
  try {
    const res = await fetch(`${server.http}/subprotocol`, {
      headers: { accept: "*/*" },
    });
    const text = await res.text();
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/plain; charset=utf-8");
    assert.equal(res.headers.get("x-websocket-protocols"), "chat.v2, chat");
    assert.match(text, /^\/subprotocol is a WebSocket endpoint/);
    assert.match(text, new RegExp(`Connect: ${server.ws}/subprotocol\n`));
    assert.match(text, /Subprotocols: chat\.v2, chat\n/);
    assert.match(
      text,
      new RegExp(
        `Dev console: ${server.http}/console\\.html\\?url=%2Fsubprotocol&speaks=chat\\.v2%2Cchat\n`,
      ),
    );
    const head = await fetch(`${server.http}/echo`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), "");
    assert.match(head.headers.get("link") ?? "", /console\.html\?url=%2Fecho/);
  } finally {
    await server.close();
  }
});

eachEngine.test("the console and benchmark pages are served with --no-static and beside a custom static folder", async (engine) => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/benchmark.html`, "mine");
  for (const staticDir of [null, dir]) {
    const server = await startServer({ engine, staticDir });
    try {
      const js = await fetch(`${server.http}/console.js`);
      assert.equal(js.status, 200);
      assert.equal(
        js.headers.get("content-type"),
        "text/javascript; charset=utf-8",
      );
      assert.match(await js.text(), /binaryType/);
      const page = await fetch(`${server.http}/benchmark.html`);
      const body = await page.text();
      if (staticDir) assert.equal(body, "mine");
      else assert.match(body, /<title>WebSocket benchmark/);
      const other = await fetch(`${server.http}/index.html`);
      await other.body?.cancel();
      assert.equal(other.status, 404);
    } finally {
      await server.close();
    }
  }
  await Deno.remove(dir, { recursive: true });
});
