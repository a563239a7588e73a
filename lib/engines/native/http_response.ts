/**
 * Writing HTTP/1.1 responses for the native engine: plain responses (always
 * `Connection: close`, the body delimited by closing the connection unless
 * its length is known) and the 101 that switches to WebSocket.
 *
 * @module
 */

import { acceptKey } from "../../protocol/accept_key.ts";
import { NO_HEADERS } from "../../http/upgrade.ts";

const enc = new TextEncoder();

/** Writes all of `bytes` (Deno.Conn.write may write only part). */
export async function writeAll(
  conn: Deno.Conn,
  bytes: Uint8Array,
): Promise<void> {
  for (let off = 0; off < bytes.length;) {
    off += await conn.write(bytes.subarray(off));
  }
}

// Reason phrases for the statuses the app and the engine produce; others
// get none, which RFC 9112 §4 allows (clients must ignore it anyway).
const REASONS: Record<number, string> = {
  200: "OK",
  204: "No Content",
  206: "Partial Content",
  301: "Moved Permanently",
  302: "Found",
  304: "Not Modified",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  413: "Content Too Large",
  416: "Range Not Satisfiable",
  426: "Upgrade Required",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  503: "Service Unavailable",
};

function head(status: number, text: string, headers: Headers): string {
  let s = `HTTP/1.1 ${status} ${text}\r\n`;
  for (const [k, v] of headers) s += `${k}: ${v}\r\n`;
  return s + "\r\n";
}

/**
 * Writes `res` to `conn` (without a body for HEAD); the caller closes.
 *
 * @example
 * ```ts ignore
 * await writeResponse(conn, new Response("hi"), "GET");
 * conn.close();
 * ```
 */
export async function writeResponse(
  conn: Deno.Conn,
  res: Response,
  method: string,
): Promise<void> {
  const headers = new Headers(res.headers);
  headers.set("connection", "close");
  if (res.body === null && !headers.has("content-length")) {
    headers.set("content-length", "0");
  }
  await writeAll(
    conn,
    enc.encode(
      head(res.status, res.statusText || REASONS[res.status] || "", headers),
    ),
  );
  if (res.body === null) return;
  if (method === "HEAD") return void await res.body.cancel();
  for await (const chunk of res.body) await writeAll(conn, chunk);
}

/**
 * The 101 response head, with the handler's extra headers (subprotocol,
 * cookies) and the negotiated extensions.
 *
 * @example
 * ```ts
 * import { switchingProtocols } from "./http_response.ts";
 * import assert from "node:assert/strict";
 * const key = "dGhlIHNhbXBsZSBub25jZQ==";
 * const head = switchingProtocols(key, new Headers(), "");
 * assert.ok(head.startsWith("HTTP/1.1 101 Switching Protocols\r\n"));
 * // The accept key for the nonce of RFC 6455 §1.3:
 * const accept = "sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
 * assert.ok(head.includes(`\r\n${accept}\r\n`));
 * ```
 */
export function switchingProtocols(
  key: string,
  extra: Headers,
  extensions: string,
): string {
  // Built as a string: copying `extra` into a new Headers and iterating it
  // was ~3% of a short connection's server time (most upgrades add none).
  let s = "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\n" +
    "connection: Upgrade\r\nsec-websocket-accept: " + acceptKey(key.trim()) +
    "\r\n";
  if (extensions) s += `sec-websocket-extensions: ${extensions}\r\n`;
  // NO_HEADERS: the usual case, and even an empty Headers costs to iterate.
  if (extra !== NO_HEADERS) {
    for (const [k, v] of extra) {
      // Ours win, as `Headers.set` made them before.
      if (
        k === "upgrade" || k === "connection" || k === "sec-websocket-accept"
      ) {
        continue;
      }
      if (extensions && k === "sec-websocket-extensions") continue;
      s += `${k}: ${v}\r\n`;
    }
  }
  return s + "\r\n";
}
