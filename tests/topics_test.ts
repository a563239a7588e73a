/** Topics in one process: real server on port 0, real Deno WebSocket clients. */
import assert from "node:assert/strict";
import { defineHandler, publish, subscriberCount } from "../lib/mod.ts";
import manifest from "../handlers/manifest.gen.ts";
import { routesFromManifest } from "../lib/routing/manifest.ts";
import type { Route } from "../lib/routing/router.ts";
import type { EngineName } from "../lib/options.ts";
import { eachEngine } from "./support/engines.ts";
import { rawOpen } from "./support/raw.ts";
import { startServer, type TestServer } from "./support/server.ts";
import { waitFor } from "./support/wait.ts";
import { TestClient } from "./support/ws_client.ts";

/** `/ctl`: text commands drive the topic API: `sub T`, `unsub T`, `topics`, `pub T DATA`. */
const ctl = defineHandler({
  message(conn, data) {
    if (typeof data !== "string") {
      conn.publish("bin", data);
      return;
    }
    const [cmd, topic, ...rest] = data.split(" ");
    if (cmd === "sub") conn.subscribe(topic);
    else if (cmd === "unsub") conn.unsubscribe(topic);
    else if (cmd === "pub") conn.publish(topic, rest.join(" "));
    else if (cmd === "topics") conn.send(`topics=${conn.topics.join(",")}`);
    else if (cmd === "bad") conn.subscribe("");
    conn.send(`ok ${data}`);
  },
});

async function withServer(
  engine: EngineName,
  fn: (s: TestServer) => Promise<void>,
) {
  const routes: Route[] = [
    ...routesFromManifest(manifest),
    { pattern: "/ctl", handler: ctl, file: "tests/topics_test.ts" },
  ];
  const server = await startServer({ engine }, routes);
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

/** Opens a /ctl client and runs commands, waiting for each to be acknowledged. */
async function ctlClient(server: TestServer, ...cmds: string[]) {
  const c = await TestClient.open(`${server.ws}/ctl`);
  for (const cmd of cmds) await command(c, cmd);
  return c;
}

async function command(c: TestClient, cmd: string): Promise<void> {
  c.send(cmd);
  assert.equal(await c.next(), `ok ${cmd}`);
}

eachEngine.test("conn.publish() reaches every other subscriber, not the sender", async (engine) => {
  await withServer(engine, async (server) => {
    const a = await ctlClient(server, "sub t1");
    const b = await ctlClient(server, "sub t1");
    const c = await ctlClient(server, "sub t1");
    const outsider = await ctlClient(server, "sub t2");
    a.send("pub t1 hello");
    assert.equal(await a.next(), "ok pub t1 hello");
    assert.equal(await b.next(), "hello");
    assert.equal(await c.next(), "hello");
    // Markers, not silence: the next thing each gets is the marker, so
    // "hello" reached neither the sender nor another topic, and c once.
    await command(b, "pub t1 end");
    assert.equal(await a.next(), "end");
    assert.equal(await c.next(), "end");
    await command(b, "pub t2 end2");
    assert.equal(await outsider.next(), "end2");
    await Promise.all([a, b, c, outsider].map((x) => x.close()));
  });
});

eachEngine.test("conn.topics lists subscriptions; unsubscribe() stops delivery", async (engine) => {
  await withServer(engine, async (server) => {
    const a = await ctlClient(server, "sub x", "sub y", "sub x");
    a.send("topics");
    assert.equal(await a.next(), "topics=x,y");
    assert.equal(await a.next(), "ok topics");
    const b = await ctlClient(server);
    await command(b, "pub x one");
    assert.equal(await a.next(), "one");
    await command(a, "unsub x");
    a.send("topics");
    assert.equal(await a.next(), "topics=y");
    assert.equal(await a.next(), "ok topics");
    await command(b, "pub x two");
    await command(b, "pub y three");
    assert.equal(await a.next(), "three");
    await Promise.all([a.close(), b.close()]);
  });
});

eachEngine.test("a closed connection leaves every topic", async (engine) => {
  await withServer(engine, async (server) => {
    const a = await ctlClient(server, "sub gone1", "sub gone2");
    assert.equal(subscriberCount("gone1"), 1);
    assert.equal(subscriberCount("gone2"), 1);
    await a.close();
    await waitFor(() => server.app.connections.size === 0, 10_000);
    assert.equal(subscriberCount("gone1"), 0);
    assert.equal(subscriberCount("gone2"), 0);
    // An abrupt end (TCP gone, no close frame) counts as a close too.
    const raw = await rawOpen(server.port, "/pubsub/gone3");
    assert.equal(raw.response.status, 101);
    await waitFor(() => subscriberCount("pubsub:gone3") === 1, 10_000);
    raw.conn.close();
    await waitFor(() => subscriberCount("pubsub:gone3") === 0, 10_000);
  });
});

eachEngine.test("binary messages fan out as binary, byte for byte", async (engine) => {
  await withServer(engine, async (server) => {
    const a = await ctlClient(server);
    const b = await ctlClient(server, "sub bin");
    const bytes = new Uint8Array([0, 1, 2, 255, 254, 128]);
    a.send(bytes);
    assert.deepEqual(await b.next(), bytes);
    await Promise.all([a.close(), b.close()]);
  });
});

eachEngine.test("publish() from server code reaches every subscriber", async (engine) => {
  await withServer(engine, async (server) => {
    const a = await ctlClient(server, "sub news");
    const b = await ctlClient(server, "sub news");
    publish("news", "extra");
    publish("news", new Uint8Array([7, 8]).buffer);
    assert.equal(await a.next(), "extra");
    assert.equal(await b.next(), "extra");
    assert.deepEqual(await a.next(), new Uint8Array([7, 8]));
    assert.deepEqual(await b.next(), new Uint8Array([7, 8]));
    await Promise.all([a.close(), b.close()]);
  });
});

eachEngine.test("an invalid topic is a handler error: the connection closes 1011", async (engine) => {
  await withServer(engine, async (server) => {
    const a = await ctlClient(server);
    a.send("bad");
    const closed = await a.closed;
    assert.equal(closed.code, 1011);
    assert.ok(server.logs.some((l) => /handler_error.*topic must be/.test(l)));
    assert.throws(() => publish("", "x"), TypeError);
    assert.throws(() => publish("a".repeat(257), "x"), TypeError);
  });
});

eachEngine.test("/pubsub/:topic relays to the topic's other clients and refuses bad names", async (engine) => {
  await withServer(engine, async (server) => {
    const a = await TestClient.open(`${server.ws}/pubsub/room.1?hello=1`);
    const b = await TestClient.open(`${server.ws}/pubsub/room.1?hello=1`);
    const hello = JSON.parse(await a.next() as string);
    assert.equal(hello.type, "subscribed");
    assert.equal(hello.topic, "room.1");
    await b.next();
    a.send("ping");
    assert.equal(await b.next(), "ping");
    b.send("pong");
    assert.equal(await a.next(), "pong", "a's own ping did not come back");
    const res = await fetch(`${server.http}/pubsub/bad%20name`, {
      headers: {
        upgrade: "websocket",
        connection: "Upgrade",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        "sec-websocket-version": "13",
      },
    });
    assert.equal(res.status, 400);
    await res.body?.cancel();
    await Promise.all([a.close(), b.close()]);
  });
});
