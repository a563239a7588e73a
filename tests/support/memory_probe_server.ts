/**
 * A server with a memory probe, for `tests/idle_memory_test.ts` and
 * `bench/idle_heap.ts`: runs `main.ts` with its arguments in this process
 * (or, with `MEMORY_PROBE_ENTRY=raw`, `bench/baseline_raw.ts`; `=floor`, a
 * bare `Deno.listen` holding one pending 1 KiB read per socket), and
 * answers one command per connection to its control port (printed as
 * `memory probe on PORT`) with one JSON line:
 *
 * - `measure [nogc]`: after a full GC (unless `nogc`), VmRSS,
 *   `Deno.memoryUsage()`, V8's heap statistics and its spaces' sizes;
 * - `objects`: after a full GC, how many objects of each constructor are
 *   alive (from a heap snapshot);
 * - `snapshot PATH`: a full GC, then a V8 heap snapshot written to PATH.
 *
 * Run with `--v8-flags=--expose-gc`. A control port, not stdin (a pending
 * stdin read held the main module back), and not `--preload` (a preloaded
 * module's pending accept did the same).
 *
 * @module
 */
import v8 from "node:v8";
import { createHash } from "node:crypto";
const gc = (globalThis as { gc?: () => void }).gc;

/**
 * Objects alive by constructor name, from one heap snapshot (one
 * `queryObjects` call per class took ~1 s each here).
 */
function objectCounts(): Record<string, number> {
  const path = Deno.makeTempFileSync({ suffix: ".heapsnapshot" });
  try {
    v8.writeHeapSnapshot(path);
    const snap = JSON.parse(Deno.readTextFileSync(path));
    const meta = snap.snapshot.meta;
    const width = meta.node_fields.length;
    const T = meta.node_fields.indexOf("type");
    const N = meta.node_fields.indexOf("name");
    const objectType = meta.node_types[0].indexOf("object");
    const counts: Record<string, number> = {};
    for (let i = 0; i < snap.nodes.length; i += width) {
      if (snap.nodes[i + T] !== objectType) continue;
      const name = snap.strings[snap.nodes[i + N]];
      counts[name] = (counts[name] ?? 0) + 1;
    }
    return counts;
  } finally {
    Deno.removeSync(path);
  }
}

function rssKiB(): number {
  // Not /proc/self/status: main.ts gives up --allow-run when it serves no
  // program, and Deno then refuses /proc/self without all permissions.
  return Math.round(Deno.memoryUsage().rss / 1024);
}

function answer(cmd: string, arg: string): unknown {
  // Twice: the first pass may leave objects finalization frees for the second.
  if (arg !== "nogc") gc?.(), gc?.();
  if (cmd === "measure") {
    const h = v8.getHeapStatistics() as v8.HeapInfo & {
      total_allocated_bytes?: number;
    };
    const spaces = Object.fromEntries(
      v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size]),
    );
    return {
      rssKiB: rssKiB(),
      ...Deno.memoryUsage(),
      usedHeap: h.used_heap_size,
      allocated: h.total_allocated_bytes ?? 0,
      ...spaces,
    };
  }
  if (cmd === "objects") return objectCounts();
  if (cmd === "snapshot") return { snapshot: v8.writeHeapSnapshot(arg) };
  return { error: `unknown command ${cmd}` };
}

const control = Deno.listen({ hostname: "127.0.0.1", port: 0 });
console.log(`memory probe on ${control.addr.port}`);
(async () => {
  for await (const c of control) {
    try {
      const buf = new Uint8Array(4096);
      const n = await c.read(buf);
      if (n === null) continue;
      const [cmd, arg] = new TextDecoder().decode(buf.subarray(0, n)).trim()
        .split(" ");
      // All of it: one write may take only part of a big answer.
      const out = new TextEncoder().encode(
        JSON.stringify(answer(cmd, arg)) + "\n",
      );
      for (let at = 0; at < out.length;) at += await c.write(out.subarray(at));
    } catch {
      /* the asker left */
    } finally {
      c.close();
    }
  }
})();

/** RFC 6455's accept key the plain way (the floor is Deno's cost only). */
function accept(key: string): string {
  return createHash("sha1").update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
    .digest("base64");
}

/** Echoes one whole small client frame (the bench's liveness probe). */
function echo(b: Uint8Array, n: number): Uint8Array {
  const len7 = b[1] & 0x7f, at = len7 === 126 ? 8 : 6;
  const len = Math.min(len7 === 126 ? (b[2] << 8) | b[3] : len7, n - at);
  const out = new Uint8Array(at - 4 + len);
  out[0] = b[0], out[1] = len7;
  if (len7 === 126) out[2] = b[2], out[3] = b[3];
  for (let i = 0; i < len; i++) {
    out[at - 4 + i] = b[at + i] ^ b[at - 4 + (i & 3)];
  }
  return out;
}

/** The floor of issue 17's table. */
function floor(port: number): void {
  const listener = Deno.listen({ hostname: "127.0.0.1", port });
  console.log(`listening on http://127.0.0.1:${listener.addr.port}/`);
  const enc = new TextEncoder();
  (async () => {
    for await (const c of listener) {
      (async () => {
        const buf = new Uint8Array(1024);
        const n = await c.read(buf);
        const head = new TextDecoder().decode(buf.subarray(0, n ?? 0));
        const key = /sec-websocket-key: *(\S+)/i.exec(head)?.[1] ?? "";
        await c.write(enc.encode(
          "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n" +
            `Connection: Upgrade\r\nSec-WebSocket-Accept: ${
              accept(key)
            }\r\n\r\n`,
        ));
        for (let n; (n = await c.read(buf)) !== null;) {
          await c.write(echo(buf, n));
        }
      })().catch(() => {});
    }
  })();
}

const entry = Deno.env.get("MEMORY_PROBE_ENTRY");
const port = Number(Deno.args[Deno.args.indexOf("--port") + 1]);
if (entry === "raw") {
  await import("../../bench/baseline_raw.ts"); // Deno.serve binds at once
  console.log(`listening on http://127.0.0.1:${port}/`);
} else if (entry === "floor") floor(port);
else {
  const { main } = await import("../../main.ts");
  Deno.exit(await main(Deno.args));
}
