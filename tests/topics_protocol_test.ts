/**
 * The `denosocket.topics.v1` protocol on `/topics`: every bad request gets
 * a specific answer, the connection and everyone else carry on. Real
 * servers on both engines, real clients.
 */
import assert from "node:assert/strict";
import { eachEngine } from "./support/engines.ts";
import { spawnServer, startServer, type TestServer } from "./support/server.ts";
import { type Frame, V1, V1Client } from "./support/topics_client.ts";
import { TestClient } from "./support/ws_client.ts";

/** Sends `req`; returns the next frame. */
async function ask(c: V1Client, req: unknown): Promise<Frame> {
  c.send(req);
  return await c.next();
}

/** The connection still answers: a publish with an id is acknowledged. */
async function stillServes(c: V1Client, topic: string, id: number) {
  const f = await ask(c, { type: "publish", topic, data: id, id });
  assert.deepEqual([f.type, f.id], ["published", id], JSON.stringify(f));
}

async function withTopics(
  engine: "deno" | "native",
  fn: (s: TestServer) => Promise<void>,
) {
  const server = await startServer({ engine, history: 100, logLevel: "warn" });
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

eachEngine.test("topics v1: bad requests get specific errors; the connection and others carry on", async (engine) => {
  await withTopics(engine, async (server) => {
    const url = `${server.ws}/topics`;
    const c = await V1Client.open(url);
    const watched = `watched-${engine}`;
    const watcher = await V1Client.open(url);
    watcher.send({ type: "subscribe", topic: watched });
    assert.equal((await watcher.next()).type, "subscribed");
    const cases: [string, unknown, Partial<Frame>][] = [
      ["malformed JSON", "{oops", { code: "bad_json" }],
      ["not an object", "[1,2]", { code: "bad_request" }],
      ["unknown type", { type: "shout", topic: "a" }, { code: "bad_request" }],
      ["no topic", { type: "subscribe" }, { code: "bad_request" }],
      ["topic too long", { type: "subscribe", topic: "t".repeat(257) }, {
        code: "bad_request",
      }],
      ["unknown topic", { type: "subscribe", topic: "no spaces" }, {
        code: "unknown_topic",
        topic: "no spaces",
      }],
      ["since not a position", {
        type: "subscribe",
        topic: "a",
        since: { epoch: 1, offset: -2 },
      }, { code: "bad_since", topic: "a" }],
      ["last out of range", { type: "subscribe", topic: "a", last: 10_001 }, {
        code: "bad_request",
      }],
      ["publish without data", { type: "publish", topic: "a", id: "p" }, {
        code: "bad_request",
        id: "p",
      }],
      ["bad id", { type: "publish", topic: "a", data: 1, id: {} }, {
        code: "bad_request",
      }],
      ["oversized publish", {
        type: "publish",
        topic: "a",
        data: "x".repeat(70_000),
        id: 7,
      }, { code: "too_large", id: 7, topic: "a" }],
    ];
    let n = 0;
    for (const [what, req, expected] of cases) {
      const f = await ask(c, req);
      assert.equal(f.type, "error", `${what}: ${JSON.stringify(f)}`);
      for (const [k, v] of Object.entries(expected)) {
        assert.equal(f[k], v, `${what}: ${JSON.stringify(f)}`);
      }
      assert.equal(typeof f.message, "string", what);
      await stillServes(c, watched, ++n);
      assert.equal(
        (await watcher.next()).data,
        n,
        `${what}: others still served`,
      );
    }
    await c.close();
    await watcher.close();
  });
});

eachEngine.test("topics v1: since ahead of the topic, or of another epoch, is answered and not recovered", async (engine) => {
  await withTopics(engine, async (server) => {
    const s = `s${engine}`;
    const pub = await V1Client.open(`${server.ws}/topics`);
    const c = await V1Client.open(`${server.ws}/topics`);
    c.send({ type: "subscribe", topic: s });
    const first = await c.next();
    await stillServes(pub, s, 1);
    assert.equal((await c.next()).type, "message");

    // Ahead: an error saying why, then live from the current offset.
    const d = await V1Client.open(`${server.ws}/topics`);
    d.send({
      type: "subscribe",
      topic: s,
      since: { epoch: first.epoch, offset: 99 },
    });
    const err = await d.next();
    assert.deepEqual([err.type, err.code, err.topic], [
      "error",
      "bad_since",
      s,
    ]);
    assert.match(err.message, /offset 99 is ahead of the last offset 1/);
    const ahead = await d.next();
    assert.deepEqual(
      [ahead.type, ahead.recovered, ahead.reason, ahead.offset],
      ["subscribed", false, "ahead", 1],
    );
    // Another epoch: not recovered, and with `last` the latest instead.
    const e = await V1Client.open(`${server.ws}/topics`);
    e.send({
      type: "subscribe",
      topic: s,
      since: { epoch: "gone", offset: 1 },
      last: 5,
    });
    const replay = await e.next();
    assert.deepEqual([replay.type, replay.offset, replay.data], [
      "message",
      1,
      1,
    ]);
    const other = await e.next();
    assert.deepEqual(
      [other.type, other.recovered, other.reason, other.epoch, other.offset],
      ["subscribed", false, "epoch", first.epoch, 1],
    );
    // Both are live: the next message reaches all three once.
    await stillServes(pub, s, 2);
    for (const x of [c, d, e]) {
      const m = await x.until((f) => f.type === "message");
      assert.deepEqual([m.frame.offset, m.frame.data], [2, 2]);
    }
    for (const x of [c, d, e, pub]) await x.close();
  });
});

eachEngine.test("topics v1: at most 100 subscriptions per connection; binary frames close 4003", async (engine) => {
  await withTopics(engine, async (server) => {
    const c = await V1Client.open(`${server.ws}/topics`);
    for (let i = 0; i < 100; i++) {
      c.send({ type: "subscribe", topic: `${engine}${i}` });
    }
    for (let i = 0; i < 100; i++) {
      assert.equal((await c.next()).type, "subscribed");
    }
    const f = await ask(c, { type: "subscribe", topic: "one-more" });
    assert.deepEqual(
      [f.type, f.code, f.topic],
      ["error", "too_many_topics", "one-more"],
    );
    // Subscribing again to one it has is a resubscribe, not a new one.
    const again = await ask(c, { type: "subscribe", topic: `${engine}5` });
    assert.equal(again.type, "subscribed");
    c.c.send(new Uint8Array([1, 2, 3]));
    const closed = await c.c.closed;
    assert.deepEqual([closed.code, closed.reason], [
      4003,
      "denosocket.topics.v1 takes JSON text frames",
    ]);
    // The server serves the next client as ever.
    const d = await V1Client.open(`${server.ws}/topics`);
    await stillServes(d, "after", 1);
    await d.close();
  });
});

Deno.test("topics v1: DENOSOCKET_TOPICS_TOKEN makes /topics ask for the token (401 without it)", async () => {
  const server = await spawnServer(["--log-level", "warn"], {
    DENOSOCKET_TOPICS_TOKEN: "s3cret",
  });
  try {
    const refused = await fetch(`${server.http}/topics`, {
      headers: {
        upgrade: "websocket",
        connection: "Upgrade",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        "sec-websocket-version": "13",
      },
    });
    assert.equal(refused.status, 401);
    assert.match(await refused.text(), /needs its token/);
    await assert.rejects(
      TestClient.open(`${server.ws}/topics?token=wrong`, V1),
    );
    const ok = await V1Client.open(`${server.ws}/topics?token=s3cret`);
    assert.equal(ok.c.socket.protocol, V1);
    await stillServes(ok, "news", 1);
    await ok.close();
  } finally {
    await server.stop();
  }
});
