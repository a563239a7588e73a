/**
 * Topics across machines: a real `redis-server` on a free port, two separate
 * `main.ts --bus redis://…` processes, a client on each. Then Redis dies and
 * comes back on the same port.
 */
import assert from "node:assert/strict";
import { startEngine } from "./support/engines.ts";
import type { ServerProcess } from "./support/server.ts";
import { childEnv } from "./support/spawn.ts";
import { TOOLS } from "./support/tools.ts";
import { TestClient } from "./support/ws_client.ts";

const REDIS = TOOLS.redisServer.path;

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Starts redis-server on `port` with no persistence; resolves once it accepts. */
async function startRedis(port: number, dir: string) {
  const child = new Deno.Command(REDIS, {
    args: [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
      "--daemonize",
      "no",
    ],
    clearEnv: true,
    env: childEnv(),
    stdout: "null",
    stderr: "null",
  }).spawn();
  for (let i = 0; i < 100; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return child;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill("SIGKILL");
  throw new Error("redis-server did not start");
}

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
    assert.equal(await a.next(10_000), "from cli");
    assert.equal(await b.next(10_000), "from cli");

    // Chat across servers: each server also PSUBSCRIBEs chat:* for its
    // history, so Redis sends both copies; each client still gets one.
    const room = `x${crypto.randomUUID().slice(0, 6)}`;
    const chat = async (s: ServerProcess, name: string) => {
      const c = await TestClient.open(`${s.ws}/chat/${room}?name=${name}`);
      clients.push(c);
      return c;
    };
    const ann = await chat(s1, "ann");
    const ben = await chat(s2, "ben");
    await drain(ann);
    await drain(ben);
    const said = await firstThrough(ann, ben, "hi");
    const text = JSON.parse(String(said)).text as string;
    // However many tries it took, each message reached each client once.
    const texts = (ms: unknown[]) => ms.map((m) => JSON.parse(String(m)).text);
    const atBen = [text, ...texts(await drain(ben))];
    const atAnn = texts(await drain(ann));
    assert.equal(new Set(atBen).size, atBen.length, `twice: ${atBen}`);
    assert.equal(new Set(atAnn).size, atAnn.length, `twice: ${atAnn}`);
    assert.ok(atAnn.includes(text));
    // A newcomer on the other server gets the replay from that server.
    const cat = await chat(s2, "cat");
    const replay = (await drain(cat)).map((m) => JSON.parse(String(m)));
    assert.ok(
      replay.some((m) => m.type === "message" && m.text === text),
      JSON.stringify(replay),
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
    await Promise.all(servers.map((s) => s.stop()));
    try {
      redis.kill("SIGKILL");
    } catch { /* already gone */ }
    await redis.status;
    await Deno.remove(dir, { recursive: true });
  }
});
