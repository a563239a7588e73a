// --deflate and --deflate-threshold: parsing, the deno-engine refusal and
// warning, and their effect on a real native server (python3-websockets and
// raw TCP frames, where RSV1 shows what was compressed).
import assert from "node:assert/strict";
import zlib from "node:zlib";
import { parseCli } from "../lib/cli/parse_cli.ts";
import { DEFAULTS } from "../lib/options.ts";
import { frame } from "./support/frames.ts";
import { KEY, readResponse } from "./support/raw.ts";
import { runCli, spawnServer } from "./support/server.ts";
import { childEnv } from "./support/spawn.ts";
import { TOOLS } from "./support/tools.ts";

const PYTHON = TOOLS.python3.path;
const enc = new TextEncoder(), dec = new TextDecoder();

function serveOptions(args: string[]) {
  const r = parseCli(args, {});
  if (r.kind !== "serve") throw new Error(JSON.stringify(r));
  return r;
}

Deno.test("parseCli() reads --deflate on|shared|off and --deflate-threshold sizes", () => {
  const on = serveOptions(["--engine", "native", "--deflate", "on"]);
  assert.equal(on.options.deflate, true);
  assert.equal(on.options.deflateShared, false);
  assert.deepEqual(on.warnings, []);
  const shared = serveOptions(["--engine", "native", "--deflate", "shared"]);
  assert.equal(shared.options.deflate, true);
  assert.equal(shared.options.deflateShared, true);
  const off = serveOptions(["--engine", "native", "--deflate", "off"]);
  assert.equal(off.options.deflate, false);
  const t = serveOptions([
    "--engine",
    "native",
    "--deflate",
    "on",
    "--deflate-threshold",
    "4k",
  ]);
  assert.equal(t.options.deflateThreshold, 4096);
  const zero = serveOptions([
    "--engine=native",
    "--deflate=on",
    "--deflate-threshold=0",
  ]);
  assert.equal(zero.options.deflateThreshold, 0);
});

Deno.test("parseCli() rejects bad --deflate values with a specific message", () => {
  for (
    const [args, want] of [
      [["--engine", "native", "--deflate", "yes"], /--deflate "yes"/],
      [["--engine", "native", "--deflate-threshold=-1"], /threshold "-1"/],
      [["--engine", "native", "--deflate-threshold", "lots"], /"lots"/],
      [["--deflate", "on"], /--deflate on needs --engine native/],
      [["--deflate", "shared"], /--deflate shared needs --engine native/],
    ] as const
  ) {
    const r = parseCli([...args], {});
    assert.equal(r.kind, "error", args.join(" "));
    assert.match((r as { message: string }).message, want);
  }
});

Deno.test("parseCli() warns when the deflate flags can have no effect", () => {
  const deno = serveOptions(["--deflate", "off", "--deflate-threshold", "2k"]);
  assert.equal(deno.options.deflate, false);
  assert.match(deno.warnings.join("\n"), /no effect with --engine deno/);
  const offNative = serveOptions([
    "--engine",
    "native",
    "--deflate",
    "off",
    "--deflate-threshold",
    "2k",
  ]);
  assert.match(offNative.warnings.join("\n"), /while deflate is off/);
  assert.deepEqual(serveOptions(["--engine", "native"]).warnings, []);
});

Deno.test("main.ts --deflate on with the deno engine exits 2 naming --engine native", async () => {
  const r = await runCli(["--port", "0", "--deflate", "on"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--deflate on needs --engine native/);
});

Deno.test("main.ts --deflate off with the deno engine starts with a one-line warning", async () => {
  const s = await spawnServer(["--no-static", "--deflate", "off"]);
  try {
    const lines = s.output().split("\n").filter((l) => /flag_ignored/.test(l));
    assert.equal(lines.length, 1, s.output());
    assert.match(lines[0], /WARN.*no effect with --engine deno/);
  } finally {
    await s.stop();
  }
});

/**
 * Connects with python3-websockets (which offers permessage-deflate) and
 * prints the extensions the server's 101 agreed to, then echoes three
 * messages, each `times` times. The extensions come from the response
 * headers, which both client APIs expose: Debian 12's websockets 10.4
 * (legacy client: `ws.response_headers`) and the asyncio client of
 * websockets 14 and later (`ws.response.headers`, no `ws.extensions`).
 */
async function python(url: string, times = 1): Promise<string[]> {
  const script = `
import asyncio, sys, websockets
async def main():
    async with websockets.connect(sys.argv[1]) as ws:
        response = getattr(ws, "response", None)
        headers = response.headers if response else ws.response_headers
        agreed = headers.get_all("Sec-WebSocket-Extensions")
        names = [e.split(";")[0].strip() for h in agreed for e in h.split(",")]
        print(",".join(names) or "none")
        for msg in ["short", "x" * 5000, '{"k": "v"}' * 300]:
            for _ in range(int(sys.argv[2])):
                await ws.send(msg)
                print("ok" if await ws.recv() == msg else "MISMATCH")
asyncio.run(main())
`;
  const out = await new Deno.Command(PYTHON, {
    args: ["-c", script, url, String(times)],
    clearEnv: true,
    env: childEnv(),
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, dec.decode(out.stderr));
  return dec.decode(out.stdout).trim().split("\n");
}

Deno.test("python3-websockets gets permessage-deflate with --deflate on and round-trips", async () => {
  const s = await spawnServer(["--engine", "native", "--deflate", "on"]);
  try {
    assert.deepEqual(await python(`${s.ws}/echo`), [
      "permessage-deflate",
      "ok",
      "ok",
      "ok",
    ]);
  } finally {
    await s.stop();
  }
});

Deno.test("python3-websockets agrees to no context takeover both ways with --deflate shared and round-trips", async () => {
  const s = await spawnServer(["--engine", "native", "--deflate", "shared"]);
  try {
    const { conn, extensions } = await openDeflate(s.port);
    conn.close();
    assert.equal(
      extensions,
      "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
    );
    // The same message three times: a client keeping its context would
    // send back-references the server's reset stream cannot resolve.
    assert.deepEqual(await python(`${s.ws}/echo`, 3), [
      "permessage-deflate",
      ...Array(9).fill("ok"),
    ]);
  } finally {
    await s.stop();
  }
});

Deno.test("python3-websockets gets no extension with --deflate off", async () => {
  const s = await spawnServer(["--engine", "native", "--deflate", "off"]);
  try {
    assert.deepEqual(await python(`${s.ws}/echo`), ["none", "ok", "ok", "ok"]);
  } finally {
    await s.stop();
  }
});

/** Opens /echo offering permessage-deflate; returns the conn and 101 header. */
async function openDeflate(port: number) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(enc.encode(
    `GET /echo HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\n` +
      `Sec-WebSocket-Version: 13\r\n` +
      `Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n`,
  ));
  const head = await readResponse(conn, 10_000);
  assert.equal(head.status, 101);
  return { conn, extensions: head.headers.get("sec-websocket-extensions") };
}

/** Reads one whole unfragmented server frame: first byte and payload. */
async function readFrame(conn: Deno.Conn): Promise<[number, Uint8Array]> {
  let buf = new Uint8Array(0);
  const chunk = new Uint8Array(65536);
  for (let i = 0; i < 1000; i++) {
    const len7 = buf.length >= 2 ? buf[1] & 0x7f : 127; // 64-bit: not here
    if (len7 < 127 && buf.length >= 4) {
      const [len, at] = len7 === 126 ? [(buf[2] << 8) | buf[3], 4] : [len7, 2];
      if (buf.length >= at + len) return [buf[0], buf.slice(at, at + len)];
    }
    const n = await conn.read(chunk);
    if (n === null) throw new Error("connection ended before a frame");
    const next = new Uint8Array(buf.length + n);
    next.set(buf);
    next.set(chunk.subarray(0, n), buf.length);
    buf = next;
  }
  throw new Error("no frame");
}

Deno.test("--deflate-threshold: shorter replies go out without RSV1, longer ones compressed", async () => {
  const s = await spawnServer([
    "--engine",
    "native",
    "--deflate",
    "on",
    "--deflate-threshold",
    "100",
  ]);
  const { conn, extensions } = await openDeflate(s.port);
  try {
    assert.equal(extensions, "permessage-deflate");
    const small = "s".repeat(99), big = "b".repeat(100);
    await conn.write(frame({ opcode: 1, payload: small }));
    const [b0, p0] = await readFrame(conn);
    assert.equal(b0, 0x81, "99 bytes: FIN + text, RSV1 clear");
    assert.equal(dec.decode(p0), small);
    await conn.write(frame({ opcode: 1, payload: big }));
    const [b1, p1] = await readFrame(conn);
    assert.equal(b1, 0xc1, "100 bytes: FIN + RSV1 + text");
    assert.ok(p1.length < 100);
    const tail = new Uint8Array([...p1, 0, 0, 0xff, 0xff]);
    const inflated = zlib.inflateRawSync(tail, {
      finishFlush: zlib.constants.Z_SYNC_FLUSH,
    });
    assert.equal(dec.decode(inflated), big);
  } finally {
    conn.close();
    await s.stop();
  }
});

Deno.test("permessage-deflate is off by default: a native server without --deflate answers no extension", async () => {
  // The README and docs/engines.md say "off by default"; this is the check.
  assert.equal(DEFAULTS.deflate, false);
  assert.equal(serveOptions(["--engine", "native"]).options.deflate, false);
  const s = await spawnServer(["--engine", "native"]);
  const { conn, extensions } = await openDeflate(s.port);
  try {
    assert.equal(extensions, null);
    await conn.write(frame({ opcode: 1, payload: "x".repeat(5000) }));
    const [b0, payload] = await readFrame(conn);
    assert.equal(b0, 0x81, "FIN + text, RSV1 clear: sent uncompressed");
    assert.equal(payload.length, 5000);
  } finally {
    conn.close();
    await s.stop();
  }
});

Deno.test("--deflate on with --max-message-size: a compression bomb is closed 1009", async () => {
  const s = await spawnServer([
    "--engine",
    "native",
    "--deflate",
    "on",
    "--max-message-size",
    "64k",
  ]);
  const { conn } = await openDeflate(s.port);
  try {
    // 4 MiB of zeros deflates to ~4 KiB: small on the wire, huge inflated.
    const bomb = zlib.deflateRawSync(new Uint8Array(4 * 1024 * 1024), {
      finishFlush: zlib.constants.Z_SYNC_FLUSH,
    });
    const payload = bomb.subarray(0, bomb.length - 4); // drop 00 00 ff ff
    await conn.write(frame({ opcode: 2, rsv: 4, payload }));
    const [b0, p] = await readFrame(conn);
    assert.equal(b0 & 0x0f, 8, "a close frame");
    assert.equal((p[0] << 8) | p[1], 1009);
  } finally {
    conn.close();
    await s.stop();
  }
});
