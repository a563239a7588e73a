/**
 * History across the workers of `deno serve --parallel` (2 workers,
 * `DENOSOCKET_BUS=broadcast`): the store is Deno KV, one file for both.
 */
import assert from "node:assert/strict";
import { spawnDenoServe } from "./support/server.ts";
import { range, V1Client } from "./support/topics_client.ts";

Deno.test("deno serve --parallel: both workers hand out and deliver the same offsets for one topic", async () => {
  const dir = await Deno.makeTempDir({ prefix: "denosocket-kv-" });
  // --allow-write for the KV file in a temporary folder (Deno's own
  // location needs no flag).
  const server = await spawnDenoServe(["--parallel", "--allow-write"], {
    DENO_JOBS: "2",
    DENOSOCKET_BUS: "broadcast",
    DENOSOCKET_HISTORY: "1000",
    DENOSOCKET_KV_PATH: `${dir}/topics.kv`,
  });
  const clients: V1Client[] = [];
  try {
    const topic = `par-${Date.now()}`;
    // Connections spread unevenly: open until both workers hold two each.
    const byWorker = new Map<string, V1Client[]>();
    for (let i = 0; i < 80; i++) {
      const c = await V1Client.open(`${server.ws}/topics`);
      clients.push(c);
      c.send({ type: "subscribe", topic });
      const s = (await c.until((f) => f.type === "subscribed")).frame;
      byWorker.set(s.server, [...byWorker.get(s.server) ?? [], c]);
      const sizes = [...byWorker.values()].map((l) => l.length);
      if (sizes.length === 2 && sizes.every((n) => n >= 2)) break;
    }
    assert.equal(byWorker.size, 2, "clients on two workers");
    const [[w1, one], [w2, two]] = [...byWorker];
    // One publisher per worker, publishing at the same time.
    const N = 200;
    for (let i = 1; i <= N; i++) {
      one[0].send({ type: "publish", topic, data: `${w1}:${i}`, id: i });
      two[0].send({ type: "publish", topic, data: `${w2}:${i}`, id: i });
    }
    // Every client sees the same sequence: offsets 1…400, each once; each
    // publisher is told 200 of those offsets, and together they are 1…400.
    const acked: number[] = [];
    const sequences = await Promise.all(clients.map(async (c) => {
      const seq: string[] = [];
      let acks = c === one[0] || c === two[0] ? N : 0;
      while (seq.length < 2 * N || acks > 0) {
        const f = await c.next(20_000);
        if (f.type === "published") {
          acked.push(f.offset);
          acks--;
        }
        if (f.type !== "message") continue;
        if (f.offset !== seq.length + 1) {
          assert.fail(
            `offset order: ${
              JSON.stringify(f)
            } after ${seq.length}\n${server.output()}`,
          );
        }
        seq.push(f.data);
      }
      return seq;
    }));
    assert.deepEqual(acked.sort((x, y) => x - y), range(1, 2 * N));
    for (const seq of sequences) assert.deepEqual(seq, sequences[0]);
    // Each publisher's messages in its own order.
    for (const w of [w1, w2]) {
      assert.deepEqual(
        sequences[0].filter((d) => d.startsWith(`${w}:`)),
        range(1, N).map((i) => `${w}:${i}`),
      );
    }
    // One worker alone publishes, after each worker's check for entries the
    // channel dropped has run (250 ms after the last): the other's clients
    // get it live too, over the channel.
    await new Promise((r) => setTimeout(r, 600));
    for (let i = 1; i <= 10; i++) {
      one[0].send({ type: "publish", topic, data: `alone:${i}` });
    }
    for (const c of [...one, ...two]) {
      const got: string[] = [];
      while (got.length < 10) {
        const f = await c.next(20_000);
        if (f.type === "message") got.push(f.data);
      }
      assert.deepEqual(got, range(1, 10).map((i) => `alone:${i}`));
    }
    sequences[0].push(...range(1, 10).map((i) => `alone:${i}`));
    // A client of one worker resumes on whichever worker it lands on.
    const later = await V1Client.open(`${server.ws}/topics`);
    clients.push(later);
    later.send({
      type: "subscribe",
      topic,
      since: { epoch: await epochOf(one[1], topic), offset: 2 * N + 5 },
    });
    const { frame, before } = await later.until((f) => f.type === "subscribed");
    assert.deepEqual([frame.recovered, frame.offset], [true, 2 * N + 10]);
    assert.deepEqual(before.map((f) => f.data), sequences[0].slice(-5));
    // Deno KV, not the per-worker fallback.
    assert.doesNotMatch(server.output(), /history_store/);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await server.stop("SIGTERM");
    await Deno.remove(dir, { recursive: true });
  }
});

/** The epoch a subscriber has seen, from a fresh `last: 1` subscribe. */
async function epochOf(c: V1Client, topic: string): Promise<string> {
  c.send({ type: "subscribe", topic, last: 1 });
  return (await c.until((f) => f.type === "subscribed")).frame.epoch;
}

Deno.test("deno serve --parallel without Deno KV: each worker keeps its own history, says so once, and a resume on the other worker is not recovered", async () => {
  // --no-config drops deno.json, and with it the "unstable": ["kv"] setting.
  const server = await spawnDenoServe(["--parallel", "--no-config"], {
    DENO_JOBS: "2",
    DENOSOCKET_BUS: "broadcast",
    DENOSOCKET_HISTORY: "100",
  });
  const clients: V1Client[] = [];
  try {
    const topic = `nokv-${Date.now()}`;
    const byWorker = new Map<string, { c: V1Client; epoch: string }>();
    for (let i = 0; i < 80 && byWorker.size < 2; i++) {
      const c = await V1Client.open(`${server.ws}/topics`);
      clients.push(c);
      c.send({ type: "subscribe", topic });
      const s = (await c.until((f) => f.type === "subscribed")).frame;
      if (!byWorker.has(s.server)) {
        byWorker.set(s.server, { c, epoch: s.epoch });
      }
    }
    assert.equal(byWorker.size, 2, "clients on two workers");
    const [[w1, one], [, two]] = [...byWorker];
    assert.notEqual(one.epoch, two.epoch, "two histories");
    // Messages still cross: each worker stores and numbers them itself.
    one.c.send({ type: "publish", topic, data: "across" });
    for (const { c, epoch } of [one, two]) {
      const m = (await c.until((f) => f.type === "message")).frame;
      assert.deepEqual([m.data, m.epoch, m.offset], ["across", epoch, 1]);
    }
    const later = await V1Client.open(`${server.ws}/topics`);
    clients.push(later);
    later.send({
      type: "subscribe",
      topic,
      since: { epoch: one.epoch, offset: 0 },
    });
    const s = (await later.until((f) => f.type === "subscribed")).frame;
    assert.equal(s.recovered, s.server === w1, JSON.stringify(s));
    const warnings = server.output().match(/WARN +history_store kind=memory/g);
    assert.equal(warnings?.length, 2, server.output());
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await server.stop("SIGTERM");
  }
});
