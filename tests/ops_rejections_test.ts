// denosocket_handshake_rejections_total for each refusal the guard and
// handlers make: 401 (--basic-auth, accept()), 403 (--origin), 429
// (--max-connections-per-ip) and 503 (--max-connections). Each server sees
// a known sequence, and the counters must match it exactly, with no status
// counted that did not happen.
import assert from "node:assert/strict";
import { defineHandler } from "../lib/mod.ts";
import manifest from "../handlers/manifest.gen.ts";
import { routesFromManifest } from "../lib/routing/manifest.ts";
import type { Route } from "../lib/routing/router.ts";
import type { ServerOptions } from "../lib/options.ts";
import { rawOpen, rawUpgrade, upgradeHeaders } from "./support/raw.ts";
import { scrape } from "./support/prom.ts";
import { startServer, type TestServer } from "./support/server.ts";
import { TestClient } from "./support/ws_client.ts";
import { eachEngine } from "./support/engines.ts";

const routes: Route[] = [
  ...routesFromManifest(manifest),
  {
    pattern: "/members",
    file: "tests/ops_rejections_test.ts",
    handler: defineHandler({
      accept(req) {
        if (req.headers.get("authorization") === "Bearer yes") return;
        return new Response("token required\n", { status: 401 });
      },
      open() {},
    }),
  },
];

/** The rejection counters, status → count (absent statuses left out). */
async function rejections(s: TestServer): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [series, v] of await scrape(s.http)) {
    const m = /^denosocket_handshake_rejections_total\{status="(\d+)"\}$/
      .exec(series);
    if (m) out[m[1]] = v;
  }
  return out;
}

async function withCounting(
  options: Partial<ServerOptions>,
  fn: (s: TestServer) => Promise<void>,
): Promise<void> {
  const s = await startServer(options, routes);
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

eachEngine.test("/_metrics counts 401s from --basic-auth and from accept()", async (engine) => {
  await withCounting({ engine, basicAuth: "ann:pw" }, async (s) => {
    const h = upgradeHeaders();
    const good = upgradeHeaders({ Authorization: `Basic ${btoa("ann:pw")}` });
    const bad = upgradeHeaders({ Authorization: `Basic ${btoa("ann:no")}` });
    assert.equal((await rawUpgrade(s.port, "/echo", h)).status, 401);
    assert.equal((await rawUpgrade(s.port, "/echo", bad)).status, 401);
    const refused = await rawUpgrade(s.port, "/members", good);
    assert.equal(refused.status, 401, "accept() refuses");
    // A plain page request refused by --basic-auth is no handshake.
    assert.equal((await rawUpgrade(s.port, "/", { Host: "x" })).status, 401);
    assert.deepEqual(await rejections(s), { "401": 3 });
  });
});

eachEngine.test("/_metrics counts 403s from --origin and 429s from --max-connections-per-ip", async (engine) => {
  const allowed = "http://good.example";
  await withCounting(
    { engine, origins: [allowed], maxConnectionsPerIp: 1 },
    async (s) => {
      const evil = upgradeHeaders({ Origin: "http://evil.example" });
      assert.equal((await rawUpgrade(s.port, "/echo", evil)).status, 403);
      assert.equal((await rawUpgrade(s.port, "/echo", evil)).status, 403);
      const first = await rawOpen(s.port, "/echo", { Origin: allowed });
      assert.equal(first.response.status, 101);
      const more = upgradeHeaders({ Origin: allowed });
      assert.equal((await rawUpgrade(s.port, "/echo", more)).status, 429);
      assert.deepEqual(await rejections(s), { "403": 2, "429": 1 });
      first.conn.close();
    },
  );
});

eachEngine.test("/_metrics counts 503s from --max-connections", async (engine) => {
  await withCounting({ engine, maxConnections: 1 }, async (s) => {
    const first = await TestClient.open(`${s.ws}/echo`);
    for (let i = 0; i < 3; i++) {
      const res = await rawUpgrade(s.port, "/echo", upgradeHeaders());
      assert.equal(res.status, 503);
    }
    assert.deepEqual(await rejections(s), { "503": 3 });
    await first.close();
  });
});
