/**
 * Resume on one server: a real `main.ts` per engine, the real
 * `/denosocket.js` client behind a TCP relay that cuts its connection at
 * random moments, and a publisher on its own connection.
 */
import assert from "node:assert/strict";
import { eachEngine, startEngine } from "./support/engines.ts";
import { TcpProxy } from "./support/proxy.ts";
import {
  range,
  recordClient,
  seededRandom,
  V1Client,
} from "./support/topics_client.ts";
import { waitFor } from "./support/wait.ts";

const N = 10_000;
const CUTS = 20;

eachEngine.test("10,000 messages, 20 random disconnects: the subscriber gets 1…10,000 in order, once each", async (engine) => {
  const server = await startEngine(engine, [
    "--history",
    "20000",
    "--log-level",
    "warn",
  ]);
  const proxy = TcpProxy.start(server.port);
  const seed = Date.now();
  const random = seededRandom(seed);
  const why = `seed ${seed}`;
  const topic = `seq-${seed}`;
  const sub = recordClient(`ws://127.0.0.1:${proxy.port}/topics`);
  const pub = await V1Client.open(`${server.ws}/topics`);
  try {
    sub.client.subscribe(topic);
    await waitFor(() => sub.subscribed.length === 1, 10_000, "subscribed");
    // 20 distinct moments in the stream, each a real cut of a connection:
    // every other one only once the last resume has gone live, the rest as
    // soon as the client is connected again (maybe in the middle of its
    // replay).
    const cuts = new Set<number>();
    while (cuts.size < CUTS) cuts.add(100 + Math.floor(random() * (N - 200)));
    let cut = 0;
    let subscribedAtCut = 1;
    for (let i = 1; i <= N; i++) {
      pub.send({ type: "publish", topic, data: i });
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 2));
      if (cuts.has(i)) {
        const live = cut % 2 === 1;
        // The connection made after the previous cut is open (and, for a
        // live cut, its resume has gone live): this cut hits it.
        await waitFor(
          () =>
            sub.client.stats.reconnects === cut &&
            sub.client.state === "open" &&
            (!live || sub.subscribed.length > subscribedAtCut),
          10_000,
          `connected before cut ${cut + 1} (${why})`,
        );
        subscribedAtCut = sub.subscribed.length;
        assert.equal(proxy.cut(), 1, `cut ${cut + 1} found its connection`);
        cut++;
      }
    }
    await waitFor(() => sub.messages.length >= N, 60_000, `all ${N} (${why})`);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(sub.messages.map((m) => m.data), range(1, N), why);
    assert.deepEqual(sub.messages.map((m) => m.offset), range(1, N), why);
    assert.equal(cut, CUTS, why);
    assert.equal(sub.client.stats.reconnects, CUTS, why);
    // Every resume recovered, and the server never sent an offset twice.
    const resumes = sub.subscribed.slice(1);
    assert.ok(resumes.length >= CUTS / 2, why);
    assert.ok(
      resumes.every((s) => s.resumed && s.recovered),
      JSON.stringify(resumes),
    );
    assert.equal(sub.client.stats.duplicates, 0, why);
  } finally {
    sub.client.close();
    await pub.close();
    await proxy.close();
    await server.stop();
  }
});
