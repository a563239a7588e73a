/**
 * `GET /_upgrade_check`: the plain request through which a page learns why
 * its WebSocket was refused. Raw upgrades and plain fetches against a real
 * server on both engines.
 */
import assert from "node:assert/strict";
import { rawUpgrade, upgradeHeaders } from "./support/raw.ts";
import { withServer } from "./support/server.ts";
import { eachEngine } from "./support/engines.ts";

async function check(base: string, query: string) {
  const res = await fetch(`${base}/_upgrade_check?${query}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("access-control-allow-origin"), "*");
  return await res.json();
}

eachEngine.test("/_upgrade_check runs the checks again for a path nobody tried", async (engine) => {
  await withServer({ engine }, undefined, async (s) => {
    assert.deepEqual(await check(s.http, "path=/nope"), {
      path: "/nope",
      status: 404,
      reason: "no WebSocket handler at /nope",
      seen: "check",
    });
    assert.deepEqual(
      await check(s.http, "path=/subprotocol&protocols=mqtt,stomp"),
      {
        path: "/subprotocol",
        status: 400,
        reason:
          "no supported subprotocol: offered mqtt, stomp; this endpoint speaks chat.v2, chat",
        seen: "check",
      },
    );
    const ok = await check(s.http, "path=/subprotocol&protocols=chat");
    assert.equal(ok.status, 101);
    assert.equal(
      ok.reason,
      "nothing refuses it here: handlers/subprotocol.ts serves /subprotocol and speaks chat",
    );
  });
});

eachEngine.test("/_upgrade_check reports the refusal the server just sent this client, accept() included", async (engine) => {
  await withServer({ engine }, undefined, async (s) => {
    const refused = await rawUpgrade(
      s.port,
      "/origin_check?x=1",
      upgradeHeaders({ Origin: "http://evil.test" }),
    );
    assert.equal(refused.status, 403);
    // The same path with the same query, from the same address.
    assert.deepEqual(
      await check(s.http, `path=${encodeURIComponent("/origin_check?x=1")}`),
      {
        path: "/origin_check?x=1",
        status: 403,
        reason: "origin http://evil.test is not allowed",
        seen: "recent",
      },
    );
    // Another query was never refused: the checks before accept() pass.
    const other = await check(s.http, "path=/origin_check");
    assert.equal(other.seen, "check");
    assert.equal(other.status, 101);
    assert.match(other.reason, /its accept\(\) decides the rest$/);
  });
});

eachEngine.test("/_upgrade_check applies --origin with the page's origin, and caps without taking a slot", async (engine) => {
  await withServer(
    { engine, origins: ["http://good.test"], maxConnections: 1 },
    undefined,
    async (s) => {
      const bad = await check(s.http, "path=/echo&origin=http://evil.test");
      assert.deepEqual([bad.status, bad.reason], [
        403,
        "origin http://evil.test is not allowed",
      ]);
      const good = await check(s.http, "path=/echo&origin=http://good.test");
      assert.equal(good.status, 101);
      // Asking twice did not use up the one connection allowed.
      const ws = new WebSocket(`${s.ws}/echo`);
      await new Promise((resolve, reject) => {
        ws.onopen = resolve;
        ws.onerror = reject;
      });
      const full = await check(s.http, "path=/echo&origin=http://good.test");
      assert.deepEqual([full.status, full.seen], [503, "check"]);
      ws.close();
      await new Promise((r) => ws.onclose = r);
    },
  );
});

eachEngine.test("/_upgrade_check refuses what it cannot answer with a status and a reason", async (engine) => {
  await withServer({ engine }, undefined, async (s) => {
    const none = await fetch(`${s.http}/_upgrade_check`);
    assert.equal(none.status, 400);
    assert.equal(await none.text(), "give the path to check: ?path=/echo\n");
    const post = await fetch(`${s.http}/_upgrade_check?path=/echo`, {
      method: "POST",
    });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get("allow"), "GET");
    await post.body?.cancel();
  });
});
