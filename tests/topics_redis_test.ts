/**
 * Topics across machines: a real `redis-server` on a free port, two separate
 * `main.ts --bus redis://…` processes, a client on each. Then Redis dies and
 * comes back on the same port.
 *
 * "Exactly once" is checked with markers, never by waiting a while and
 * counting: after the messages under test, the same publisher sends a
 * marker, and everything a client received before it must be exactly the
 * expected sequence (a duplicate or a stray message shows up in it).
 */
import assert from "node:assert/strict";
import { startEngine } from "./support/engines.ts";
import type { ServerProcess } from "./support/server.ts";
import { childEnv } from "./support/spawn.ts";
import { TOOLS } from "./support/tools.ts";
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
 * Sends numbered messages `tag-0`, `tag-1`, … from `from` until `to`
 * receives one (a Redis SUBSCRIBE takes a round trip to be in place).
 * Returns the first one `to` got and the number of the last one sent.
 */
async function firstThrough(from: TestClient, to: TestClient, tag: string) {
  for (let i = 0; i < 100; i++) {
    from.send(`${tag}-${i}`);
    try {
      return { got: String(await to.next(300)), last: i };
    } catch { /* not subscribed yet */ }
  }
  throw new Error(`${tag}: nothing got through`);
}

/** What `c` receives up to `marker` (excluded): fails if it never comes. */
async function upTo(c: TestClient, marker: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for (;;) {
    const m = await c.next(10_000);
    if (m === marker) return out;
    out.push(m);
  }
}

function numbered(tag: string, from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, i) => `${tag}-${from + i}`);
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
    const warm = await firstThrough(a, b, "warm");
    a.send("mark-1");
    const n = Number(warm.got.slice("warm-".length));
    assert.deepEqual(
      await upTo(b, "mark-1"),
      numbered("warm", n + 1, warm.last),
    );
    b.send("mark-2");
    assert.deepEqual(
      await upTo(a, "mark-2"),
      [],
      "the sender gets nothing back",
    );
    a.send("one");
    b.send(new Uint8Array([1, 2, 3]));
    a.send("mark-3");
    b.send("mark-4");
    assert.deepEqual(await upTo(b, "mark-3"), ["one"]);
    assert.deepEqual(await upTo(a, "mark-4"), [new Uint8Array([1, 2, 3])]);

    // Any Redis client can publish into a topic: both servers deliver it.
    const cli = await new Deno.Command(TOOLS.redisCli.path, {
      args: [
        "-p",
        String(port),
        "PUBLISH",
        "denosocket:0:pubsub:shared",
        "from cli",
      ],
      clearEnv: true,
      env: childEnv(),
      stdout: "piped",
    }).output();
    assert.equal(new TextDecoder().decode(cli.stdout).trim(), "2"); // 2 servers
    a.send("mark-5");
    assert.deepEqual(await upTo(a, "from cli"), []);
    assert.deepEqual(await upTo(b, "from cli"), []);
    assert.deepEqual(await upTo(b, "mark-5"), []);

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

    // Redis returns on the same port: both recover, topics cross again.
    redis = await startRedis(port, dir);
    await waitFor(
      "bus_recovered on both",
      () => servers.every((s) => /bus_recovered kind=redis/.test(s.output())),
    );
    const back = await firstThrough(b, a, "back");
    const k = Number(back.got.slice("back-".length));
    b.send("after");
    assert.deepEqual(
      await upTo(a, "after"),
      numbered("back", k + 1, back.last),
    );
    // a2 hears what a hears (same server), after the outage's local message.
    assert.deepEqual(await upTo(a2, "after"), numbered("back", k, back.last));
    // Nothing crossed without Redis, and nothing was replayed after it.
    a.send("mark-6");
    assert.deepEqual(await upTo(b, "mark-6"), []);
    assert.deepEqual(await upTo(a2, "mark-6"), []);

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

/** A `--handlers` folder with `/t`: topic `t` driven by text commands. */
async function orderHandlers(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "denosocket-order-" });
  const mod = new URL("../lib/mod.ts", import.meta.url).href;
  await Deno.writeTextFile(
    `${dir}/t.ts`,
    `import { defineHandler, publish } from "${mod}";
// ?sub=1 subscribes; "local X" publishes X with { local: true }, "pub X" to
// every process.
export default defineHandler({
  open(conn) {
    if (conn.url.searchParams.get("sub") === "1") conn.subscribe("t");
    conn.send("ready");
  },
  message(_conn, data) {
    const text = String(data);
    const at = text.indexOf(" ");
    const body = text.slice(at + 1);
    if (text.startsWith("local ")) publish("t", body, { local: true });
    else publish("t", body);
  },
});
`,
  );
  return dir;
}

Deno.test("redis bus: publish({ local: true }) stays in its process; one publisher's messages arrive in order everywhere", async () => {
  const dir = await Deno.makeTempDir({ prefix: "denosocket-redis-" });
  const handlers = await orderHandlers();
  const port = freePort();
  const redis = await startRedis(port, dir);
  const servers: ServerProcess[] = [];
  const clients: TestClient[] = [];
  try {
    const args = ["--bus", `redis://127.0.0.1:${port}`, "--handlers", handlers];
    servers.push(
      await startEngine("deno", args),
      await startEngine("native", args),
    );
    const [s1, s2] = servers;
    const open = async (s: ServerProcess, sub: boolean) => {
      const c = await TestClient.open(`${s.ws}/t${sub ? "?sub=1" : ""}`);
      clients.push(c);
      assert.equal(await c.next(), "ready");
      return c;
    };
    const pub = await open(s1, false);
    const here = await open(s1, true); // the publisher's process
    const there = await open(s2, true); // the other one, through Redis
    // Until s2's SUBSCRIBE is in place.
    let first = "";
    for (let i = 0; first === ""; i++) {
      if (i === 100) throw new Error("nothing got through");
      pub.send(`pub warm-${i}`);
      try {
        first = String(await there.next(300));
      } catch { /* not yet */ }
    }
    pub.send("pub warm-done");
    await upTo(there, "warm-done");
    await upTo(here, "warm-done");

    // Local messages: only this process's subscriber; the marker after
    // them goes everywhere, so whatever `there` got before it is exact.
    pub.send("local l-1");
    pub.send("local l-2");
    pub.send("pub end-local");
    assert.deepEqual(await upTo(here, "end-local"), ["l-1", "l-2"]);
    assert.deepEqual(await upTo(there, "end-local"), [], "local stayed local");

    // 500 messages sent back to back, local and remote: the same order.
    const sent = numbered("seq", 1, 500);
    for (const m of sent) pub.send(`pub ${m}`);
    pub.send("pub end-order");
    assert.deepEqual(await upTo(here, "end-order"), sent);
    assert.deepEqual(await upTo(there, "end-order"), sent);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(servers.map((s) => s.stop()));
    redis.kill("SIGKILL");
    await redis.status;
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(handlers, { recursive: true });
  }
});
