import assert from "node:assert/strict";
import { VERSION } from "../lib/version.ts";
import { rawUpgrade, upgradeHeaders } from "./support/raw.ts";
import { promtoolCheck, scrape, scrapeUntil } from "./support/prom.ts";
import { startServer } from "./support/server.ts";
import { TestClient } from "./support/ws_client.ts";
import { eachEngine } from "./support/engines.ts";

const echo = (s: string) => `{handler="/echo"${s ? "," + s : ""}}`;

eachEngine.test("/_metrics counts a known sequence of connections exactly", async (engine) => {
  const server = await startServer({ engine });
  try {
    const a = await TestClient.open(`${server.ws}/echo`);
    const b = await TestClient.open(`${server.ws}/echo`);
    const c = await TestClient.open(`${server.ws}/echo`);
    a.send("hello"); // 5 bytes: ≤ 64
    assert.equal(await a.next(), "hello");
    b.send(new Uint8Array(300)); // ≤ 1024
    assert.equal((await b.next() as Uint8Array).byteLength, 300);
    await a.close(4000, "bye");
    await b.close(); // no code: the server sees 1005
    const room = await TestClient.open(`${server.ws}/rooms/lobby`);
    assert.equal(await room.next(), "room lobby"); // 10 bytes out
    await room.close(1000);
    const failing = new TestClient(`${server.ws}/internal_error`);
    assert.equal((await failing.closed).code, 1011);

    const m = await scrapeUntil(
      server.http,
      (s) =>
        s.get(`denosocket_connections_open${echo("")}`) === 1 &&
        s.get('denosocket_connections_open{handler="/rooms/:name"}') === 0 &&
        s.get('denosocket_connections_open{handler="/internal_error"}') === 0,
    );
    assert.equal(m.get(`denosocket_connections_open${echo("")}`), 1);
    assert.equal(m.get(`denosocket_connections_total${echo("")}`), 3);
    assert.equal(
      m.get(`denosocket_connections_closed_total${echo('code="4000"')}`),
      1,
    );
    assert.equal(
      m.get(`denosocket_connections_closed_total${echo('code="1005"')}`),
      1,
    );
    assert.equal(
      m.get(`denosocket_connection_duration_seconds_count${echo("")}`),
      2,
    );
    assert.equal(
      m.get(`denosocket_messages_total${echo('direction="in"')}`),
      2,
    );
    assert.equal(
      m.get(`denosocket_messages_total${echo('direction="out"')}`),
      2,
    );
    assert.equal(
      m.get(`denosocket_message_bytes_total${echo('direction="in"')}`),
      305,
    );
    assert.equal(
      m.get(`denosocket_message_bytes_total${echo('direction="out"')}`),
      305,
    );
    const bucket = (le: string) =>
      m.get(
        `denosocket_message_size_bytes_bucket${
          echo(`direction="in",le="${le}"`)
        }`,
      );
    assert.deepEqual(
      ["64", "256", "1024", "+Inf"].map(bucket),
      [1, 1, 2, 2],
    );
    assert.equal(
      m.get(`denosocket_message_size_bytes_sum${echo('direction="in"')}`),
      305,
    );
    const rooms = '{handler="/rooms/:name"';
    assert.equal(m.get(`denosocket_connections_total${rooms}}`), 1);
    assert.equal(
      m.get(`denosocket_connections_closed_total${rooms},code="1000"}`),
      1,
    );
    assert.equal(
      m.get(`denosocket_message_bytes_total${rooms},direction="out"}`),
      10,
    );
    assert.equal(
      m.get('denosocket_handler_errors_total{handler="/internal_error"}'),
      1,
    );
    assert.equal(
      m.get(
        'denosocket_connections_closed_total{handler="/internal_error",code="1011"}',
      ),
      1,
    );
    assert.ok(m.get("process_resident_memory_bytes")! > 1_000_000);

    const health = await (await fetch(`${server.http}/_health`)).json();
    assert.equal(health.status, "ok");
    assert.equal(health.connections, 1);
    assert.equal(health.version, VERSION);
    assert.equal(typeof health.uptime_s, "number");
    assert.ok(health.uptime_s > 0);
    await c.close();
  } finally {
    await server.close();
  }
});

eachEngine.test("/_metrics counts handshake rejections by status", async (engine) => {
  const server = await startServer({ engine });
  try {
    const h = upgradeHeaders();
    assert.equal((await rawUpgrade(server.port, "/nope", h)).status, 404);
    assert.equal((await rawUpgrade(server.port, "/nope2", h)).status, 404);
    const v8 = upgradeHeaders({ "Sec-WebSocket-Version": "8" });
    assert.equal((await rawUpgrade(server.port, "/echo", v8)).status, 426);
    const proto = upgradeHeaders({ "Sec-WebSocket-Protocol": "nothing" });
    assert.equal(
      (await rawUpgrade(server.port, "/subprotocol", proto)).status,
      400,
    );
    const m = await scrape(server.http);
    assert.equal(
      m.get('denosocket_handshake_rejections_total{status="404"}'),
      2,
    );
    assert.equal(
      m.get('denosocket_handshake_rejections_total{status="426"}'),
      1,
    );
    assert.equal(
      m.get('denosocket_handshake_rejections_total{status="400"}'),
      1,
    );
    assert.equal(
      m.get(`denosocket_connections_total${echo("")}`),
      0,
      "a refused upgrade is not a connection",
    );
  } finally {
    await server.close();
  }
});

eachEngine.test("/_metrics passes promtool check metrics after traffic", async (engine) => {
  const server = await startServer({ engine });
  try {
    const a = await TestClient.open(`${server.ws}/echo`);
    a.send("x".repeat(70_000));
    await a.next();
    await a.close(4001, "done");
    await rawUpgrade(server.port, "/nope", upgradeHeaders());
    server.app.metrics.topicPublished();
    await scrapeUntil(
      server.http,
      (s) => s.get(`denosocket_connections_open${echo("")}`) === 0,
    );
    const res = await fetch(`${server.http}/_metrics`);
    assert.equal(
      res.headers.get("content-type"),
      "text/plain; version=0.0.4; charset=utf-8",
    );
    const text = await res.text();
    const check = await promtoolCheck(text);
    assert.ok(check.ok, `promtool: ${check.output}\n${text}`);
  } finally {
    await server.close();
  }
});

eachEngine.test("/_metrics counts topic publishes, deliveries per handler, and sent messages", async (engine) => {
  const server = await startServer({ engine });
  try {
    const url = `${server.ws}/pubsub/news?hello=1`;
    const [a, b, c] = await Promise.all(
      [url, url, url].map((u) => TestClient.open(u)),
    );
    // The hello arrives once each subscription is in place.
    for (const client of [a, b, c]) {
      assert.match(String(await client.next()), /subscribed/);
    }
    a.send("headline"); // published once, delivered to b and c (not a)
    assert.equal(await b.next(), "headline");
    assert.equal(await c.next(), "headline");
    const m = await scrape(server.http);
    const h = '{handler="/pubsub/:topic"}';
    assert.equal(m.get("denosocket_topic_publishes_total"), 1);
    assert.equal(m.get(`denosocket_topic_deliveries_total${h}`), 2);
    assert.equal(m.get(`denosocket_topic_dropped_total${h}`), 0);
    assert.equal(
      m.get(
        'denosocket_messages_total{handler="/pubsub/:topic",direction="out"}',
      ),
      3 + 2, // three hellos, two deliveries
    );
    await Promise.all([a.close(), b.close(), c.close()]);
  } finally {
    await server.close();
  }
});
