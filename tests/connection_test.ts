import assert from "node:assert/strict";
import { defineHandler } from "../lib/mod.ts";
import type { Route } from "../lib/routing/router.ts";
import { rawOpen, rawUpgrade, upgradeHeaders } from "./support/raw.ts";
import { withServer } from "./support/server.ts";
import { waitFor } from "./support/wait.ts";
import { clientFrame, readFrames } from "./support/frames.ts";
import { TestClient } from "./support/ws_client.ts";
import { eachEngine } from "./support/engines.ts";

type Closed = { code: number; reason: string };

/** Routes that record what handlers see, for the assertions below. */
function recordingRoutes() {
  const closes: Closed[] = [];
  const errors: string[] = [];
  const route = (pattern: string, handler: Route["handler"]): Route => ({
    pattern,
    handler,
    file: `test${pattern}.ts`,
  });
  const routes: Route[] = [
    route(
      "/record",
      defineHandler({
        message(conn, data) {
          if (data === "close-bad") {
            try {
              conn.close(1011, "x");
            } catch (err) {
              conn.send(`${(err as Error).name}: ${(err as Error).message}`);
            }
          } else if (data === "close-long") {
            try {
              conn.close(1000, "é".repeat(62));
            } catch (err) {
              conn.send(`${(err as Error).name}: ${(err as Error).message}`);
            }
          } else conn.send(data);
        },
        close(_conn, code, reason) {
          closes.push({ code, reason });
        },
        error(_conn, err) {
          errors.push(String(err));
        },
      }),
    ),
    route(
      "/throw",
      defineHandler({
        message(_conn, data) {
          if (data === "boom") throw new Error("boom from message");
          return Promise.reject(new Error("async boom"));
        },
        close(_conn, code, reason) {
          closes.push({ code, reason });
        },
      }),
    ),
    route(
      "/accept_throws",
      defineHandler({
        accept() {
          throw new Error("accept exploded");
        },
        open() {},
      }),
    ),
    route(
      "/auth",
      defineHandler({
        accept(req) {
          if (req.headers.get("authorization") !== "Bearer s3cret") {
            return new Response("token required\n", {
              status: 401,
              headers: { "www-authenticate": 'Bearer realm="test"' },
            });
          }
          return { state: { user: "ann" } };
        },
        open(conn) {
          conn.send(JSON.stringify(conn.state));
        },
      }),
    ),
    route(
      "/headers",
      defineHandler({
        // On a message, not in open(): the reply must not share a read
        // with the 101.
        message(conn) {
          const h = conn.headers;
          conn.send(JSON.stringify({
            probe: h.get("x-probe"),
            twice: h.get("x-twice"),
            origin: conn.origin,
            key: h.has("sec-websocket-key"),
          }));
        },
      }),
    ),
  ];
  return { routes, closes, errors };
}

// Native only for now: on the deno engine, Deno 2.9 fetches a header from
// the request when it is read, and after the upgrade that throws "Request
// closed" (found here; a fix that keeps Deno's whole header list costs
// ~1.6 KiB per connection, so it is left to its own issue).
eachEngine.test(
  "conn.headers has every header of the upgrade request, values without surrounding whitespace",
  async (engine) => {
    const { routes } = recordingRoutes();
    await withServer({ engine }, routes, async (server) => {
      // The native engine keeps the head as text and makes these on read.
      const { conn } = await rawOpen(server.port, "/headers", {
        "X-Probe": " \tspaced value\t ",
        "X-Twice": "1",
        "x-twice": "2",
        Origin: "http://a.example",
      });
      try {
        await conn.write(clientFrame(1, "headers?"));
        const { frames } = await readFrames(conn, 5000, (f) => f.length > 0);
        assert.deepEqual(
          JSON.parse(new TextDecoder().decode(frames[0].payload)),
          {
            probe: "spaced value",
            twice: "1, 2",
            origin: "http://a.example",
            key: true,
          },
        );
      } finally {
        conn.close();
      }
    });
  },
  { engines: ["native"] },
);

eachEngine.test("close() is called exactly once with 1006 after an abrupt disconnect", async (engine) => {
  const { routes, closes } = recordingRoutes();
  await withServer({ engine }, routes, async (s) => {
    const { conn, response } = await rawOpen(s.port, "/record");
    assert.equal(response.status, 101);
    await waitFor(() => s.app.connections.size === 1);
    conn.close();
    await waitFor(() => closes.length === 1);
  });
  // Checked once the server is shut down: no later event can come.
  assert.deepEqual(closes, [{ code: 1006, reason: "" }]);
});

eachEngine.test("close() sees the client's code and reason, once", async (engine) => {
  const { routes, closes } = recordingRoutes();
  await withServer({ engine }, routes, async (s) => {
    const c = await TestClient.open(`${s.ws}/record`);
    const seen = await c.close(4000, "bye");
    assert.equal(seen.code, 4000);
    await waitFor(() => closes.length === 1);
    const bare = await TestClient.open(`${s.ws}/record`);
    await bare.close();
    await waitFor(() => closes.length === 2);
  });
  assert.deepEqual(closes, [{ code: 4000, reason: "bye" }, {
    code: 1005,
    reason: "",
  }]);
});

eachEngine.test("conn.close() throws RangeError for a reserved code or a reason over 123 bytes", async (engine) => {
  const { routes } = recordingRoutes();
  await withServer({ engine }, routes, async (s) => {
    const c = await TestClient.open(`${s.ws}/record`);
    c.send("close-bad");
    assert.equal(
      await c.next(),
      "RangeError: close code 1011 is not allowed: use 1000 or 3000-4999",
    );
    c.send("close-long");
    assert.equal(
      await c.next(),
      "RangeError: close reason is 124 UTF-8 bytes; at most 123 allowed",
    );
    c.send("still open");
    assert.equal(await c.next(), "still open");
    await c.close();
  });
});

eachEngine.test("a message over --max-message-size closes with 1009", async (engine) => {
  const { routes, closes } = recordingRoutes();
  await withServer({ engine, maxMessageSize: 1024 }, routes, async (s) => {
    const c = await TestClient.open(`${s.ws}/record`);
    c.send("x".repeat(1024));
    assert.equal((await c.next() as string).length, 1024);
    c.send(new Uint8Array(1025));
    const closed = await c.closed;
    assert.equal(closed.code, 1009);
    assert.match(closed.reason, /message over 1024 bytes/);
    await waitFor(() => closes.length === 1);
    assert.equal(closes[0].code, 1009);
    const text = await TestClient.open(`${s.ws}/record`);
    text.send("é".repeat(513)); // 1026 UTF-8 bytes in 513 code units
    assert.equal((await text.closed).code, 1009);
  });
});

eachEngine.test("a throwing message handler closes only its socket with 1011", async (engine) => {
  const { routes, closes } = recordingRoutes();
  await withServer({ engine }, routes, async (s) => {
    const bystander = await TestClient.open(`${s.ws}/record`);
    const sync = await TestClient.open(`${s.ws}/throw`);
    const async = await TestClient.open(`${s.ws}/throw`);
    sync.send("boom");
    async.send("later");
    assert.equal((await sync.closed).code, 1011);
    assert.equal((await async.closed).code, 1011);
    bystander.send("are you there?");
    assert.equal(await bystander.next(), "are you there?");
    await waitFor(() => closes.filter((c) => c.code === 1011).length === 2);
    assert.ok(s.logs.some((l) => l.includes("boom from message")));
    assert.ok(s.logs.some((l) => l.includes("async boom")));
    await bystander.close();
  });
});

eachEngine.test("accept() can refuse with any status, and a throwing accept() is a 500", async (engine) => {
  const { routes } = recordingRoutes();
  await withServer({ engine }, routes, async (s) => {
    const denied = await rawUpgrade(s.port, "/auth", upgradeHeaders());
    assert.equal(denied.status, 401);
    assert.equal(denied.headers.get("www-authenticate"), 'Bearer realm="test"');
    const c = new TestClient(`${s.ws}/auth`);
    await assert.rejects(c.opened);
    const ok = await rawUpgrade(
      s.port,
      "/auth",
      upgradeHeaders({ Authorization: "Bearer s3cret" }),
    );
    assert.equal(ok.status, 101);
    const broken = await rawUpgrade(s.port, "/accept_throws", upgradeHeaders());
    assert.equal(broken.status, 500);
    assert.ok(
      s.logs.some((l) =>
        l.includes("accept_error") && l.includes("accept exploded")
      ),
    );
  });
});

eachEngine.test("accept() state reaches conn.state", async (engine) => {
  const { routes } = recordingRoutes();
  await withServer({ engine }, routes, async (s) => {
    const res = await fetch(`${s.http}/auth`); // plain GET: endpoint page
    await res.body?.cancel();
    const { conn, response: r } = await rawOpen(s.port, "/auth", {
      Authorization: "Bearer s3cret",
    });
    assert.equal(r.status, 101);
    // The first frame follows the head: an unmasked text frame with the state.
    const frame = r.body.length
      ? r.body
      : new TextDecoder().decode(await readSome(conn));
    assert.ok(frame.includes('{"user":"ann"}'), frame);
    conn.close();
  });
});

eachEngine.test("an idle peer that never answers pings is closed 1001, and close() runs once", async (engine) => {
  const { routes, closes } = recordingRoutes();
  await withServer({ engine, idleTimeout: 1 }, routes, async (s) => {
    const { conn, response } = await rawOpen(s.port, "/record");
    assert.equal(response.status, 101);
    await waitFor(() => closes.length >= 1, 10_000);
    conn.close();
  });
  // After shutdown: Deno's second close event (1005) never reached close().
  assert.deepEqual(closes.map((c) => c.code), [1001]);
});

async function readSome(conn: Deno.Conn): Promise<Uint8Array> {
  const buf = new Uint8Array(1024);
  const n = await conn.read(buf);
  return buf.subarray(0, n ?? 0);
}
