/**
 * Topics across machines: a real `redis-server` on a free port, two separate
 * `main.ts --bus redis://…` processes, a client on each. Then Redis dies and
 * comes back on the same port.
 */
import assert from "node:assert/strict";
import { startEngine } from "./support/engines.ts";
import type { ServerProcess } from "./support/server.ts";
import { TestClient } from "./support/ws_client.ts";
import { freePort, startRedis } from "./support/redis.ts";
import { type Frame, V1Client } from "./support/topics_client.ts";

async function waitFor(what: string, cond: () => boolean, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Sends numbered messages from `from` until `to` receives one (a Redis
 * SUBSCRIBE takes a round trip to be in place), then returns it.
 */
async function firstThrough(from: TestClient, to: TestClient, tag: string) {
  for (let i = 0; i < 100; i++) {
    from.send(`${tag}-${i}`);
    try {
      return await to.next(300);
    } catch { /* not subscribed yet */ }
  }
  throw new Error(`${tag}: nothing got through`);
}

/** Takes every message already queued or arriving within `ms`. */
async function drain(c: TestClient, ms = 300): Promise<unknown[]> {
  const out: unknown[] = [];
  for (;;) {
    try {
      out.push(await c.next(ms));
    } catch {
      return out;
    }
  }
}

function count(text: string, re: RegExp): number {
  return (text.match(new RegExp(re, "g")) ?? []).length;
}

Deno.test("redis bus: a deno-engine and a native-engine server share topics, survive a Redis outage and recover", async () => {
  const dir = await Deno.makeTempDir({ prefix: "denosocket-redis-" });
  const port = freePort();
  let redis = await startRedis(port, dir);
  const servers: ServerProcess[] = [];
  const clients: TestClient[] = [];
  const chats: V1Client[] = [];
  try {
    const bus = ["--bus", `redis://127.0.0.1:${port}`];
    // One server per engine: the bus is the engines' common ground.
    servers.push(
      await startEngine("deno", bus),
      await startEngine("native", bus),
    );
    const [s1, s2] = servers;
    for (const s of servers) assert.match(s.output(), /bus_up kind=redis/);
    const open = async (s: ServerProcess) => {
      const c = await TestClient.open(`${s.ws}/pubsub/shared?hello=1`);
      clients.push(c);
      await c.next(); // subscribed
      return c;
    };
    const a = await open(s1);
    const b = await open(s2);

    // Server 1 → server 2, then exactly once each way, text and binary.
    await firstThrough(a, b, "warm");
    await drain(b);
    assert.deepEqual(await drain(a), [], "the sender gets nothing back");
    a.send("one");
    assert.equal(await b.next(10_000), "one");
    b.send(new Uint8Array([1, 2, 3]));
    assert.deepEqual(await a.next(10_000), new Uint8Array([1, 2, 3]));
    assert.deepEqual(await drain(a), []);
    assert.deepEqual(await drain(b), []);

    // Any Redis client can publish into a topic: both servers deliver it.
    const cli = await new Deno.Command("/usr/bin/redis-cli", {
      args: [
        "-p",
        String(port),
        "PUBLISH",
        "denosocket:0:pubsub:shared",
        "from cli",
      ],
      stdout: "piped",
    }).output();
    assert.equal(new TextDecoder().decode(cli.stdout).trim(), "2"); // 2 servers
    assert.equal(await a.next(10_000), "from cli");
    assert.equal(await b.next(10_000), "from cli");

    // Chat across servers: the room's history is one Redis stream, so
    // every client sees the same lines at the same offsets, once each, and
    // a newcomer on either server gets them replayed.
    const room = `x${crypto.randomUUID().slice(0, 6)}`;
    const chat = async (s: ServerProcess, name: string) => {
      const c = await V1Client.open(`${s.ws}/chat/${room}?name=${name}`);
      chats.push(c);
      c.send({ type: "subscribe", topic: room, last: 50 });
      return c;
    };
    /** Lines by offset until `n` distinct ones; fails on a repeated offset. */
    const lines = async (c: V1Client, n: number, first: Frame[] = []) => {
      const got = new Map<number, string>();
      while (got.size < n) {
        const f = first.shift() ?? await c.next();
        if (f.type !== "message") continue;
        assert.ok(!got.has(f.offset), `offset ${f.offset} twice`);
        got.set(f.offset, `${f.data.type} ${f.data.text}`);
      }
      return got;
    };
    const ann = await chat(s1, "ann");
    await ann.until((f) => f.type === "subscribed");
    const ben = await chat(s2, "ben");
    const replayed = (await ben.until((f) => f.type === "subscribed")).before;
    ann.send({ type: "publish", topic: room, data: { text: "hi ben" } });
    ben.send({ type: "publish", topic: room, data: { text: "hi ann" } });
    const atAnn = await lines(ann, 4);
    const atBen = await lines(ben, 4, replayed); // ann's join, then live
    assert.deepEqual(atBen, atAnn);
    assert.deepEqual(
      [...atAnn.values()].sort(),
      [
        "join ann joined",
        "join ben joined",
        "message hi ann",
        "message hi ben",
      ],
    );
    const cat = await chat(s2, "cat");
    const { before } = await cat.until((f) => f.type === "subscribed");
    assert.deepEqual(
      new Map(before.map((f) => [f.offset, `${f.data.type} ${f.data.text}`])),
      atAnn,
    );

    // Redis goes away: each server still serves its own subscribers.
    redis.kill("SIGKILL");
    await redis.status;
    await waitFor(
      "bus_down on both",
      () => servers.every((s) => /bus_down kind=redis/.test(s.output())),
    );
    const a2 = await open(s1);
    a.send("local only");
    assert.equal(await a2.next(10_000), "local only");
    assert.deepEqual(await drain(b), [], "nothing crosses without Redis");

    // Redis returns on the same port: both recover, topics cross again.
    redis = await startRedis(port, dir);
    await waitFor(
      "bus_recovered on both",
      () => servers.every((s) => /bus_recovered kind=redis/.test(s.output())),
    );
    const got = await firstThrough(b, a, "back");
    assert.match(String(got), /^back-\d+$/);
    await drain(a);
    await drain(a2);
    b.send("after");
    assert.equal(await a.next(10_000), "after");
    assert.equal(await a2.next(10_000), "after");
    assert.deepEqual(await drain(a), []);

    // The outage and the recovery are each logged once per server.
    for (const s of [s1, s2]) {
      assert.equal(count(s.output(), /bus_down kind=redis/), 1, s.output());
      assert.equal(
        count(s.output(), /bus_recovered kind=redis/),
        1,
        s.output(),
      );
    }
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(chats.map((c) => c.close()));
    await Promise.all(servers.map((s) => s.stop()));
    try {
      redis.kill("SIGKILL");
    } catch { /* already gone */ }
    await redis.status;
    await Deno.remove(dir, { recursive: true });
  }
});
