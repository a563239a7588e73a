/**
 * Where pywebsocket's e2e clients compare bytes: the example handlers' close
 * frames, read off a raw socket and compared byte for byte with what
 * pywebsocket's standalone server sends (its `dispatch.py` closes with 1000
 * and no reason when a transfer function returns, and with 1011 and no
 * reason when it raises).
 */
import assert from "node:assert/strict";
import { KEY, rawUpgrade, upgradeHeaders } from "./support/raw.ts";
import { withServer } from "./support/server.ts";
import { eachEngine } from "./support/engines.ts";
import { clientFrame, closePayload } from "./support/frames.ts";

const enc = new TextEncoder();

/**
 * Upgrades to `path`, writes `frames`, and returns every byte the server
 * sent after the 101 head, up to and including its close frame (or what
 * came within `ms`).
 */
async function bytesAfter101(
  port: number,
  path: string,
  frames: Uint8Array[] = [],
  ms = 3000,
): Promise<number[]> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(enc.encode(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
        `Connection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\n` +
        `Sec-WebSocket-Version: 13\r\n\r\n`,
    ));
    for (const f of frames) await conn.write(f);
    const got: number[] = [];
    const buf = new Uint8Array(4096);
    const deadline = Date.now() + ms;
    let headEnd = -1;
    while (Date.now() < deadline) {
      const n = await Promise.race([
        conn.read(buf),
        new Promise<"late">((r) =>
          setTimeout(() => r("late"), Math.max(1, deadline - Date.now()))
        ),
      ]);
      if (n === "late" || n === null) break;
      got.push(...buf.subarray(0, n));
      headEnd = headEnd >= 0 ? headEnd : indexOfCrlfCrlf(got);
      if (headEnd >= 0 && hasCloseFrame(got.slice(headEnd + 4))) break;
    }
    assert.ok(headEnd >= 0, "no response head");
    const head = new TextDecoder().decode(
      new Uint8Array(got.slice(0, headEnd)),
    );
    assert.match(head, /^HTTP\/1\.1 101 /);
    return got.slice(headEnd + 4);
  } finally {
    try {
      conn.close();
    } catch { /* closed by the server */ }
  }
}

function indexOfCrlfCrlf(b: number[]): number {
  for (let i = 0; i + 3 < b.length; i++) {
    if (b[i] === 13 && b[i + 1] === 10 && b[i + 2] === 13 && b[i + 3] === 10) {
      return i;
    }
  }
  return -1;
}

/** Whether unmasked server frames in `b` include a whole close frame. */
function hasCloseFrame(b: number[]): boolean {
  let at = 0;
  while (at + 2 <= b.length) {
    const len = b[at + 1] & 0x7f; // the server's frames here are all short
    if (at + 2 + len > b.length) return false;
    if ((b[at] & 0x0f) === 8) return true;
    at += 2 + len;
  }
  return false;
}

const hex = (b: number[]) =>
  b.map((x) => x.toString(16).padStart(2, "0")).join(" ");

eachEngine.test("/echo answers Goodbye with the echo, then exactly 88 02 03 e8 (1000, no reason) as pywebsocket", async (engine) => {
  await withServer({ engine }, undefined, async (s) => {
    const bytes = await bytesAfter101(s.port, "/echo", [
      clientFrame(1, "Goodbye"),
    ]);
    // 81 07 "Goodbye" (the echo), then the close frame.
    assert.equal(
      hex(bytes),
      "81 07 47 6f 6f 64 62 79 65 88 02 03 e8",
    );
  });
});

eachEngine.test("/internal_error closes with exactly 88 02 03 f3 (1011, no reason) as pywebsocket", async (engine) => {
  await withServer({ engine }, undefined, async (s) => {
    assert.equal(
      hex(await bytesAfter101(s.port, "/internal_error")),
      "88 02 03 f3",
    );
    // The reason is in the server's log instead: the stack of the throw.
    assert.ok(
      s.logs.some((l) =>
        /ERROR handler_error .*path=\/internal_error .*failing on purpose/.test(
          l,
        )
      ),
    );
  });
});

// Deno's own framing ends the TCP connection on most protocol errors
// (docs/engines.md): the native engine is the one that sends these closes.
eachEngine.test(
  "a protocol-error close keeps its reason (1002 for a reserved opcode)",
  async (engine) => {
    await withServer({ engine }, undefined, async (s) => {
      const bytes = await bytesAfter101(s.port, "/echo", [clientFrame(3)]);
      const text = new TextDecoder().decode(new Uint8Array(bytes.slice(4)));
      assert.equal(hex(bytes.slice(0, 1)), "88");
      assert.equal((bytes[2] << 8) | bytes[3], 1002);
      assert.ok(text.length > 0, `a reason, got ${hex(bytes)}`);
    });
  },
  { engines: ["native"] },
);

eachEngine.test("GET /echo#x is refused with 400: RFC 6455 §3 allows no fragment", async (engine) => {
  await withServer({ engine }, undefined, async (s) => {
    const res = await rawUpgrade(
      s.port,
      "/echo#x",
      upgradeHeaders({ Host: `127.0.0.1:${s.port}` }),
    );
    assert.equal(res.status, 400);
    assert.equal(
      res.body,
      "a WebSocket URL has no fragment: remove the #...\n",
    );
    // The same path without the fragment is upgraded.
    const ok = await bytesAfter101(s.port, "/echo", [
      clientFrame(8, closePayload(1000)),
    ]);
    assert.equal(hex(ok), "88 02 03 e8");
  });
});
