/** The registry, fan-out policy, wire format and `--bus` parsing, without a network. */
import assert from "node:assert/strict";
import { parseBusSpec } from "../lib/topics/bus.ts";
import { decodeWire, encodeWire, HEADER } from "../lib/topics/bus_wire.ts";
import { parseCli } from "../lib/cli/parse_cli.ts";
import { Connection, type Transport } from "../lib/core/connection.ts";
import { defineHandler } from "../lib/mod.ts";
import { TopicRegistry } from "../lib/topics/registry.ts";
import type { MessageData } from "../lib/types.ts";

/** A transport that records what it is given. */
function fakeTransport(buffered = 0) {
  const sent: MessageData[] = [];
  const frames: unknown[] = [];
  let encodes = 0;
  const encode = (d: string | Uint8Array) => {
    encodes++;
    return { framed: d };
  };
  const t: Transport = {
    send: (d) => void sent.push(d),
    close: () => {},
    get bufferedAmount() {
      return buffered;
    },
  };
  const withEncode: Transport = {
    ...t,
    encode,
    sendEncoded: (f) => void frames.push(f),
  };
  return { t, withEncode, sent, frames, encodes: () => encodes };
}

let n = 0;
function openConn(transport: Transport, highWater = 1024): Connection {
  const conn = new Connection({
    id: `t${++n}`,
    handler: defineHandler({ message() {} }),
    url: new URL("ws://x/t"),
    params: {},
    headers: new Headers(),
    remoteAddr: { hostname: "127.0.0.1", port: 1 },
    protocol: "",
    state: undefined,
    settings: { maxMessageSize: 1 << 20, sendHighWater: highWater },
  });
  conn.attach(transport);
  conn.opened();
  return conn;
}

Deno.test("a subscriber over its high-water mark misses the message; the others get it", () => {
  const slow = fakeTransport(4096);
  const fast = fakeTransport(0);
  const a = openConn(slow.t, 1024);
  const b = openConn(fast.t, 1024);
  a.subscribe("hw");
  b.subscribe("hw");
  const sender = openConn(fakeTransport().t);
  sender.publish("hw", "m");
  assert.deepEqual(slow.sent, []);
  assert.equal(a.stats.dropped, 1);
  assert.deepEqual(fast.sent, ["m"]);
  for (const c of [a, b, sender]) c.closed(1000, "");
});

Deno.test("fan-out frames a message once for transports that can share frames", () => {
  const shared = fakeTransport();
  const conns = [1, 2, 3].map(() => openConn(shared.withEncode));
  for (const c of conns) c.subscribe("enc");
  const sender = openConn(fakeTransport().t);
  sender.publish("enc", "héllo");
  assert.equal(shared.encodes(), 1);
  assert.equal(shared.frames.length, 3);
  assert.equal(conns[0].stats.bytesOut, 6);
  for (const c of [...conns, sender]) c.closed(1000, "");
});

Deno.test("subscribe() after close is a no-op and leaves nothing behind", () => {
  const reg = new TopicRegistry();
  const got: MessageData[] = [];
  reg.subscribe("a", { deliver: (m) => void got.push(m.data) });
  assert.equal(reg.count("a"), 1);
  const c = openConn(fakeTransport().t);
  c.closed(1000, "");
  c.subscribe("late");
  assert.deepEqual(c.topics, []);
});

Deno.test("TopicRegistry: listeners by topic and prefix*, each called once", () => {
  const reg = new TopicRegistry();
  const seen: string[] = [];
  const stopExact = reg.listen(
    "chat:a",
    (d, t) => void seen.push(`exact ${t} ${d}`),
  );
  const stopPrefix = reg.listen(
    "chat:*",
    (d, t) => void seen.push(`prefix ${t} ${d}`),
  );
  reg.publish("chat:a", "1");
  reg.publish("chat:b", "2");
  reg.publish("other", "3");
  assert.deepEqual(seen, [
    "exact chat:a 1",
    "prefix chat:a 1",
    "prefix chat:b 2",
  ]);
  stopExact();
  stopPrefix();
  reg.publish("chat:a", "4");
  assert.equal(seen.length, 3);
});

Deno.test("TopicRegistry tells the bus which topics and patterns are wanted", () => {
  const reg = new TopicRegistry();
  const calls: string[] = [];
  const sub = { deliver() {} };
  reg.subscribe("before", sub);
  reg.attach({
    kind: "redis",
    publish: (t, d) => void calls.push(`pub ${t} ${d}`),
    interest: (t, on, prefix) =>
      void calls.push(`${on ? "+" : "-"}${t}${prefix ? " (prefix)" : ""}`),
    close: () => Promise.resolve(),
  });
  const stop = reg.listen("p:*", () => {});
  reg.subscribe("x", sub);
  reg.subscribe("x", { deliver() {} });
  reg.subscribe("star*", sub);
  reg.publish("x", "d");
  reg.publish("x", "l", undefined, { local: true });
  reg.unsubscribe("x", sub);
  stop();
  assert.deepEqual(calls, [
    "+before",
    "+p: (prefix)",
    "+x",
    "+star*",
    "pub x d",
    "-p: (prefix)",
  ]);
});

Deno.test("the Redis wire format round-trips text and binary and reads foreign text", () => {
  const id = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
  const text = decodeWire(encodeWire(id, "héllo"))!;
  assert.equal(text.data, "héllo");
  assert.deepEqual(text.sender, id);
  const bin = decodeWire(encodeWire(id, new Uint8Array([0xff, 0])))!;
  assert.deepEqual(bin.data, new Uint8Array([0xff, 0]));
  assert.equal(encodeWire(id, "").byteLength, HEADER);
  assert.deepEqual(decodeWire(new TextEncoder().encode("from redis-cli")), {
    sender: null,
    data: "from redis-cli",
  });
  assert.deepEqual(
    decodeWire(new Uint8Array([0x80, 1]))!.data,
    new Uint8Array([0x80, 1]),
  );
  assert.equal(decodeWire(new Uint8Array([0xff, 1, 0])), null);
  assert.equal(
    decodeWire(new Uint8Array([0xff, 9, 0, 0, 0, 0, 0, 0, 0, 0])),
    null,
  );
});

Deno.test("parseBusSpec() accepts local, broadcast and redis URLs only", () => {
  assert.deepEqual(parseBusSpec("local"), { kind: "local" });
  assert.deepEqual(parseBusSpec("broadcast"), { kind: "broadcast" });
  assert.deepEqual(parseBusSpec("redis://127.0.0.1:6380/3"), {
    kind: "redis",
    url: "redis://127.0.0.1:6380/3",
    host: "127.0.0.1",
    port: 6380,
    db: 3,
  });
  assert.equal((parseBusSpec("redis://h") as { port: number }).port, 6379);
  for (
    const bad of [
      "",
      "nats://h:1",
      "redis://h:1/x",
      "redis://h:1/2?a=b",
      "Local",
    ]
  ) {
    assert.equal(typeof parseBusSpec(bad), "string", bad);
  }
});

Deno.test("--bus and DENOSOCKET_BUS choose the bus; a bad one is a one-line error", () => {
  const ok = parseCli(["--bus", "broadcast"], {});
  assert.equal(ok.kind === "serve" && ok.options.bus, "broadcast");
  const env = parseCli([], { DENOSOCKET_BUS: "redis://127.0.0.1:1" });
  assert.equal(env.kind === "serve" && env.options.bus, "redis://127.0.0.1:1");
  const def = parseCli([], {});
  assert.equal(def.kind === "serve" && def.options.bus, "local");
  const bad = parseCli(["--bus", "kafka"], {});
  assert.equal(bad.kind, "error");
  assert.match((bad as { message: string }).message, /invalid --bus "kafka"/);
});
