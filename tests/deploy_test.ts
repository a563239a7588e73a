import assert from "node:assert/strict";
import denoJson from "../deno.json" with { type: "json" };
import { DEPLOY_KILL_MS, deployCheck } from "../scripts/deploy_check.ts";
import { readResponse, upgradeHeaders } from "./support/raw.ts";
import { eachEngine, startEngine } from "./support/engines.ts";

Deno.test("main.ts starts Deploy-style: PORT, no flags, no --allow-write, manifest handlers", async () => {
  const r = await deployCheck();
  assert.ok(r.output.includes(`listening on http://127.0.0.1:${r.port}/`));
  assert.ok(r.handlers.includes("/echo"));
  assert.equal(r.clientCloseCode, 1001);
  assert.equal(r.exitCode, 0);
  assert.ok(r.exitMs < DEPLOY_KILL_MS, `exit took ${r.exitMs} ms`);
});

Deno.test("deno.json names main.ts as the Deploy entrypoint", () => {
  assert.deepEqual(denoJson.deploy.runtime, {
    type: "dynamic",
    entrypoint: "./main.ts",
  });
});

// Deploy runs the deno engine, but any supervisor's kill deadline (systemd,
// Docker) applies to the native engine as much.
eachEngine.test("SIGINT exits before Deploy's 5 s kill even when a client never answers the close", async (engine) => {
  const server = await startEngine(engine);
  // A raw client that completes the handshake, then never reads or answers.
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  try {
    const head = Object.entries(upgradeHeaders())
      .map(([k, v]) => `${k}: ${v}\r\n`).join("");
    await conn.write(
      new TextEncoder().encode(`GET /echo HTTP/1.1\r\n${head}\r\n`),
    );
    assert.equal((await readResponse(conn)).status, 101);
    const t0 = performance.now();
    const status = await server.stop("SIGINT");
    const ms = performance.now() - t0;
    assert.equal(status.code, 0, server.output());
    assert.ok(ms < DEPLOY_KILL_MS, `exit took ${Math.round(ms)} ms`);
    assert.match(server.output(), /shutdown signal=SIGINT connections=1/);
  } finally {
    conn.close();
  }
});
