/**
 * Driving `memory_probe_server.ts`: start it, open idle WebSockets to it
 * from this process, ask it for its memory figures and object counts.
 *
 * @module
 */
import { constants as zlib, deflateRawSync } from "node:zlib";
import { type Listening, spawnListening } from "./spawn.ts";

/** A running probe server. */
export interface Probe {
  /** The WebSocket server's port. */
  port: number;
  /** Sends a command (see `memory_probe_server.ts`), returns its answer. */
  ask(cmd: string): Promise<Record<string, number>>;
  /** Closes every connection opened with `open` and stops the server. */
  stop(): Promise<void>;
  /** Opens `n` more WebSockets to `/echo` and keeps them (see `OpenOptions`). */
  open(n: number, opts?: OpenOptions): Promise<void>;
  /** Drops the `n` connections opened last (TCP close, no closing handshake). */
  drop(n: number): void;
  /** How many are open. */
  readonly held: number;
}

/** How the idle connections are opened. */
export interface OpenOptions {
  /** Echo one 1 KiB JSON-like text message on each first. */
  use?: boolean;
  /** Offer permessage-deflate (and send that message compressed). */
  deflate?: boolean;
}

/** A free port on 127.0.0.1 (for servers that cannot report theirs). */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = l.addr as Deno.NetAddr;
  l.close();
  return port;
}

/**
 * Starts the probe server: `entry` "main" (then `args` are `main.ts`'s),
 * "raw" or "floor".
 *
 * @example
 * ```ts ignore
 * const probe = await startProbe("main", ["--engine", "native"]);
 * await probe.open(100);
 * console.log(await probe.ask("objects"));
 * await probe.stop();
 * ```
 */
export async function startProbe(
  entry: "main" | "raw" | "floor",
  args: string[] = [],
): Promise<Probe> {
  const port = entry === "main" ? 0 : freePort();
  const server: Listening = await spawnListening(Deno.execPath(), [
    "run",
    "-A",
    "--v8-flags=--expose-gc",
    "tests/support/memory_probe_server.ts",
    "--port",
    String(port),
    "--host",
    "127.0.0.1",
    ...(entry === "main"
      ? ["--no-static", "--log-level", "error", "--max-connections", "0"]
      : []),
    ...args,
  ], {
    listening: /listening on http:\/\/[^:]+:(\d+)\//,
    env: { MEMORY_PROBE_ENTRY: entry },
    trimOutput: true,
  });
  const control = Number(/memory probe on (\d+)/.exec(server.output())![1]);
  const held: Deno.Conn[] = [];
  return {
    port: server.port,
    get held() {
      return held.length;
    },
    async ask(cmd) {
      const c = await Deno.connect({ hostname: "127.0.0.1", port: control });
      await c.write(new TextEncoder().encode(cmd + "\n"));
      return JSON.parse(await new Response(c.readable).text());
    },
    async open(n, opts = {}) {
      for (let left = n; left > 0;) {
        const batch = Math.min(128, left);
        const opening = Array.from(
          { length: batch },
          () => openOne(server.port, opts),
        );
        held.push(...await Promise.all(opening));
        left -= batch;
      }
    },
    drop(n) {
      for (const c of held.splice(held.length - n)) c.close();
    },
    async stop() {
      for (const c of held.splice(0)) {
        try {
          c.close();
        } catch { /* already closed */ }
      }
      await server.stop("SIGKILL");
    },
  };
}

const enc = new TextEncoder();
// One 1 KiB JSON-like text message.
const JSON_1K = enc.encode(
  JSON.stringify({ items: Array.from({ length: 40 }, (_, i) => ({ i })) })
    .padEnd(1024, " "),
);

/** A masked client text frame (RSV1 set when `compressed`). */
function clientFrame(payload: Uint8Array, compressed: boolean): Uint8Array {
  const n = payload.length, head = n < 126 ? 2 : 4;
  const out = new Uint8Array(head + 4 + n);
  out[0] = 0x81 | (compressed ? 0x40 : 0);
  out[1] = 0x80 | (n < 126 ? n : 126);
  if (n >= 126) out[2] = n >> 8, out[3] = n & 0xff;
  const mask = [1, 2, 3, 4];
  out.set(mask, head);
  for (let i = 0; i < n; i++) out[head + 4 + i] = payload[i] ^ mask[i & 3];
  return out;
}

/** Reads until `done(bytes so far)`. */
async function readUntil(
  c: Deno.Conn,
  done: (b: Uint8Array) => boolean,
): Promise<Uint8Array> {
  let have = new Uint8Array(0);
  const buf = new Uint8Array(4096);
  while (!done(have)) {
    const n = await c.read(buf);
    if (n === null) throw new Error("closed by the server");
    const next = new Uint8Array(have.length + n);
    next.set(have);
    next.set(buf.subarray(0, n), have.length);
    have = next;
  }
  return have;
}

function frameDone(b: Uint8Array): boolean {
  if (b.length < 2) return false;
  const len7 = b[1] & 0x7f;
  return b.length >= (len7 < 126 ? 2 + len7 : 4 + ((b[2] << 8) | b[3]));
}

async function openOne(port: number, opts: OpenOptions): Promise<Deno.Conn> {
  const c = await Deno.connect({ hostname: "127.0.0.1", port });
  await c.write(enc.encode(
    `GET /echo HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
      "Sec-WebSocket-Version: 13\r\n" +
      (opts.deflate
        ? "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
        : "") +
      "\r\n",
  ));
  const head = new TextDecoder().decode(
    await readUntil(c, (b) => new TextDecoder().decode(b).includes("\r\n\r\n")),
  );
  if (!head.startsWith("HTTP/1.1 101")) throw new Error(head.split("\r\n")[0]);
  if (opts.deflate && !/permessage-deflate/i.test(head)) {
    throw new Error("the server declined permessage-deflate");
  }
  if (opts.use) {
    const payload = opts.deflate
      ? deflateRawSync(JSON_1K, { finishFlush: zlib.Z_SYNC_FLUSH }).subarray(
        0,
        -4,
      )
      : JSON_1K;
    await c.write(clientFrame(payload, !!opts.deflate));
    const reply = await readUntil(c, frameDone);
    if (opts.deflate && !(reply[0] & 0x40)) {
      throw new Error("the reply was not compressed");
    }
  }
  return c;
}
