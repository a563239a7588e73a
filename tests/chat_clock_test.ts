/** The `/chat/:room` and `/clock` examples, in-process with real clients. */
import assert from "node:assert/strict";
import { clockRunning } from "../handlers/clock.ts";
import { subscriberCount } from "../lib/mod.ts";
import { upgradeHeaders } from "./support/raw.ts";
import { startServer } from "./support/server.ts";
import { TestClient } from "./support/ws_client.ts";
import { eachEngine } from "./support/engines.ts";

interface Chat {
  type: string;
  from: string;
  text: string;
  ts: number;
  server?: string;
}

async function nextChat(c: TestClient): Promise<Chat> {
  return JSON.parse(await c.next() as string);
}

/** Reads until a message of `type` from `from` arrives. */
async function until(c: TestClient, type: string, from: string): Promise<Chat> {
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
    const alice = await TestClient.open(`${server.ws}/chat/${room}?name=alice`);
    const join = await nextChat(alice);
    assert.equal(join.type, "join");
    assert.equal(join.from, "alice");
    assert.match(join.server!, /^[0-9a-f]{8}$/);
    const bob = await TestClient.open(`${server.ws}/chat/${room}?name=bob`);
    assert.equal((await until(alice, "join", "bob")).text, "bob joined");
    await until(bob, "join", "bob");
    const other = await TestClient.open(`${server.ws}/chat/${room}x?name=eve`);
    await until(other, "join", "eve");
    alice.send(JSON.stringify({ text: " hi bob " }));
    for (const c of [alice, bob]) {
      const m = await nextChat(c);
      assert.deepEqual([m.type, m.from, m.text], [
        "message",
        "alice",
        "hi bob",
      ]);
      assert.ok(Math.abs(m.ts - Date.now()) < 60_000);
    }
    bob.send("plain text works");
    assert.equal((await nextChat(alice)).text, "plain text works");
    // The other room heard none of it: its next message is its own marker.
    other.send("mark");
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
    const alice = await TestClient.open(`${server.ws}/chat/${room}?name=alice`);
    await nextChat(alice);
    for (let i = 1; i <= 55; i++) {
      alice.send(`m${i}`);
      assert.equal((await nextChat(alice)).text, `m${i}`);
    }
    const bob = await TestClient.open(`${server.ws}/chat/${room}?name=bob`);
    const replay: string[] = [];
    for (let i = 0; i < 50; i++) replay.push((await nextChat(bob)).text);
    assert.deepEqual(replay, Array.from({ length: 50 }, (_, i) => `m${i + 6}`));
    assert.equal((await nextChat(bob)).type, "join");
    await Promise.all([alice.close(), bob.close()]);
  } finally {
    await server.close();
  }
});

eachEngine.test("/chat/:room refuses bad room names (400), binary (4003) and long text", async (engine) => {
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

    const c = await TestClient.open(
      `${server.ws}/chat/rules?name=${
        encodeURIComponent("\u0007 " + "n".repeat(40))
      }`,
    );
    const join = await nextChat(c);
    assert.equal(join.from, "n".repeat(32));
    c.send("y".repeat(2001));
    const err = await nextChat(c);
    assert.equal(err.type, "error");
    assert.match(err.text, /over 2000/);
    c.send(new Uint8Array([1]));
    const closed = await c.closed;
    assert.equal(closed.code, 4003);
    assert.equal(closed.reason, "chat takes text messages");
    const anon = await TestClient.open(`${server.ws}/chat/rules`);
    assert.match((await nextChat(anon)).from, /^guest-/);
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
