// The native engine end to end on loopback: real and raw clients.
import assert from "node:assert/strict";
import { type App, createApp } from "../lib/app/app.ts";
import { Logger } from "../lib/log.ts";
import type { Route } from "../lib/routing/router.ts";
import type { Handler } from "../lib/types.ts";
import type { ServerOptions } from "../lib/options.ts";
import {
  type NativeServer,
  serveNative,
} from "../lib/engines/native/engine.ts";
import {
  clientFrame,
  closePayload,
  joinBytes,
  readFrames,
} from "./support/frames.ts";
import { rawOpen } from "./support/raw.ts";
import { startServer } from "./support/server.ts";
import { MessageDeflater, MessageInflater } from "../lib/protocol/deflate.ts";
import { negotiateDeflate } from "../lib/protocol/deflate_negotiation.ts";

const enc = new TextEncoder(), dec = new TextDecoder();
const closes: [number, string][] = [];

const routes: Route[] = [
  {
    pattern: "/echo",
    file: "echo",
    handler: { message: (c, d) => void c.send(d) },
  },
  {
    pattern: "/burst",
    file: "burst",
    handler: {
      message(c) {
        for (let i = 0; i < 100; i++) c.send(`m${i}`);
      },
    },
  },
  {
    pattern: "/flood",
    file: "flood",
    handler: {
      async message(c) {
        let sends = 1;
        while (c.send(new Uint8Array(256 * 1024))) sends++;
        const high = c.bufferedAmount;
        await c.drained();
        c.send(`${sends} ${high} ${c.bufferedAmount}`);
      },
      close: (_c, code, reason) => void closes.push([code, reason]),
    } as Handler,
  },
  {
    pattern: "/pubsub",
    file: "pubsub",
    handler: {
      open: (c) => c.subscribe("t"),
      message: (c, d) => c.publish("t", d),
    },
  },
  {
    pattern: "/closer",
    file: "closer",
    handler: {
      open: (c) => c.close(4000, "bye"),
      close: (_c, code, reason) => void closes.push([code, reason]),
    } as Handler,
  },
];

function start(
  opts: Partial<ServerOptions> = {},
): { app: App; server: NativeServer; port: number } {
  const app = createApp(
    { staticDir: null, ...opts },
    routes,
    new Logger("error", () => {}),
  );
  const server = serveNative(app, { port: 0, hostname: "127.0.0.1" });
  return { app, server, port: server.addr.port };
}

/** A raw client: handshake, then frames in and out. */
class Raw {
  buf = new Uint8Array(0);
  eof = false;
  constructor(public tcp: Deno.TcpConn) {}
  static async open(
    port: number,
    path = "/echo",
    extra = "",
  ): Promise<[Raw, string]> {
    const tcp = await Deno.connect({ hostname: "127.0.0.1", port });
    const raw = new Raw(tcp);
    await tcp.write(enc.encode(
      `GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`,
    ));
    let end = -1;
    while ((end = dec.decode(raw.buf).indexOf("\r\n\r\n")) < 0) {
      await raw.fill();
    }
    const head = dec.decode(raw.buf.subarray(0, end));
    raw.buf = raw.buf.subarray(end + 4);
    return [raw, head];
  }
  async fill(ms = 3000): Promise<number> {
    const b = new Uint8Array(65536);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const n = await Promise.race([
      this.tcp.read(b),
      new Promise<never>((_, rej) =>
        timer = setTimeout(() => rej(new Error("read timeout")), ms)
      ),
    ]).finally(() => clearTimeout(timer));
    if (n === null) {
      this.eof = true;
      return 0;
    }
    const next = new Uint8Array(this.buf.length + n);
    next.set(this.buf);
    next.set(b.subarray(0, n), this.buf.length);
    this.buf = next;
    return n;
  }
  /** Next server frame: [b0, payload], or null at EOF. */
  async frame(ms = 3000): Promise<[number, Uint8Array] | null> {
    for (;;) {
      const b = this.buf;
      if (b.length >= 2) {
        let len = b[1] & 0x7f, h = 2;
        if (len === 126) len = (b[2] << 8) | b[3], h = 4;
        else if (len === 127) {
          len = Number(
            new DataView(b.buffer, b.byteOffset + 2).getBigUint64(0),
          ), h = 10;
        }
        if (b.length >= h + len) {
          this.buf = b.subarray(h + len);
          return [b[0], b.slice(h, h + len)];
        }
      }
      if (this.eof || (await this.fill(ms)) === 0) return null;
    }
  }
  send(bytes: Uint8Array) {
    return this.tcp.write(bytes);
  }
  close() {
    try {
      this.tcp.close();
    } catch { /* closed */ }
  }
}

Deno.test("native engine echoes text and binary to Deno's WebSocket client", async () => {
  const { server, port } = start();
  const ws = new WebSocket(`ws://127.0.0.1:${port}/echo`);
  ws.binaryType = "arraybuffer";
  const got: unknown[] = [];
  const done = Promise.withResolvers<void>();
  ws.onopen = () => {
    ws.send("hello");
    ws.send(new Uint8Array([1, 2, 3]));
    ws.send("é".repeat(40000));
  };
  ws.onmessage = (e) => {
    got.push(
      typeof e.data === "string" ? e.data : Array.from(new Uint8Array(e.data)),
    );
    if (got.length === 3) ws.close(1000);
  };
  ws.onclose = () => done.resolve();
  await done.promise;
  assert.deepEqual(got, ["hello", [1, 2, 3], "é".repeat(40000)]);
  await server.shutdown();
});

Deno.test("native engine serves plain HTTP through the app", async () => {
  const { server, port } = start();
  const page = await fetch(`http://127.0.0.1:${port}/echo`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /echo/);
  const missing = await fetch(`http://127.0.0.1:${port}/nope`);
  assert.equal(missing.status, 404);
  await missing.body?.cancel();
  await server.shutdown();
});

Deno.test("native engine negotiates permessage-deflate and echoes compressed", async () => {
  const { server, port } = start();
  const [raw, head] = await Raw.open(
    port,
    "/echo",
    "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n",
  );
  assert.match(head, /^HTTP\/1\.1 101 /);
  assert.match(head, /sec-websocket-extensions: permessage-deflate\r?$/m);
  assert.match(head, /sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/);
  const params = negotiateDeflate("permessage-deflate")!.params;
  const text = "compress me ".repeat(500);
  await raw.send(
    clientFrame(
      1,
      new MessageDeflater(params, { threshold: 0 }).compress(enc.encode(text)),
      { rsv: 4 },
    ),
  );
  const [b0, payload] = (await raw.frame())!;
  assert.equal(b0, 0xc1); // FIN + RSV1 + text
  const inf = new MessageInflater(params);
  inf.push(payload, Infinity);
  assert.equal(dec.decode(inf.finish(Infinity)!), text);
  inf.close();
  raw.close();
  await server.shutdown();
});

Deno.test("native engine fails an unmasked frame: close 1002, then closes TCP", async () => {
  const { server, port } = start();
  const [raw] = await Raw.open(port);
  await raw.send(clientFrame(1, "hi", { mask: null }));
  const [b0, payload] = (await raw.frame())!;
  assert.equal(b0, 0x88);
  assert.equal((payload[0] << 8) | payload[1], 1002);
  assert.equal(await raw.frame(), null); // the server closed its side
  raw.close();
  await server.shutdown();
});

Deno.test("native engine answers pings and enforces maxMessageSize with 1009", async () => {
  const { server, port } = start({ maxMessageSize: 1000 });
  const [raw] = await Raw.open(port);
  await raw.send(clientFrame(9, "abc"));
  const [b0, payload] = (await raw.frame())!;
  assert.equal(b0, 0x8a);
  assert.equal(dec.decode(payload), "abc");
  await raw.send(clientFrame(2, new Uint8Array(0), { announcedLength: 2000 }));
  const [c0, close] = (await raw.frame())!;
  assert.equal(c0, 0x88);
  assert.equal((close[0] << 8) | close[1], 1009);
  raw.close();
  await server.shutdown();
});

Deno.test("native engine coalesces the sends of one turn into one write", async () => {
  const { server, port } = start();
  const [raw] = await Raw.open(port, "/burst");
  await raw.send(clientFrame(1, "go"));
  await raw.fill();
  assert.equal(raw.buf.length, 100 * 2 + 10 * 2 + 90 * 3); // 100 frames, one read
  raw.close();
  await server.shutdown();
});

Deno.test("native engine closing handshake: handler close(4000) then the client's echo", async () => {
  closes.length = 0;
  const { server, port } = start();
  const [raw] = await Raw.open(port, "/closer");
  const [b0, payload] = (await raw.frame())!;
  assert.equal(b0, 0x88);
  assert.equal((payload[0] << 8) | payload[1], 4000);
  assert.equal(dec.decode(payload.subarray(2)), "bye");
  await raw.send(clientFrame(8, closePayload(4000, "bye")));
  assert.equal(await raw.frame(), null); // TCP closed by the server
  raw.close();
  await server.shutdown();
  assert.deepEqual(closes, [[4000, "bye"]]);
});

Deno.test("native engine pings an idle client and closes 1001 without a pong", async () => {
  const { server, port } = start({ idleTimeout: 1 });
  const [raw] = await Raw.open(port);
  const t0 = performance.now();
  const [p0] = (await raw.frame(3000))!;
  assert.equal(p0, 0x89);
  const tPing = performance.now() - t0;
  const [c0, close] = (await raw.frame(3000))!;
  const tClose = performance.now() - t0;
  assert.equal(c0, 0x88);
  assert.equal((close[0] << 8) | close[1], 1001);
  assert.ok(tPing >= 400 && tPing < 900, `ping after ${tPing} ms`);
  assert.ok(tClose >= 900 && tClose < 1500, `close after ${tClose} ms`);
  raw.close();
  await server.shutdown();
});

Deno.test("native engine shutdown closes open WebSockets with 1001", async () => {
  const { server, port } = start();
  const [raw] = await Raw.open(port);
  const stopping = server.shutdown();
  const [b0, payload] = (await raw.frame())!;
  assert.equal(b0, 0x88);
  assert.equal((payload[0] << 8) | payload[1], 1001);
  await raw.send(clientFrame(8, closePayload(1001)));
  await stopping;
  raw.close();
});

Deno.test("native engine: send() returns false over the high-water mark, drained() resolves", async () => {
  const { server, port } = start({ sendHighWater: 1024 * 1024 });
  const [raw] = await Raw.open(port, "/flood");
  await raw.send(clientFrame(1, "go"));
  let report = "";
  for (let f; (f = await raw.frame()) !== null;) {
    if (f[0] === 0x81) {
      report = dec.decode(f[1]);
      break;
    }
  }
  const [sends, high, after] = report.split(" ").map(Number);
  assert.equal(sends, 4); // 4 x 256 KiB reach 1 MiB
  assert.ok(high >= 1024 * 1024, `${high}`);
  assert.ok(after < 1024 * 1024, `${after}`);
  raw.close();
  await server.shutdown();
});

Deno.test("native engine reports an abrupt disconnect as 1006", async () => {
  closes.length = 0;
  const { server, port } = start();
  const [raw] = await Raw.open(port, "/flood");
  raw.close();
  for (let i = 0; i < 100 && closes.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.deepEqual(closes, [[1006, ""]]);
  await server.shutdown();
});

Deno.test("native engine fans topic messages out as one shared frame", async () => {
  const { server, port } = start();
  const [a] = await Raw.open(port, "/pubsub");
  const [b] = await Raw.open(port, "/pubsub");
  const [c] = await Raw.open(port, "/pubsub");
  await new Promise((r) => setTimeout(r, 50)); // all three subscribed
  await a.send(clientFrame(1, "news"));
  for (const peer of [b, c]) {
    const [b0, payload] = (await peer.frame())!;
    assert.equal(b0, 0x81);
    assert.equal(dec.decode(payload), "news");
  }
  for (const r of [a, b, c]) r.close();
  await server.shutdown();
});

Deno.test("100 connections sending small messages at once each get their own echoes: reads into the shared slab never share a region", async () => {
  const server = await startServer({ engine: "native" });
  const conns: Deno.Conn[] = [];
  try {
    for (let i = 0; i < 100; i++) {
      conns.push((await rawOpen(server.port, "/echo")).conn);
    }
    // Every client sends at once, so many reads complete in one turn.
    await Promise.all(conns.map((c, i) =>
      c.write(joinBytes(
        ...Array.from({ length: 5 }, (_, k) => clientFrame(1, `c${i} m${k}`)),
      ))
    ));
    const got = await Promise.all(conns.map(async (c) => {
      const { frames } = await readFrames(c, 10_000, (f) => f.length === 5);
      return frames.map((f) => new TextDecoder().decode(f.payload));
    }));
    got.forEach((texts, i) =>
      assert.deepEqual(texts, [0, 1, 2, 3, 4].map((k) => `c${i} m${k}`))
    );
  } finally {
    for (const c of conns) c.close();
    await server.close();
  }
});
