import assert from "node:assert/strict";
import { spawnDenoServe, startServer } from "./support/server.ts";
import { TestClient } from "./support/ws_client.ts";
import { eachEngine } from "./support/engines.ts";

eachEngine.test("--ops-token: /_health and /_metrics need the bearer token", async (engine) => {
  const server = await startServer({ engine, opsToken: "s3cret-token" });
  try {
    for (const path of ["/_health", "/_metrics"]) {
      const none = await fetch(`${server.http}${path}`);
      assert.equal(none.status, 401);
      assert.match(none.headers.get("www-authenticate") ?? "", /^Bearer /);
      await none.body?.cancel();
      for (
        const auth of [
          "Bearer wrong",
          "Bearer s3cret-tokenX",
          "Basic s3cret-token",
          "s3cret-token",
        ]
      ) {
        const res = await fetch(`${server.http}${path}`, {
          headers: { authorization: auth },
        });
        assert.equal(res.status, 401, `${path} with "${auth}"`);
        await res.body?.cancel();
      }
      const ok = await fetch(`${server.http}${path}`, {
        headers: { authorization: "bearer s3cret-token" },
      });
      assert.equal(ok.status, 200, path);
      await ok.body?.cancel();
    }
  } finally {
    await server.close();
  }
});

eachEngine.test("--no-ops: no /_health, no /_metrics, and nothing counted", async (engine) => {
  const server = await startServer({ engine, ops: false });
  try {
    for (const path of ["/_health", "/_metrics"]) {
      const res = await fetch(`${server.http}${path}`);
      assert.equal(res.status, 404, path);
      await res.body?.cancel();
    }
    const c = await TestClient.open(`${server.ws}/echo`);
    c.send("hi");
    assert.equal(await c.next(), "hi");
    await c.close();
    const echo = server.app.metrics.meters.find((m) => m.handler === "/echo")!;
    assert.deepEqual([echo.opened, echo.msgsIn, echo.msgsOut], [0, 0, 0]);
  } finally {
    await server.close();
  }
});

eachEngine.test("ops endpoints answer HEAD without a body and 405 to POST", async (engine) => {
  const server = await startServer({ engine });
  try {
    const head = await fetch(`${server.http}/_health`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), "");
    const post = await fetch(`${server.http}/_metrics`, { method: "POST" });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get("allow"), "GET, HEAD");
    await post.body?.cancel();
    const health = await fetch(`${server.http}/_health`);
    assert.equal(health.headers.get("cache-control"), "no-store");
    assert.deepEqual(Object.keys(await health.json()), [
      "status",
      "uptime_s",
      "connections",
      "version",
    ]);
  } finally {
    await server.close();
  }
});

eachEngine.test("/_health answers 503 stopping once shutdown has begun", async (engine) => {
  const server = await startServer({ engine });
  try {
    const c = await TestClient.open(`${server.ws}/echo`);
    await server.app.closeAll(1001, "Server shutting down", 5000);
    assert.equal((await c.closed).code, 1001);
    const res = await fetch(`${server.http}/_health`);
    assert.equal(res.status, 503);
    const body = await res.json();
    assert.equal(body.status, "stopping");
    assert.equal(body.connections, 0);
  } finally {
    await server.close();
  }
});

Deno.test("serve.ts takes the ops token from $DENOSOCKET_OPS_TOKEN under deno serve", async () => {
  const server = await spawnDenoServe([], {
    DENOSOCKET_OPS_TOKEN: "serve-token",
  });
  try {
    const none = await fetch(`${server.http}/_metrics`);
    assert.equal(none.status, 401);
    await none.body?.cancel();
    const ok = await fetch(`${server.http}/_metrics`, {
      headers: { authorization: "Bearer serve-token" },
    });
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /denosocket_connections_open/);
  } finally {
    await server.stop();
  }
});
