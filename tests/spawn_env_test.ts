/**
 * Spawned servers start from `childEnv()`, not from the test process's
 * environment: a `DENOSOCKET_OPS_TOKEN` (or `DENOSOCKET_BUS`, `PORT`…) set on
 * a CI machine must not reach the `main.ts` a test starts.
 */
import assert from "node:assert/strict";
import { runCli, spawnServer } from "./support/server.ts";

async function metricsStatus(http: string, token?: string): Promise<number> {
  const res = await fetch(`${http}/_metrics`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  await res.body?.cancel();
  return res.status;
}

Deno.test("a spawned main.ts gets only the variables it is given, not this process's", async () => {
  Deno.env.set("DENOSOCKET_OPS_TOKEN", "set-on-the-ci-machine");
  try {
    const plain = await spawnServer(["--no-static"]);
    try {
      assert.equal(await metricsStatus(plain.http), 200, plain.output());
    } finally {
      await plain.stop();
    }
    const given = await spawnServer(["--no-static"], {
      DENOSOCKET_OPS_TOKEN: "given",
    });
    try {
      assert.equal(await metricsStatus(given.http), 401);
      assert.equal(await metricsStatus(given.http, "given"), 200);
    } finally {
      await given.stop();
    }
  } finally {
    Deno.env.delete("DENOSOCKET_OPS_TOKEN");
  }
});

Deno.test("runCli() runs main.ts without this process's DENOSOCKET_* variables", async () => {
  Deno.env.set("DENOSOCKET_BUS", "nonsense://");
  try {
    const r = await runCli(["--list-handlers"]);
    assert.equal(r.code, 0, r.stderr);
  } finally {
    Deno.env.delete("DENOSOCKET_BUS");
  }
});
