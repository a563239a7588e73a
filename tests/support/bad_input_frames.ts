/**
 * Bad-input cases after the 101: frames a client sends on `/echo`.
 *
 * @module
 */
import type { BadInputCase } from "./bad_input_cases.ts";
import { closePayload, frame } from "./frames.ts";

const text = (payload: string | Uint8Array, extra = {}) =>
  frame({ opcode: 1, payload, ...extra });
const close = (code: number, reason: string | Uint8Array = "") =>
  frame({ opcode: 8, payload: closePayload(code, reason) });
const MiB = 1024 * 1024;

/** The cases after the 101. */
export const FRAME_CASES: BadInputCase[] = [
  {
    name: "unmasked client frame",
    byDeno: true,
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
    byDeno: true,
    phase: "ws",
    sends: "frame with opcode 0x3",
    steps: [{ write: frame({ opcode: 3, payload: "x" }) }],
    expect: "close 1002",
    deno: "TCP closed, no close frame",
    note: "Deno's framing: it ends the connection without a close frame",
  },
  {
    name: "RSV1 set",
    byDeno: true,
    phase: "ws",
    sends: "text frame with RSV1 (no extension negotiated)",
    steps: [{ write: text("hi", { rsv: 4 }) }],
    expect: "close 1002",
    deno: "TCP closed, no close frame",
    note: "Deno's framing: it ends the connection without a close frame",
  },
  {
    name: "invalid UTF-8 text",
    byDeno: true,
    phase: "ws",
    sends: "text frame `C3 28`",
    steps: [{ write: text(new Uint8Array([0xc3, 0x28])) }],
    expect: "close 1007",
    deno: "TCP closed, no close frame",
    note: "Deno's framing: it ends the connection without a close frame",
  },
  {
    name: "fragmented ping",
    byDeno: true,
    phase: "ws",
    sends: "ping with FIN=0",
    steps: [{ write: frame({ opcode: 9, payload: "p", fin: false }) }],
    expect: "close 1002",
    deno: "TCP closed, no close frame",
    note: "Deno's framing: it ends the connection without a close frame",
  },
  {
    name: "ping over 125 bytes",
    byDeno: true,
    phase: "ws",
    sends: "ping with a 126-byte payload",
    steps: [{ write: frame({ opcode: 9, payload: new Uint8Array(126) }) }],
    expect: "close 1002",
    deno: "TCP closed, no close frame",
    note: "Deno's framing: it ends the connection without a close frame",
  },
  {
    name: "length 2^63",
    byDeno: true,
    phase: "ws",
    sends: "binary frame header announcing 2^63 bytes",
    steps: [{ write: frame({ opcode: 2, length: 1n << 63n }) }],
    expect: "close 1002",
    deno: "TCP closed, no close frame",
    note: "1002, not 1009: RFC 6455 §5.2 says the 64-bit length's most " +
      "significant bit MUST be 0, so this header is malformed, not just big. " +
      "Deno's framing: it ends the connection without a close frame",
  },
  {
    name: "65 MiB frame",
    byDeno: true,
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
    byDeno: true,
    phase: "ws",
    sends: "close frame with code 1005",
    steps: [{ write: close(1005) }],
    expect: "close 1002",
    note: "answered by Deno's framing (same answer as ours)",
  },
  {
    name: "close code 999",
    byDeno: true,
    phase: "ws",
    sends: "close frame with code 999",
    steps: [{ write: close(999) }],
    expect: "close 1002",
    note: "answered by Deno's framing (same answer as ours)",
  },
  {
    name: "close code 5000",
    byDeno: true,
    phase: "ws",
    sends: "close frame with code 5000",
    steps: [{ write: close(5000) }],
    expect: "close 1002",
    note: "answered by Deno's framing (same answer as ours)",
  },
  {
    name: "close reason not UTF-8",
    byDeno: true,
    phase: "ws",
    sends: "close 1000 with reason bytes `FF FE`",
    steps: [{ write: close(1000, new Uint8Array([0xff, 0xfe])) }],
    expect: "close 1007",
    deno: "TCP closed, no close frame",
    note: "Deno's framing: it ends the connection without a close frame",
  },
  {
    name: "data after close",
    byDeno: true,
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
    byDeno: true,
    phase: "ws",
    sends:
      "nothing after the 101, no FIN, no pong (server runs with --idle-timeout 4)",
    steps: [],
    waitMs: 12000,
    untilEnd: true,
    expect: "ping, then close 1001, then TCP closed",
  },
];
