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

Deno.test("serve.ts under deno serve --parallel exits on SIGTERM while its bus is still starting (Redis unreachable)", async () => {
  // Nothing listens there: the Redis bus waits up to 3 s for it to answer.
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const server = await spawnDenoServe(["--parallel"], {
    DENO_JOBS: "2",
    DENOSOCKET_BUS: `redis://127.0.0.1:${port}`,
  });
  // Each worker evaluates serve.ts on its own after deno serve says it
  // listens; a SIGTERM before a worker has registered its signal listener
  // is deno serve's alone (docs/operations.md). 500 ms in, the bus is still
  // starting (it waits up to 3 s for Redis).
  await new Promise((r) => setTimeout(r, 500));
  const started = Date.now();
  const status = await server.stop("SIGTERM");
  assert.ok(
    status.signal !== "SIGKILL" && Date.now() - started < 10_000,
    `deno serve did not exit on SIGTERM:\n${server.output()}`,
  );
});
