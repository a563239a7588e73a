/**
 * The history layer without a network: the memory and Deno KV stores, the
 * in-order feed, and a positioned subscription whose connection falls
 * behind. (The same code under real servers: topics_resume_test.ts,
 * topics_redis_history_test.ts, topics_parallel_history_test.ts.)
 */
import assert from "node:assert/strict";
import { TopicFeed } from "../lib/topics/history/feed.ts";
import { KV_TIMING, KvHistory } from "../lib/topics/history/kv_store.ts";
import { MemoryHistory } from "../lib/topics/history/memory_store.ts";
import type { Entry, ReadResult } from "../lib/topics/history/store.ts";
import { type Outgoing, TopicRegistry } from "../lib/topics/registry.ts";
import { decodeWire, storedHeader } from "../lib/topics/bus_wire.ts";
import { range } from "./support/topics_client.ts";
import { waitFor } from "./support/wait.ts";

const LIMITS = { size: 100, ttl: 0 };

Deno.test("MemoryHistory keeps the last `size` messages and none older than `ttl`", async () => {
  const store = new MemoryHistory();
  for (let i = 1; i <= 10; i++) store.append("t", `m${i}`, { size: 4, ttl: 0 });
  const all = store.read("t", { after: 0 }, 100, { size: 4, ttl: 0 });
  assert.deepEqual(all.entries.map((e) => e.offset), [7, 8, 9, 10]);
  assert.deepEqual(
    store.read("t", { last: 2 }, 100, LIMITS).entries.map((e) => e.data),
    ["m9", "m10"],
  );
  assert.deepEqual(store.read("t", { after: 10 }, 100, LIMITS).entries, []);
  // An age bound of 1 s: after 1.1 s nothing is left, the offset goes on.
  store.append("old", "a", { size: 10, ttl: 1 });
  await new Promise((r) => setTimeout(r, 1100));
  const aged = store.read("old", { after: 0 }, 10, { size: 10, ttl: 1 });
  assert.deepEqual([aged.head, aged.entries.length], [1, 0]);
  assert.equal(store.append("old", "b", { size: 10, ttl: 1 }).offset, 2);
});

Deno.test("MemoryHistory evicts the least recently used topic, which comes back with a new epoch", () => {
  const store = new MemoryHistory(2);
  const a = store.append("a", "1", LIMITS);
  store.append("b", "1", LIMITS);
  store.append("c", "1", LIMITS); // evicts a
  const again = store.read("a", { after: 0 }, 10, LIMITS);
  assert.notEqual(again.epoch, a.epoch);
  assert.deepEqual([again.head, again.entries], [0, []]);
});

/** A feed over `entries` as the store holds them. */
function feedOver(stored: Entry[], gapWaitMs = 0) {
  const got: number[] = [];
  const lost: string[] = [];
  let reads = 0;
  const feed = new TopicFeed("t", {
    read(_t, from): ReadResult {
      reads++;
      const after = "after" in from ? from.after : 0;
      return {
        epoch: stored.at(-1)?.epoch ?? "e",
        head: stored.at(-1)?.offset ?? 0,
        entries: stored.filter((e) => e.offset > after),
      };
    },
    deliver: (_t, e) => void got.push(e.offset),
    lost: (_t, at, reason) =>
      void lost.push(`${reason} ${at.epoch}:${at.offset}`),
    failed: (_t, err) => {
      throw err;
    },
  }, { gapWaitMs });
  return { feed, got, lost, reads: () => reads };
}

const entry = (offset: number, epoch = "e"): Entry => ({
  epoch,
  offset,
  data: `${offset}`,
});

Deno.test("TopicFeed delivers out-of-order entries in order, once, without reading the store", async () => {
  const { feed, got, reads } = feedOver(range(1, 5).map((o) => entry(o)), 50);
  for (const o of [1, 3, 2, 2, 5, 4, 1]) feed.accept(entry(o));
  assert.deepEqual(got, [1, 2, 3, 4, 5]);
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(reads(), 0, "a late entry arrived before the gap wait ran out");
});

Deno.test("TopicFeed fills a hole the bus left from the store", async () => {
  const { feed, got, reads } = feedOver(range(1, 6).map((o) => entry(o)));
  feed.accept(entry(1));
  feed.accept(entry(5)); // 2-4 were lost on the way
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(got, [1, 2, 3, 4, 5, 6]);
  assert.equal(reads(), 1);
});

Deno.test("TopicFeed says so when a hole was trimmed away, and when the epoch changed", async () => {
  const trimmed = feedOver([entry(8), entry(9)]);
  trimmed.feed.accept(entry(1));
  trimmed.feed.accept(entry(9)); // 2-7 are no longer in the store
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(trimmed.got, [1, 8, 9]);
  assert.deepEqual(trimmed.lost, ["trimmed e:7"]);

  const flushed = feedOver([entry(1, "new"), entry(2, "new")]);
  flushed.feed.accept(entry(1, "old"));
  flushed.feed.accept(entry(2, "new")); // the store started over
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(flushed.got, [1, 1, 2]);
  assert.deepEqual(flushed.lost, ["epoch new:0"]);
});

/** A connection whose send buffer is full while `full` is true. */
function slowConn() {
  const sent: Outgoing[] = [];
  const frames: string[] = [];
  const conn = {
    full: false,
    readyState: 1,
    drain: Promise.withResolvers<void>(),
    deliver(msg: Outgoing) {
      if (conn.full) return false;
      sent.push(msg);
      return true;
    },
    send(data: string | Uint8Array) {
      frames.push(String(data));
      return true;
    },
    drained() {
      return conn.drain.promise;
    },
  };
  return { conn, sent, frames };
}

Deno.test("a positioned subscriber that falls behind reads what it missed once drained: no gap, no repeat", async () => {
  const reg = new TopicRegistry("test");
  reg.history.set("lag", { size: 1000 });
  const { conn, sent } = slowConn();
  const { subscribed } = reg.subscribeFrom("lag", conn, { last: 0 });
  await subscribed;
  for (let i = 1; i <= 10; i++) reg.publish("lag", `m${i}`);
  // The last message is dropped for this connection, and nothing follows:
  // it still comes, once the buffer drains.
  conn.full = true;
  reg.publish("lag", "m11");
  conn.full = false;
  assert.deepEqual(sent.map((m) => m.offset), range(1, 10));
  conn.drain.resolve();
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(sent.map((m) => m.offset), range(1, 11));
  // Several dropped, then more published while it waits: all in order.
  conn.drain = Promise.withResolvers<void>();
  conn.full = true;
  for (let i = 12; i <= 20; i++) reg.publish("lag", `m${i}`);
  conn.full = false;
  for (let i = 21; i <= 25; i++) reg.publish("lag", `m${i}`);
  conn.drain.resolve();
  await new Promise((r) => setTimeout(r, 20));
  for (let i = 26; i <= 30; i++) reg.publish("lag", `m${i}`);
  assert.deepEqual(sent.map((m) => m.offset), range(1, 30));
  assert.deepEqual(sent.map((m) => m.data), range(1, 30).map((i) => `m${i}`));
});

Deno.test("KvHistory: two handles on one file (two workers) hand out one sequence, kept after a reopen", async () => {
  const dir = await Deno.makeTempDir({ prefix: "denosocket-kvtest-" });
  const path = `${dir}/t.kv`;
  try {
    const one = new KvHistory(await Deno.openKv(path));
    const two = new KvHistory(await Deno.openKv(path));
    const appends: Promise<Entry>[] = [];
    for (let i = 1; i <= 50; i++) {
      appends.push(
        one.append("t", `a${i}`, LIMITS),
        two.append("t", `b${i}`, LIMITS),
      );
    }
    const entries = await Promise.all(appends);
    assert.deepEqual(
      entries.map((e) => e.offset).sort((x, y) => x - y),
      range(1, 100),
    );
    assert.equal(new Set(entries.map((e) => e.epoch)).size, 1);
    const read = await two.read("t", { after: 0 }, 500, LIMITS);
    assert.deepEqual(read.entries.map((e) => e.offset), range(1, 100));
    const byOffset = new Map(entries.map((e) => [e.offset, e.data]));
    assert.deepEqual(
      read.entries.map((e) => e.data),
      read.entries.map((e) => byOffset.get(e.offset)),
    );
    await one.close();
    await two.close();
    // A restart keeps the epoch and the entries: a resume recovers.
    const again = new KvHistory(await Deno.openKv(path));
    const after = await again.read("t", { after: 95 }, 500, {
      size: 100,
      ttl: 0,
    });
    assert.deepEqual([after.epoch, after.head], [entries[0].epoch, 100]);
    assert.deepEqual(after.entries.map((e) => e.offset), [96, 97, 98, 99, 100]);
    // Only the last `size` are kept.
    for (let i = 1; i <= 5; i++) {
      await again.append("t", `c${i}`, { size: 10, ttl: 0 });
    }
    const kept = await again.read("t", { after: 0 }, 500, { size: 10, ttl: 0 });
    assert.deepEqual(kept.entries.map((e) => e.offset), range(96, 105));
    await again.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Deno KV tells another worker of new messages by itself: delivered there with no bus at all", async () => {
  const dir = await Deno.makeTempDir({ prefix: "denosocket-kvwatch-" });
  try {
    // Two registries, as two workers, each with its own handle on one file,
    // and no bus between them: only the store's watch can tell the second.
    const [one, two] = [new TopicRegistry("one"), new TopicRegistry("two")];
    for (const reg of [one, two]) {
      reg.history.set("w", { size: 100 });
      await reg.useStore(
        new KvHistory(await Deno.openKv(`${dir}/t.kv`)),
        KV_TIMING,
      );
    }
    const { conn, sent } = slowConn();
    const { subscribed } = two.subscribeFrom("w", conn, { last: 0 });
    await subscribed;
    for (let i = 1; i <= 5; i++) await one.publishStored("w", `m${i}`);
    await waitFor(() => sent.length === 5, 5000, "watched entries");
    assert.deepEqual(
      sent.map((m) => [m.offset, m.data]),
      range(1, 5).map((i) => [i, `m${i}`]),
    );
    for (const reg of [one, two]) await reg.useStore(new MemoryHistory());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the Redis wire format carries a stored message's position and publisher token", () => {
  const sender = new Uint8Array(8).fill(7);
  const frame = (head: Uint8Array, tail: string) =>
    new Uint8Array([...head, ...new TextEncoder().encode(tail)]);
  const text = decodeWire(frame(storedHeader(sender, false, 42), "ep\n17\nhé"));
  assert.deepEqual(text?.at, { epoch: "ep", offset: 17, token: 42 });
  assert.equal(text?.data, "hé");
  const bin = decodeWire(frame(storedHeader(sender, true, 0), "ep\n1\n\x01"));
  assert.deepEqual(bin?.data, new Uint8Array([1]));
  // A broken position is not a message.
  for (
    const tail of ["ep\nx\nbody", "ep-no-newlines", "\n5\nbody", "ep\n0\nb"]
  ) {
    assert.equal(
      decodeWire(frame(storedHeader(sender, false, 0), tail)),
      null,
      tail,
    );
  }
});
