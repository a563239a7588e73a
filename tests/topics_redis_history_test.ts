/**
 * History in Redis Streams: real `redis-server`s on free ports, real
 * `main.ts --bus redis://… --history N` processes on both engines, the real
 * `/denosocket.js` client behind a TCP relay that moves it between servers.
 */
import assert from "node:assert/strict";
import { startEngine } from "./support/engines.ts";
import { TcpProxy } from "./support/proxy.ts";
import { freePort, redisCli, startRedis, stopRedis } from "./support/redis.ts";
import type { ServerProcess } from "./support/server.ts";
import {
  range,
  recordClient,
  type Recording,
  V1Client,
} from "./support/topics_client.ts";
import { waitFor } from "./support/wait.ts";
import { TestClient } from "./support/ws_client.ts";

/** Redis on a free port, two servers (deno and native engines) on it. */
async function withRedisPair(
  fn: (ctx: {
    redisPort: number;
    servers: ServerProcess[];
    restartRedis(): Promise<void>;
    stopRedis(): Promise<void>;
  }) => Promise<void>,
  logLevel = "warn",
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "denosocket-history-" });
  const redisPort = freePort();
  let redis = await startRedis(redisPort, dir);
  const servers: ServerProcess[] = [];
  try {
    const flags = [
      "--bus",
      `redis://127.0.0.1:${redisPort}`,
      "--history",
      "20000",
      "--log-level",
      logLevel,
    ];
    servers.push(
      await startEngine("deno", flags),
      await startEngine("native", flags),
    );
    await fn({
      redisPort,
      servers,
      async restartRedis() {
        await stopRedis(redis);
        redis = await startRedis(redisPort, dir);
      },
      stopRedis: () => stopRedis(redis),
    });
  } finally {
    await Promise.all(servers.map((s) => s.stop("SIGKILL")));
    await stopRedis(redis);
    await Deno.remove(dir, { recursive: true });
  }
}

/** Waits until a resume after the `n`-th reconnect has gone live. */
function resumed(sub: Recording, n: number): Promise<void> {
  return waitFor(
    () => sub.client.stats.reconnects >= n && sub.subscribed.length > n,
    20_000,
    `resume ${n}`,
  );
}

Deno.test("redis history: a subscriber moves between two servers, one is SIGKILLed mid-stream, and it still gets 1…3,000 once each", async () => {
  await withRedisPair(async ({ servers }) => {
    const [a, b] = servers;
    const topic = `move-${Date.now()}`;
    const proxy = TcpProxy.start(a.port);
    const sub = recordClient(`ws://127.0.0.1:${proxy.port}/topics`);
    // The publisher stays on the server that survives.
    const pub = await V1Client.open(`${b.ws}/topics`);
    try {
      sub.client.subscribe(topic);
      await waitFor(() => sub.subscribed.length === 1, 20_000, "subscribed");
      const N = 3000;
      for (let i = 1; i <= N; i++) {
        pub.send({ type: "publish", topic, data: i });
        if (i % 50 === 0) await new Promise((r) => setTimeout(r, 5));
        if (i === 700) {
          proxy.target = b.port; // a → b
          proxy.cut();
          await resumed(sub, 1);
        }
        if (i === 1400) {
          proxy.target = a.port; // b → a
          proxy.cut();
          await resumed(sub, 2);
        }
        if (i === 2100) {
          proxy.target = b.port;
          await a.stop("SIGKILL"); // the server it is on dies mid-stream
          await resumed(sub, 3);
        }
      }
      await waitFor(() => sub.messages.length >= N, 60_000, `all ${N}`);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(sub.messages.map((m) => m.data), range(1, N));
      assert.deepEqual(sub.messages.map((m) => m.offset), range(1, N));
      assert.equal(sub.client.stats.duplicates, 0);
      // Resumed on the other server each time, each time recovered.
      const resumes = sub.subscribed.slice(1);
      assert.deepEqual(resumes.map((s) => [s.resumed, s.recovered]), [
        [true, true],
        [true, true],
        [true, true],
      ]);
    } finally {
      sub.client.close();
      await pub.close();
      await proxy.close();
    }
  });
});

Deno.test("redis history: after FLUSHALL a resuming subscriber, and a live one, are told recovered: false", async () => {
  await withRedisPair(async ({ redisPort, servers }) => {
    const [a, b] = servers;
    const topic = `flush-${Date.now()}`;
    const live = await V1Client.open(`${a.ws}/topics`);
    const pub = await V1Client.open(`${b.ws}/topics`);
    try {
      live.send({ type: "subscribe", topic });
      const first = (await live.until((f) => f.type === "subscribed")).frame;
      for (let i = 1; i <= 5; i++) {
        pub.send({ type: "publish", topic, data: i, id: i });
      }
      const acks = [];
      for (let i = 1; i <= 5; i++) {
        acks.push((await pub.until((f) => f.type === "published")).frame);
      }
      assert.deepEqual(acks.map((f) => f.offset), range(1, 5));
      assert.ok(acks.every((f) => f.epoch === first.epoch));
      const seen = [];
      for (let i = 1; i <= 5; i++) seen.push((await live.next()).data);
      assert.deepEqual(seen, range(1, 5));

      assert.equal(await redisCli(redisPort, "FLUSHALL"), "OK");
      // A resume from before the flush: the epoch is gone.
      const back = await V1Client.open(`${b.ws}/topics`);
      back.send({
        type: "subscribe",
        topic,
        since: { epoch: first.epoch, offset: 3 },
      });
      const told = (await back.until((f) => f.type === "subscribed")).frame;
      assert.equal(told.recovered, false);
      assert.equal(told.reason, "epoch");
      assert.notEqual(told.epoch, first.epoch);
      assert.equal(told.offset, 0);
      // The live subscriber hears of it with the next message, then gets it.
      pub.send({ type: "publish", topic, data: "after" });
      const notice = (await live.until((f) => f.type === "subscribed")).frame;
      assert.deepEqual(
        [notice.recovered, notice.reason, notice.epoch, notice.offset],
        [false, "epoch", told.epoch, 0],
      );
      const next = await live.next();
      assert.deepEqual([next.data, next.epoch, next.offset], [
        "after",
        told.epoch,
        1,
      ]);
      assert.deepEqual((await back.next()).data, "after");
      await back.close();
    } finally {
      await live.close();
      await pub.close();
    }
  });
});

Deno.test("redis history: while Redis is down publishes are refused and resumes not recovered; both logged once; it recovers", async () => {
  await withRedisPair(async ({ servers, stopRedis, restartRedis }) => {
    const [a] = servers;
    const topic = `outage-${Date.now()}`;
    const c = await V1Client.open(`${a.ws}/topics`);
    try {
      c.send({ type: "subscribe", topic });
      const first = (await c.until((f) => f.type === "subscribed")).frame;
      c.send({ type: "publish", topic, data: "one", id: 1 });
      assert.equal(
        (await c.until((f) => f.type === "published")).frame.offset,
        1,
      );

      await stopRedis();
      await waitFor(() => /bus_down/.test(a.output()), 20_000, "bus_down");
      for (let i = 2; i <= 4; i++) {
        c.send({ type: "publish", topic, data: "lost", id: i });
        const err = (await c.until((f) => f.type === "error")).frame;
        assert.deepEqual([err.code, err.id, err.topic], [
          "unavailable",
          i,
          topic,
        ]);
      }
      const other = await V1Client.open(`${a.ws}/topics`);
      other.send({
        type: "subscribe",
        topic,
        since: { epoch: first.epoch, offset: 1 },
      });
      const told = (await other.until((f) => f.type === "subscribed")).frame;
      assert.deepEqual([told.recovered, told.reason], [false, "unavailable"]);
      await other.close();
      // Log lines are written in batches, up to 5 ms after the event.
      await waitFor(
        () => /history_down/.test(a.output()),
        5000,
        "history_down",
      );
      assert.equal(a.output().match(/history_down/g)?.length, 1, a.output());

      // Redis comes back (empty: no persistence): a new epoch, and publishes work.
      await restartRedis();
      await waitFor(
        () => /bus_recovered/.test(a.output()),
        20_000,
        "bus_recovered",
      );
      let ack;
      for (let i = 0; !ack; i++) {
        c.send({ type: "publish", topic, data: "back", id: 100 + i });
        const f = (await c.until((f) =>
          f.type === "published" || f.type === "error"
        )).frame;
        if (f.type === "published") ack = f;
        else await new Promise((r) => setTimeout(r, 100));
      }
      assert.notEqual(ack.epoch, first.epoch);
      assert.match(a.output(), /history_recovered kind=redis refused=\d+/);
      assert.equal(a.output().match(/history_down/g)?.length, 1);
    } finally {
      await c.close();
    }
  }, "info");
});

Deno.test("redis history: a plain /pubsub sender still gets nothing back when its topic keeps history", async () => {
  await withRedisPair(async ({ servers }) => {
    const [a, b] = servers;
    const topic = `plain${Date.now()}`;
    const open = async (s: ServerProcess) => {
      const c = await TestClient.open(`${s.ws}/pubsub/${topic}?hello=1`);
      await c.next(); // subscribed
      return c;
    };
    const [sender, here, there] = [await open(a), await open(a), await open(b)];
    try {
      // Redis brings the sender's own messages back to its server, which
      // delivers them from there in offset order: to everyone but the sender.
      for (let i = 1; i <= 20; i++) sender.send(`m${i}`);
      for (const c of [here, there]) {
        const got = [];
        for (let i = 1; i <= 20; i++) got.push(await c.next(10_000));
        assert.deepEqual(got, range(1, 20).map((i) => `m${i}`));
      }
      await assert.rejects(sender.next(500), /no message within/);
    } finally {
      await Promise.all([sender, here, there].map((c) => c.close()));
    }
  });
});
