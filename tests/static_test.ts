import assert from "node:assert/strict";
import { rawRequest } from "./support/raw.ts";
import { withServer } from "./support/server.ts";
import { eachEngine } from "./support/engines.ts";

eachEngine.test("serveStatic() serves the tutorial page with its type, length and ETag", async (engine) => {
  await withServer({ engine }, undefined, async (s) => {
    const res = await fetch(`${s.http}/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
    const body = await res.text();
    assert.match(body, /Run WebSocket/);
    assert.equal(
      Number(res.headers.get("content-length")),
      new TextEncoder().encode(body).length,
    );
    assert.match(res.headers.get("etag") ?? "", /^W\/"/);
    const again = await fetch(`${s.http}/index.html`);
    assert.equal(await again.text(), body);
  });
});

eachEngine.test("serveStatic() answers 304 to a fresh ETag and HEAD without a body", async (engine) => {
  await withServer({ engine }, undefined, async (s) => {
    const first = await fetch(`${s.http}/`);
    await first.body?.cancel();
    const etag = first.headers.get("etag")!;
    const cached = await fetch(`${s.http}/`, {
      headers: { "if-none-match": etag },
    });
    assert.equal(cached.status, 304);
    assert.equal(await cached.text(), "");
    const stale = await fetch(`${s.http}/`, {
      headers: { "if-none-match": 'W/"other"' },
    });
    assert.equal(stale.status, 200);
    await stale.body?.cancel();
    const head = await fetch(`${s.http}/`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(
      head.headers.get("content-length"),
      first.headers.get("content-length"),
    );
    assert.equal(await head.text(), "");
  });
});

eachEngine.test("serveStatic() never leaves the static folder", async (engine) => {
  await withServer({ engine }, undefined, async (s) => {
    for (
      const path of [
        "/../deno.json",
        "/%2e%2e/deno.json",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/..%2fdeno.json",
        "/static%2f..%2fdeno.json",
        "/..%5cdeno.json",
        "/.git/config",
        "/%00",
        "/%E0%A4%A",
      ]
    ) {
      // Raw bytes, so no client normalises the dots away first.
      const res = await rawRequest(
        s.port,
        `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      );
      assert.equal(res.status, 404, `${path} → ${res.status}`);
      assert.doesNotMatch(res.body, /"tasks"|root:/);
    }
    const missing = await fetch(`${s.http}/nope.html`);
    assert.equal(missing.status, 404);
    assert.match(await missing.text(), /not found: \/nope\.html/);
  });
});

eachEngine.test("--no-static serves no files", async (engine) => {
  await withServer({ engine, staticDir: null }, undefined, async (s) => {
    const res = await fetch(`${s.http}/`);
    assert.equal(res.status, 404);
    await res.body?.cancel();
  });
});
