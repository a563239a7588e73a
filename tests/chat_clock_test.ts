/** The `/chat/:room` and `/clock` examples, in-process with real clients. */
import assert from "node:assert/strict";
import { clockRunning } from "../handlers/clock.ts";
import { subscriberCount } from "../lib/mod.ts";
import { upgradeHeaders } from "./support/raw.ts";
import { startServer, type TestServer } from "./support/server.ts";
import { TestClient } from "./support/ws_client.ts";
import { V1Client } from "./support/topics_client.ts";
import { eachEngine } from "./support/engines.ts";

/** A chat client on the v1 protocol, subscribed to its room. */
async function chatter(server: TestServer, room: string, query = "") {
  const c = await V1Client.open(`${server.ws}/chat/${room}${query}`);
  c.send({ type: "subscribe", topic: room, last: 50 });
  return c;
}

/** The next chat message (the `data` of a `message` frame). */
async function nextChat(c: V1Client) {
  return (await c.until((f) => f.type === "message")).frame.data;
}

/** Reads until a chat message of `type` from `from` arrives. */
async function until(c: V1Client, type: string, from: string) {
  for (let i = 0; i < 200; i++) {
    const m = await nextChat(c);
    if (m.type === type && m.from === from) return m;
  }
  throw new Error(`no ${type} from ${from}`);
}

eachEngine.test("/chat/:room: join and leave notices, messages to everyone in the room only", async (engine) => {
  const server = await startServer({ engine });
  try {
    const room = `r${crypto.randomUUID().slice(0, 6)}`;
    const alice = await chatter(server, room, "?name=alice");
    const join = await nextChat(alice);
    assert.equal(join.type, "join");
    assert.equal(join.from, "alice");
    assert.match(join.server!, /^[0-9a-f]{8}$/);
    const bob = await chatter(server, room, "?name=bob");
    assert.equal((await until(alice, "join", "bob")).text, "bob joined");
    await until(bob, "join", "bob");
    const other = await chatter(server, `${room}x`, "?name=eve");
    await until(other, "join", "eve");
    alice.send({ type: "publish", topic: room, data: { text: " hi bob " } });
    for (const c of [alice, bob]) {
      const m = await nextChat(c);
      assert.deepEqual([m.type, m.from, m.text], [
        "message",
        "alice",
        "hi bob",
      ]);
      assert.ok(Math.abs(m.ts - Date.now()) < 60_000);
    }
    bob.send({ type: "publish", topic: room, data: "plain text works" });
    assert.equal((await nextChat(alice)).text, "plain text works");
    // The other room heard none of it: its next message is its own marker.
    other.send({ type: "publish", topic: `${room}x`, data: "mark" });
    const mark = await nextChat(other);
    assert.deepEqual([mark.type, mark.from, mark.text], [
      "message",
      "eve",
      "mark",
    ]);
    await bob.close();
    assert.equal((await until(alice, "leave", "bob")).text, "bob left");
    await Promise.all([alice.close(), other.close()]);
  } finally {
    await server.close();
  }
});

eachEngine.test("/chat/:room replays the room's last 50 messages on join", async (engine) => {
  const server = await startServer({ engine });
  try {
    const room = `h${crypto.randomUUID().slice(0, 6)}`;
    const alice = await chatter(server, room, "?name=alice");
    await nextChat(alice); // her join
    for (let i = 1; i <= 55; i++) {
      alice.send({ type: "publish", topic: room, data: { text: `m${i}` } });
      assert.equal((await nextChat(alice)).text, `m${i}`);
    }
    const bob = await chatter(server, room, "?name=bob");
    const { frame, before } = await bob.until((f) => f.type === "subscribed");
    assert.deepEqual(
      before.map((f) => f.data.text),
      Array.from({ length: 50 }, (_, i) => `m${i + 6}`),
    );
    assert.equal(frame.offset, 56); // alice's join, then 55 lines
    assert.equal((await nextChat(bob)).type, "join");
    await Promise.all([alice.close(), bob.close()]);
  } finally {
    await server.close();
  }
});

eachEngine.test("/chat/:room refuses bad room names (400), other topics, binary (4003) and long text", async (engine) => {
  const server = await startServer({ engine });
  try {
    const res = await fetch(`${server.http}/chat/no%20spaces`, {
      headers: upgradeHeaders(),
    });
    assert.equal(res.status, 400);
    await res.body?.cancel();
    const long = "x".repeat(65);
    const res2 = await fetch(`${server.http}/chat/${long}`, {
      headers: upgradeHeaders(),
    });
    assert.equal(res2.status, 400);
    await res2.body?.cancel();

    const room = `rules${engine}`;
    const c = await chatter(
      server,
      room,
      `?name=${encodeURIComponent("\u0007 " + "n".repeat(40))}`,
    );
    const join = await nextChat(c);
    assert.equal(join.from, "n".repeat(32));
    c.send({ type: "subscribe", topic: "another-room" });
    const other = await c.until((f) => f.type === "error");
    assert.deepEqual([other.frame.code, other.frame.topic], [
      "unknown_topic",
      "another-room",
    ]);
    c.send({
      type: "publish",
      topic: room,
      data: { text: "y".repeat(2001) },
      id: 1,
    });
    const err = (await c.until((f) => f.type === "error")).frame;
    assert.deepEqual([err.code, err.id], ["too_large", 1]);
    assert.match(err.message, /over 2000/);
    c.send({ type: "publish", topic: room, data: { text: 5 } });
    assert.equal(
      (await c.until((f) => f.type === "error")).frame.code,
      "bad_request",
    );
    c.c.send(new Uint8Array([1]));
    const closed = await c.c.closed;
    assert.equal(closed.code, 4003);
    assert.equal(closed.reason, "denosocket.topics.v1 takes JSON text frames");
    const anon = await chatter(server, room);
    // After the room's replay, its own join, as guest-ID.
    await anon.until((f) => f.type === "subscribed");
    assert.match((await nextChat(anon)).from, /^guest-[0-9a-z]+$/);
    await anon.close();
  } finally {
    await server.close();
  }
});

eachEngine.test("/clock: one shared timer, started by the first subscriber, stopped after the last", async (engine) => {
  const server = await startServer({ engine });
  try {
    assert.equal(clockRunning(), false);
    const a = await TestClient.open(`${server.ws}/clock`);
    const b = await TestClient.open(`${server.ws}/clock`);
    assert.equal(clockRunning(), true);
    for (const c of [a, b]) {
      const first = JSON.parse(await c.next() as string);
      assert.equal(first.type, "time");
      assert.equal(new Date(first.iso).getTime(), first.ts);
    }
    // Both get the same tick: one timer, one publish.
    const [ta, tb] = await Promise.all([a.next(5000), b.next(5000)]);
    assert.equal(ta, tb);
    await a.close();
    assert.equal(clockRunning(), true);
    await b.close();
    for (let i = 0; i < 100 && subscriberCount("clock") > 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(subscriberCount("clock"), 0);
    assert.equal(clockRunning(), false);
  } finally {
    await server.close();
  }
});
