import assert from "node:assert/strict";
import { spawnDenoServe } from "./support/server.ts";
import { TestClient } from "./support/ws_client.ts";

Deno.test("serve.ts serves the tutorial and /echo under deno serve --parallel", async () => {
  const server = await spawnDenoServe(["--parallel"], { DENO_JOBS: "2" });
  let stopped = false;
  try {
    assert.match(server.output(), /with 2 threads/);
    const page = await fetch(`${server.http}/`);
    assert.match(await page.text(), /Run WebSocket/);
    const c = await TestClient.open(`${server.ws}/echo`);
    c.send("through a worker");
    assert.equal(await c.next(), "through a worker");
    await c.close();
    const status = await server.stop("SIGTERM");
    stopped = true;
    assert.equal(status.success, true, server.output());
  } finally {
    if (!stopped) await server.stop("SIGKILL");
  }
});
