/**
 * RFC 6455 frames as raw bytes, for tests that speak to the server over a
 * bare TCP (or TLS) connection: build any frame, valid or not, and read the
 * server's frames back.
 *
 * @module
 */
import { KEY, type RawResponse, readResponse } from "./raw.ts";

const enc = new TextEncoder();

/** What to put in a frame; every field can be made wrong on purpose. */
export interface FrameSpec {
  opcode: number;
  payload?: Uint8Array | string;
  fin?: boolean;
  /** RSV1-3 bits as a number 0-7. */
  rsv?: number;
  /** Mask the payload (clients must). Default true. */
  masked?: boolean;
  /** Announce this length instead of the payload's (for lies). */
  length?: bigint;
  /** Force the length form: 7, 16 or 64 bits (default: the shortest). */
  lengthBits?: 7 | 16 | 64;
  /** The masking key; default a fixed non-zero key. */
  maskKey?: Uint8Array;
}

const DEFAULT_MASK = new Uint8Array([0x37, 0xfa, 0x21, 0x3d]);

/**
 * Encodes one frame.
 *
 * @example
 * ```ts
 * import { frame } from "./frames.ts";
 * frame({ opcode: 1, payload: "hi" }).length; // 2 + 4 + 2
 * ```
 */
export function frame(spec: FrameSpec): Uint8Array {
  const payload = typeof spec.payload === "string"
    ? enc.encode(spec.payload)
    : spec.payload ?? new Uint8Array(0);
  const masked = spec.masked ?? true;
  const len = spec.length ?? BigInt(payload.length);
  const bits = spec.lengthBits ?? (len < 126n ? 7 : len < 65536n ? 16 : 64);
  const head: number[] = [
    ((spec.fin ?? true) ? 0x80 : 0) | ((spec.rsv ?? 0) << 4) | spec.opcode,
  ];
  const m = masked ? 0x80 : 0;
  if (bits === 7) head.push(m | Number(len));
  else if (bits === 16) {
    head.push(m | 126, Number(len >> 8n), Number(len & 0xffn));
  } else {
    head.push(m | 127);
    for (let i = 7; i >= 0; i--) {
      head.push(Number((len >> BigInt(i * 8)) & 0xffn));
    }
  }
  const mask = spec.maskKey ?? DEFAULT_MASK;
  if (masked) head.push(...mask);
  const out = new Uint8Array(head.length + payload.length);
  out.set(head);
  for (let i = 0; i < payload.length; i++) {
    out[head.length + i] = masked ? payload[i] ^ mask[i & 3] : payload[i];
  }
  return out;
}

/** Header fields of `clientFrame()`: `frame()`'s, with the mask as a key. */
export interface ClientFrameOptions {
  fin?: boolean;
  rsv?: number;
  /** Mask key; default a fixed non-zero key. `null` sends it unmasked. */
  mask?: Uint8Array | null;
  lengthBits?: 7 | 16 | 64;
  /** Announce this length instead of the payload's real one. */
  announcedLength?: number | bigint;
}

/**
 * `frame()` in the positional form the codec tests use.
 *
 * @example
 * ```ts
 * import { clientFrame } from "./frames.ts";
 * clientFrame(9, new Uint8Array(0), { mask: null }); // an unmasked ping
 * ```
 */
export function clientFrame(
  opcode: number,
  payload: Uint8Array | string = new Uint8Array(0),
  opts: ClientFrameOptions = {},
): Uint8Array {
  return frame({
    opcode,
    payload,
    fin: opts.fin,
    rsv: opts.rsv,
    masked: opts.mask !== null,
    maskKey: opts.mask ?? undefined,
    lengthBits: opts.lengthBits,
    length: opts.announcedLength === undefined
      ? undefined
      : BigInt(opts.announcedLength),
  });
}

/**
 * Joins frames into one buffer, as they would arrive in one TCP chunk.
 *
 * @example
 * ```ts
 * import { clientFrame, joinBytes } from "./frames.ts";
 * joinBytes(clientFrame(1, "a", { fin: false }), clientFrame(0, "b"));
 * ```
 */
export function joinBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * A close frame's payload: the code and a reason (string or raw bytes).
 *
 * @example
 * ```ts
 * import { closePayload } from "./frames.ts";
 * closePayload(1000, "bye").length; // 5
 * ```
 */
export function closePayload(
  code: number,
  reason: string | Uint8Array = "",
): Uint8Array {
  const r = typeof reason === "string" ? enc.encode(reason) : reason;
  const out = new Uint8Array(2 + r.length);
  out[0] = code >> 8;
  out[1] = code & 0xff;
  out.set(r, 2);
  return out;
}

/** A frame the server sent. */
export interface ServerFrame {
  fin: boolean;
  opcode: number;
  payload: Uint8Array;
}

/**
 * Parses as many whole frames as `buf` holds; returns them and the bytes used.
 *
 * @example
 * ```ts
 * import { parseFrames } from "./frames.ts";
 * parseFrames(new Uint8Array([0x81, 1, 0x61])).frames[0].opcode; // 1
 * ```
 */
export function parseFrames(
  buf: Uint8Array,
): { frames: ServerFrame[]; used: number } {
  const frames: ServerFrame[] = [];
  let at = 0;
  while (buf.length - at >= 2) {
    const b0 = buf[at], b1 = buf[at + 1];
    let len = b1 & 0x7f;
    let p = at + 2;
    if (len === 126) {
      if (buf.length - p < 2) break;
      len = (buf[p] << 8) | buf[p + 1];
      p += 2;
    } else if (len === 127) {
      if (buf.length - p < 8) break;
      len = Number(
        new DataView(buf.buffer, buf.byteOffset + p, 8).getBigUint64(0),
      );
      p += 8;
    }
    if (b1 & 0x80) p += 4; // servers never mask, but don't choke on it
    if (buf.length - p < len) break;
    frames.push({
      fin: (b0 & 0x80) !== 0,
      opcode: b0 & 0x0f,
      payload: buf.slice(p, p + len),
    });
    at = p + len;
  }
  return { frames, used: at };
}

/** A raw WebSocket client connection after a successful handshake. */
export interface RawSocket {
  conn: Deno.Conn;
  response: RawResponse;
  /** Bytes read after the 101 head that were not consumed yet. */
  leftover: Uint8Array;
}

/**
 * Connects, sends a valid upgrade for `path` and reads the 101 head.
 *
 * @example
 * ```ts ignore
 * const { conn } = await rawHandshake(port, "/echo");
 * await conn.write(frame({ opcode: 1, payload: "hi" }));
 * ```
 */
export async function rawHandshake(
  port: number,
  path: string,
  connect: () => Promise<Deno.Conn> = () =>
    Deno.connect({ hostname: "127.0.0.1", port }),
): Promise<RawSocket> {
  const conn = await connect();
  await conn.write(enc.encode(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  ));
  const response = await readResponse(conn);
  if (response.status !== 101) {
    conn.close();
    throw new Error(`expected 101, got ${response.status} ${response.body}`);
  }
  // A frame sent at once (a program's first line) may come with the 101.
  return { conn, response, leftover: response.rest };
}

/** How a server's frames ended, as read from a raw connection. */
export interface FrameReading {
  frames: ServerFrame[];
  /** The TCP connection ended (EOF or reset) within the time allowed. */
  ended: boolean;
  /** "eof", "reset" or "" while still open. */
  how: "eof" | "reset" | "";
}

/**
 * Reads frames until the connection ends, a close frame has arrived and
 * `stopAfterClose` is set, or `ms` pass.
 *
 * @example
 * ```ts ignore
 * const r = await readFrames(conn, 3000);
 * ```
 */
export async function readFrames(
  conn: Deno.Conn,
  ms: number,
  until: (frames: ServerFrame[]) => boolean = () => false,
  leftover: Uint8Array = new Uint8Array(0),
): Promise<FrameReading> {
  const first = parseFrames(leftover);
  let buf = leftover.slice(first.used);
  const frames: ServerFrame[] = [...first.frames];
  if (frames.length && until(frames)) return { frames, ended: false, how: "" };
  const chunk = new Uint8Array(64 * 1024);
  const deadline = Date.now() + ms;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    while (Date.now() < deadline) {
      const n = await Promise.race([
        conn.read(chunk),
        new Promise<"timeout">((r) => {
          timer = setTimeout(
            () => r("timeout"),
            Math.max(1, deadline - Date.now()),
          );
        }),
      ]);
      clearTimeout(timer);
      if (n === "timeout") break;
      if (n === null) return { frames, ended: true, how: "eof" };
      const next = new Uint8Array(buf.length + n);
      next.set(buf);
      next.set(chunk.subarray(0, n), buf.length);
      const parsed = parseFrames(next);
      frames.push(...parsed.frames);
      buf = next.slice(parsed.used);
      if (until(frames)) break;
    }
  } catch (err) {
    clearTimeout(timer);
    if (err instanceof Deno.errors.ConnectionReset) {
      return { frames, ended: true, how: "reset" };
    }
    throw err;
  }
  return { frames, ended: false, how: "" };
}

/**
 * The code in a close frame's payload (1005 when it has none).
 *
 * @example
 * ```ts
 * import { closeCode } from "./frames.ts";
 * closeCode(new Uint8Array([0x03, 0xe8])); // 1000
 * ```
 */
export function closeCode(payload: Uint8Array): number {
  return payload.length >= 2 ? (payload[0] << 8) | payload[1] : 1005;
}
