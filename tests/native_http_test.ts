// The native engine's own HTTP/1.1 answers: the ones the deno engine leaves
// to Deno's parser (bad request line, oversized head, a request that never
// finishes), each with a real status line and a logged refusal.
import assert from "node:assert/strict";
import { startServer } from "./support/server.ts";
import { waitFor } from "./support/wait.ts";

const enc = new TextEncoder(), dec = new TextDecoder();

/** Writes `bytes` and reads until the server closes (or `ms` passes). */
async function exchange(port: number, bytes: Uint8Array, ms = 20_000) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const timer = setTimeout(() => conn.close(), ms);
  let text = "";
  try {
    await conn.write(bytes);
    const buf = new Uint8Array(4096);
    for (let i = 0; i < 1000; i++) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += dec.decode(buf.subarray(0, n));
    }
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed by the timer */ }
  }
  return text;
}

Deno.test("native engine: status lines carry the standard reason phrase", async () => {
  const s = await startServer({ engine: "native" });
  try {
    const missing = await exchange(
      s.port,
      enc.encode("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"),
    );
    assert.match(missing, /^HTTP\/1\.1 404 Not Found\r\n/);
    const garbage = await exchange(s.port, enc.encode("GARBAGE\r\n\r\n"));
    assert.match(garbage, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(garbage, /\r\n\r\nbad request line\n$/);
    const big = await exchange(
      s.port,
      enc.encode(`GET / HTTP/1.1\r\nX-Pad: ${"a".repeat(20_000)}\r\n\r\n`),
    );
    assert.match(big, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    await waitFor(() => s.logs.some((l) => /refused .*status=431/.test(l)));
    assert.ok(
      s.logs.some((l) => /refused .*status=400/.test(l)),
      s.logs.join("\n"),
    );
  } finally {
    await s.close();
  }
});

Deno.test("native engine: a request not finished within the idle timeout gets 408 and a close", async () => {
  // --idle-timeout 1: the head timeout is min(10 s, idle timeout).
  const s = await startServer({ engine: "native", idleTimeout: 1 });
  try {
    const text = await exchange(
      s.port,
      enc.encode("GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgr"),
    );
    assert.match(text, /^HTTP\/1\.1 408 Request Timeout\r\n/);
    assert.match(text, /connection: close\r\n/i);
    assert.match(text, /\r\n\r\nrequest not received within 1 s\n$/);
    await waitFor(() => s.logs.some((l) => /refused .*status=408/.test(l)));
    // A complete request on time is still served.
    const ok = await exchange(
      s.port,
      enc.encode("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"),
    );
    assert.match(ok, /^HTTP\/1\.1 404 /);
  } finally {
    await s.close();
  }
});
