/**
 * Bad-input cases of the handshake: what a client sends before any 101.
 *
 * @module
 */
import type { BadInputCase } from "./bad_input_cases.ts";
import { KEY } from "./raw.ts";

const enc = new TextEncoder();

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

/** The handshake cases. */
export const HANDSHAKE_CASES: BadInputCase[] = [
  {
    name: "malformed request line",
    byDeno: true,
    phase: "http",
    sends: "`GARBAGE\\r\\n\\r\\n`",
    steps: [{ write: enc.encode("GARBAGE\r\n\r\n") }],
    expect: "HTTP 400 bad request line",
    deno: "HTTP 400",
    note: "the deno engine's 400 comes from Deno's HTTP parser, with no body",
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
    byDeno: true,
    phase: "http",
    sends: "valid upgrade plus 64 headers of 1 KiB",
    steps: [{
      write: upgrade(Object.fromEntries(
        Array.from({ length: 64 }, (_, i) => [`X-Pad-${i}`, "a".repeat(1024)]),
      )),
    }],
    expect: "HTTP 431 request head too large",
    deno: "HTTP 400",
    note:
      "Deno's HTTP parser refuses heads over 64 KiB (or over 100 headers) with an empty 400 before our code runs; " +
      "the native engine takes heads up to 16 KiB",
  },
  {
    name: "slowloris",
    byDeno: true,
    phase: "http",
    sends: "a request head, one byte a second, for 6 s",
    steps: [{ drip: upgrade(), everyMs: 1000, forMs: 6000 }],
    waitMs: 500,
    expect: "HTTP 408 request not received within 4 s",
    deno: "no answer (connection left open)",
    note:
      "The native engine allows a request the idle timeout (at most 10 s). " +
      "Deno.serve has no header-read timeout and no option for one: " +
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
];
