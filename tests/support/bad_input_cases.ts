/**
 * The bad-input corpus as data: each case is what a client sends (bytes and
 * a few timed steps) and the answer expected from every engine. `expect` is
 * the RFC 6455 / our answer; `deno` records where the deno engine answers
 * differently because the framing is Deno's, not ours.
 *
 * @module
 */
import { KEY } from "./raw.ts";
import { closePayload, frame } from "./frames.ts";

const enc = new TextEncoder();

/** One thing the client does. */
export type Step =
  | { write: Uint8Array }
  /** Writes `bytes` in chunks of `chunk`, stopping at the first failed write. */
  | { stream: { header: Uint8Array; total: number; chunk: number } }
  /** Writes one byte every `everyMs`, for at most `forMs`, while the server says nothing. */
  | { drip: Uint8Array; everyMs: number; forMs: number }
  | { wait: number }
  /** Ends the TCP connection with a reset (closes with unread data). */
  | { reset: true };

/** A case of the corpus. */
export interface BadInputCase {
  name: string;
  /** `http`: raw request, answer is an HTTP status; `ws`: after a 101 on /echo. */
  phase: "http" | "ws";
  /** What the client sends, in words, for the doc. */
  sends: string;
  steps: Step[];
  /** How long to wait for the answer after the steps (ms). */
  waitMs?: number;
  /** Stop reading at the first echoed message (for answers that keep the connection). */
  untilEcho?: boolean;
  /** Keep reading after a close frame until the TCP connection ends. */
  untilEnd?: boolean;
  /** The answer every engine should give. */
  expect: string;
  /** Where the deno engine's answer differs (Deno's framing or HTTP parser). */
  deno?: string;
  /** Why, for the doc. */
  note?: string;
}

/** A server started for the corpus gets these flags. */
export const CORPUS_FLAGS = [
  "--max-message-size",
  "1MiB",
  "--idle-timeout",
  "4",
];

function request(lines: string[], method = "GET", path = "/echo"): Uint8Array {
  return enc.encode(
    `${method} ${path} HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n`,
  );
}

function upgrade(
  over: Record<string, string | null> = {},
  method = "GET",
): Uint8Array {
  const base: Record<string, string | null> = {
    Host: "127.0.0.1",
    Upgrade: "websocket",
    Connection: "Upgrade",
    "Sec-WebSocket-Key": KEY,
    "Sec-WebSocket-Version": "13",
    ...over,
  };
  return request(
    Object.entries(base).filter(([, v]) => v !== null).map(([k, v]) =>
      `${k}: ${v}`
    ),
    method,
  );
}

const text = (payload: string | Uint8Array, extra = {}) =>
  frame({ opcode: 1, payload, ...extra });
const close = (code: number, reason: string | Uint8Array = "") =>
  frame({ opcode: 8, payload: closePayload(code, reason) });
const MiB = 1024 * 1024;

/** Every case. */
export const CASES: BadInputCase[] = [
  {
    name: "malformed request line",
    phase: "http",
    sends: "`GARBAGE\\r\\n\\r\\n`",
    steps: [{ write: enc.encode("GARBAGE\r\n\r\n") }],
    expect: "HTTP 400",
    note: "answered by Deno's HTTP parser",
  },
  {
    name: "no Sec-WebSocket-Key",
    phase: "http",
    sends: "upgrade without `Sec-WebSocket-Key`",
    steps: [{ write: upgrade({ "Sec-WebSocket-Key": null }) }],
    expect: "HTTP 400 missing header Sec-WebSocket-Key",
  },
  {
    name: "key not base64",
    phase: "http",
    sends: "`Sec-WebSocket-Key: !!!notbase64!!!!!!!!!==`",
    steps: [{
      write: upgrade({ "Sec-WebSocket-Key": "!!!notbase64!!!!!!!!!==" }),
    }],
    expect: "HTTP 400 invalid Sec-WebSocket-Key: must be base64 of 16 bytes",
  },
  {
    name: "15-byte key",
    phase: "http",
    sends: "key that decodes to 15 bytes",
    steps: [{ write: upgrade({ "Sec-WebSocket-Key": btoa("x".repeat(15)) }) }],
    expect: "HTTP 400 invalid Sec-WebSocket-Key: must be base64 of 16 bytes",
  },
  {
    name: "version 8",
    phase: "http",
    sends: "`Sec-WebSocket-Version: 8`",
    steps: [{ write: upgrade({ "Sec-WebSocket-Version": "8" }) }],
    expect:
      "HTTP 426 unsupported Sec-WebSocket-Version 8; this server speaks 13",
  },
  {
    name: "version 99",
    phase: "http",
    sends: "`Sec-WebSocket-Version: 99`",
    steps: [{ write: upgrade({ "Sec-WebSocket-Version": "99" }) }],
    expect:
      "HTTP 426 unsupported Sec-WebSocket-Version 99; this server speaks 13",
  },
  {
    name: "no Upgrade token",
    phase: "http",
    sends: "upgrade without `Upgrade: websocket`",
    steps: [{ write: upgrade({ Upgrade: null }) }],
    expect: "HTTP 400 missing header Upgrade: websocket",
  },
  {
    name: "no Connection token",
    phase: "http",
    sends: "`Connection: keep-alive` instead of `Upgrade`",
    steps: [{ write: upgrade({ Connection: "keep-alive" }) }],
    expect: "HTTP 400 missing header Connection: Upgrade",
  },
  {
    name: "64 KiB of headers",
    phase: "http",
    sends: "valid upgrade plus 64 headers of 1 KiB",
    steps: [{
      write: upgrade(Object.fromEntries(
        Array.from({ length: 64 }, (_, i) => [`X-Pad-${i}`, "a".repeat(1024)]),
      )),
    }],
    expect: "HTTP 431",
    deno: "HTTP 400",
    note:
      "Deno's HTTP parser refuses heads over 64 KiB (or over 100 headers) with an empty 400 before our code runs",
  },
  {
    name: "slowloris",
    phase: "http",
    sends: "a request head, one byte a second, for 6 s",
    steps: [{ drip: upgrade(), everyMs: 1000, forMs: 6000 }],
    waitMs: 500,
    expect: "HTTP 408",
    deno: "no answer (connection left open)",
    note: "Deno.serve has no header-read timeout and no option for one: " +
      "an unfinished head dripped for 230 s got no answer and stayed open (measured). Put a proxy with a " +
      "header timeout in front, or cap connections per IP at the firewall.",
  },
  {
    name: "POST upgrade",
    phase: "http",
    sends: "valid upgrade headers with `POST`",
    steps: [{ write: upgrade({}, "POST") }],
    expect: "HTTP 405 WebSocket upgrade needs GET, not POST",
  },
  {
    name: "unmasked client frame",
    phase: "ws",
    sends: "text frame without mask",
    steps: [{ write: text("hi", { masked: false }) }],
    untilEcho: true,
    expect: "close 1002",
    deno: "echo, then connection stays open",
    note: "Deno accepts unmasked client frames",
  },
  {
    name: "reserved opcode",
    phase: "ws",
    sends: "frame with opcode 0x3",
    steps: [{ write: frame({ opcode: 3, payload: "x" }) }],
    expect: "close 1002",
    deno: "TCP closed, no close frame",
    note: "Deno's framing: it ends the connection without a close frame",
  },
  {
    name: "RSV1 set",
    phase: "ws",
    sends: "text frame with RSV1 (no extension negotiated)",
    steps: [{ write: text("hi", { rsv: 4 }) }],
    expect: "close 1002",
    deno: "TCP closed, no close frame",
    note: "Deno's framing: it ends the connection without a close frame",
  },
  {
    name: "invalid UTF-8 text",
    phase: "ws",
    sends: "text frame `C3 28`",
    steps: [{ write: text(new Uint8Array([0xc3, 0x28])) }],
    expect: "close 1007",
    deno: "TCP closed, no close frame",
    note: "Deno's framing: it ends the connection without a close frame",
  },
  {
    name: "fragmented ping",
    phase: "ws",
    sends: "ping with FIN=0",
    steps: [{ write: frame({ opcode: 9, payload: "p", fin: false }) }],
    expect: "close 1002",
    deno: "TCP closed, no close frame",
    note: "Deno's framing: it ends the connection without a close frame",
  },
  {
    name: "ping over 125 bytes",
    phase: "ws",
    sends: "ping with a 126-byte payload",
    steps: [{ write: frame({ opcode: 9, payload: new Uint8Array(126) }) }],
    expect: "close 1002",
    deno: "TCP closed, no close frame",
    note: "Deno's framing: it ends the connection without a close frame",
  },
  {
    name: "length 2^63",
    phase: "ws",
    sends: "binary frame header announcing 2^63 bytes",
    steps: [{ write: frame({ opcode: 2, length: 1n << 63n }) }],
    expect: "close 1002",
    deno: "TCP closed, no close frame",
    note: "Deno's framing: it ends the connection without a close frame",
  },
  {
    name: "65 MiB frame",
    phase: "ws",
    sends: "one 65 MiB binary frame, written until the server stops reading",
    steps: [{
      stream: {
        header: frame({ opcode: 2, length: BigInt(65 * MiB) }),
        total: 65 * MiB,
        chunk: MiB,
      },
    }],
    expect: "close 1009",
    deno: "TCP closed, no close frame",
    note:
      'Deno\'s framing: frames over 64 MiB − 1 end the connection ("Frame too large") before our size check can run',
  },
  {
    name: "message over --max-message-size",
    phase: "ws",
    sends: "2 MiB binary message (server runs with --max-message-size 1MiB)",
    steps: [{ write: frame({ opcode: 2, payload: new Uint8Array(2 * MiB) }) }],
    expect: "close 1009",
    note:
      "ours: Connection checks each whole message against --max-message-size",
  },
  {
    name: "close code 1005",
    phase: "ws",
    sends: "close frame with code 1005",
    steps: [{ write: close(1005) }],
    expect: "close 1002",
    note: "answered by Deno's framing (same answer as ours)",
  },
  {
    name: "close code 999",
    phase: "ws",
    sends: "close frame with code 999",
    steps: [{ write: close(999) }],
    expect: "close 1002",
    note: "answered by Deno's framing (same answer as ours)",
  },
  {
    name: "close code 5000",
    phase: "ws",
    sends: "close frame with code 5000",
    steps: [{ write: close(5000) }],
    expect: "close 1002",
    note: "answered by Deno's framing (same answer as ours)",
  },
  {
    name: "close reason not UTF-8",
    phase: "ws",
    sends: "close 1000 with reason bytes `FF FE`",
    steps: [{ write: close(1000, new Uint8Array([0xff, 0xfe])) }],
    expect: "close 1007",
    deno: "TCP closed, no close frame",
    note: "Deno's framing: it ends the connection without a close frame",
  },
  {
    name: "data after close",
    phase: "ws",
    sends: "close 1000, then a text frame",
    steps: [{ write: close(1000, "bye") }, { write: text("late") }],
    expect: "close 1000",
  },
  {
    name: "TCP reset mid-frame",
    phase: "ws",
    sends: "half a frame, then a TCP reset",
    steps: [
      { write: text("unread echo") },
      { wait: 300 },
      { write: text("x".repeat(100)).subarray(0, 50) },
      { reset: true },
    ],
    expect: "(client gone)",
  },
  {
    name: "half-open client",
    phase: "ws",
    sends:
      "nothing after the 101, no FIN, no pong (server runs with --idle-timeout 4)",
    steps: [],
    waitMs: 12000,
    untilEnd: true,
    expect: "ping, then close 1001, then TCP closed",
  },
];
