import assert from "node:assert/strict";
import { defineHandler } from "../lib/mod.ts";
import type { Route } from "../lib/routing/router.ts";
import { rawHandshake, readFrames } from "./support/frames.ts";
import { rawUpgrade, upgradeHeaders } from "./support/raw.ts";
import { startServer } from "./support/server.ts";
import { TestClient } from "./support/ws_client.ts";
import { eachEngine } from "./support/engines.ts";

const KiB = 1024;
const MiB = 1024 * KiB;

async function until(what: string, ok: () => boolean, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const echo = defineHandler({
  message(conn, data) {
    conn.send(data);
  },
});

/** Sends until send() says stop, waits for drained(), reports both. */
const flow = defineHandler({
  async message(conn) {
    const chunk = new Uint8Array(16 * KiB);
    let sent = 0;
    while (conn.send(chunk) && sent < 10_000) sent++;
    const buffered = conn.bufferedAmount;
    await conn.drained();
    conn.send(`stopped after ${sent + 1} sends, buffered ${buffered}`);
    conn.send(`drained to ${conn.bufferedAmount}`);
  },
});

const closes: { code: number; reason: string }[] = [];
/** Ignores backpressure: 256 KiB every few ms until the connection is gone. */
const firehose = defineHandler({
  open(conn) {
    const chunk = new Uint8Array(256 * KiB);
    const timer = setInterval(() => {
      if (conn.readyState !== 1) clearInterval(timer);
      else conn.send(chunk);
    }, 2);
  },
  close(_conn, code, reason) {
    closes.push({ code, reason });
  },
});

const routes: Route[] = [
  { pattern: "/echo", handler: echo, file: "echo" },
  { pattern: "/flow", handler: flow, file: "flow" },
  { pattern: "/firehose", handler: firehose, file: "firehose" },
];

eachEngine.test("--max-connections answers 503 with Retry-After, and frees slots on close", async (engine) => {
  const s = await startServer({ engine, maxConnections: 2 }, routes);
  try {
    const a = await TestClient.open(`${s.ws}/echo`);
    const b = await TestClient.open(`${s.ws}/echo`);
    const third = await rawUpgrade(s.port, "/echo", upgradeHeaders());
    assert.equal(third.status, 503);
    assert.equal(third.headers.get("retry-after"), "5");
    assert.match(third.body, /limit of 2 connections/);
    await a.close();
    await until("slot freed", () => s.app.connections.size === 1);
    const c = await TestClient.open(`${s.ws}/echo`);
    c.send("in");
    assert.equal(await c.next(), "in");
    await Promise.all([b.close(), c.close()]);
  } finally {
    await s.close();
  }
});

eachEngine.test("--max-connections slots come back after abrupt disconnects", async (engine) => {
  const s = await startServer({ engine, maxConnections: 3 }, routes);
  try {
    for (let i = 0; i < 12; i++) {
      const { conn } = await rawHandshake(s.port, "/echo");
      conn.close(); // no close frame
    }
    await until("all dropped", () => s.app.connections.size === 0);
    const clients = await Promise.all(
      [1, 2, 3].map(() => TestClient.open(`${s.ws}/echo`)),
    );
    await Promise.all(clients.map((c) => c.close()));
  } finally {
    await s.close();
  }
});

eachEngine.test("--max-connections-per-ip answers 429 with Retry-After", async (engine) => {
  const s = await startServer({ engine, maxConnectionsPerIp: 1 }, routes);
  try {
    const a = await TestClient.open(`${s.ws}/echo`);
    const second = await rawUpgrade(s.port, "/echo", upgradeHeaders());
    assert.equal(second.status, 429);
    assert.equal(second.headers.get("retry-after"), "5");
    assert.match(second.body, /too many connections from 127\.0\.0\.1/);
    await a.close();
    await until("slot freed", () => s.app.connections.size === 0);
    const b = await TestClient.open(`${s.ws}/echo`);
    await b.close();
  } finally {
    await s.close();
  }
});

eachEngine.test("--max-messages-per-second closes a flooding connection with 1008", async (engine) => {
  const s = await startServer({ engine, maxMessagesPerSecond: 5 }, routes);
  try {
    const calm = await TestClient.open(`${s.ws}/echo`);
    for (let i = 0; i < 4; i++) calm.send(`m${i}`);
    for (let i = 0; i < 4; i++) assert.equal(await calm.next(), `m${i}`);
    await calm.close();

    const flood = await TestClient.open(`${s.ws}/echo`);
    for (let i = 0; i < 50; i++) flood.send(`m${i}`);
    const closed = await flood.closed;
    assert.equal(closed.code, 1008);
    assert.equal(closed.reason, "over 5 messages per second");
  } finally {
    await s.close();
  }
});

eachEngine.test("send() returns false over --send-high-water and drained() resolves below it", async (engine) => {
  const s = await startServer({ engine, sendHighWater: 64 * KiB }, routes);
  try {
    const c = await TestClient.open(`${s.ws}/flow`);
    c.send("go");
    let report = "";
    for (let i = 0; i < 10_000 && !report; i++) {
      const m = await c.next(10_000);
      if (typeof m === "string") report = m;
    }
    const m = /^stopped after (\d+) sends, buffered (\d+)$/.exec(report);
    assert.ok(m, report);
    assert.ok(Number(m[1]) < 10_000, "send() never returned false");
    assert.ok(Number(m[2]) >= 64 * KiB, report);
    const drained = await c.next(10_000);
    const left = Number(/^drained to (\d+)$/.exec(String(drained))?.[1]);
    assert.ok(left < 64 * KiB, String(drained));
    await c.close();
  } finally {
    await s.close();
  }
});

eachEngine.test("--send-buffer-limit closes a stalled reader 1013 and drops it", async (engine) => {
  closes.length = 0;
  const s = await startServer(
    { engine, sendHighWater: 256 * KiB, sendBufferLimit: 4 * MiB },
    routes,
  );
  try {
    const { conn } = await rawHandshake(s.port, "/firehose");
    // Never read: the server's buffer grows until the limit.
    await until("handler closed", () => closes.length === 1);
    assert.equal(closes[0].code, 1006);
    assert.match(closes[0].reason, /no close handshake after 1013/);
    assert.match(s.logs.join("\n"), /close id=\S+ path=\/firehose .*code=1006/);
    assert.equal(s.app.connections.size, 0);
    // The TCP connection really ends: reading what is left reaches EOF.
    const rest = await readFrames(conn, 15_000);
    assert.ok(rest.ended, "the server kept the TCP connection open");
    try {
      conn.close();
    } catch { /* already closed */ }
    // Others are unaffected.
    const c = await TestClient.open(`${s.ws}/echo`);
    c.send("still here");
    assert.equal(await c.next(), "still here");
    await c.close();
  } finally {
    await s.close();
  }
});

eachEngine.test("the largest message --max-message-size allows is echoed back, text and binary", async (engine) => {
  // Default limits: 16 MiB in, and the send buffer must take 16 MiB out
  // (Autobahn 9.1.6/9.2.6 found the native engine closing 1013 here).
  const s = await startServer({ engine }, routes);
  try {
    const max = s.app.options.maxMessageSize;
    assert.equal(max, 16 * MiB);
    const c = await TestClient.open(`${s.ws}/echo`);
    const bytes = new Uint8Array(max);
    for (let i = 0; i < max; i += 4096) bytes[i] = i & 0xff;
    c.send(bytes);
    assert.deepEqual(await c.next(30_000), bytes);
    const text = "é".repeat(max / 2); // 2 UTF-8 bytes each: exactly max
    c.send(text);
    assert.equal(await c.next(30_000), text);
    c.send("still open");
    assert.equal(await c.next(), "still open");
    // One byte more is refused: the two limits meet at the same size.
    c.send(new Uint8Array(max + 1));
    const closed = await c.closed;
    assert.equal(closed.code, 1009);
  } finally {
    await s.close();
  }
});

eachEngine.test("a --max-message-size above 16 MiB raises the default send buffer limit with it", async (engine) => {
  const s = await startServer({ engine, maxMessageSize: 20 * MiB }, routes);
  try {
    const c = await TestClient.open(`${s.ws}/echo`);
    const bytes = new Uint8Array(20 * MiB).fill(7);
    c.send(bytes);
    assert.equal((await c.next(30_000) as Uint8Array).length, 20 * MiB);
    c.send("still open");
    assert.equal(await c.next(), "still open");
    await c.close(1000);
  } finally {
    await s.close();
  }
});
