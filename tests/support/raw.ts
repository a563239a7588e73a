/**
 * Raw TCP helpers: a handshake with any headers, and reading the answer, for
 * tests of what ordinary clients never send.
 *
 * @module
 */

/** A parsed HTTP response head. */
export interface RawResponse {
  status: number;
  headers: Headers;
  body: string;
  /** The bytes after the head, as read (a 101's first frames may be here). */
  rest: Uint8Array;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A valid key for handshakes. */
export const KEY = "dGhlIHNhbXBsZSBub25jZQ==";

/** Headers of a valid upgrade request, for tests to vary. */
export function upgradeHeaders(
  extra: Record<string, string | null> = {},
): Record<string, string> {
  const base: Record<string, string | null> = {
    Host: "127.0.0.1",
    Upgrade: "websocket",
    Connection: "Upgrade",
    "Sec-WebSocket-Key": KEY,
    "Sec-WebSocket-Version": "13",
    ...extra,
  };
  return Object.fromEntries(
    Object.entries(base).filter(([, v]) => v !== null),
  ) as Record<string, string>;
}

/** Sends raw bytes, reads until the response head (and any short body) arrives. */
export async function rawRequest(
  port: number,
  request: string,
  ms = 3000,
): Promise<RawResponse> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(enc.encode(request));
    return await readResponse(conn, ms);
  } finally {
    try {
      conn.close();
    } catch { /* closed by the server */ }
  }
}

/** A GET with these headers to `path`, as raw bytes. */
export function rawUpgrade(
  port: number,
  path: string,
  headers: Record<string, string>,
  method = "GET",
) {
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join(
    "",
  );
  return rawRequest(port, `${method} ${path} HTTP/1.1\r\n${lines}\r\n`);
}

/** Reads a response head plus whatever body arrives within `ms`. */
export async function readResponse(
  conn: Deno.Conn,
  ms = 3000,
): Promise<RawResponse> {
  // Bytes, not text: Content-Length counts bytes, and frames may follow a
  // 101 in the same read.
  let bytes = new Uint8Array(0);
  let end = -1;
  const buf = new Uint8Array(65536);
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const n = await Promise.race([
      conn.read(buf),
      new Promise<null>((r) =>
        setTimeout(() => r(null), Math.max(1, deadline - Date.now()))
      ),
    ]);
    if (n === null) break;
    const next = new Uint8Array(bytes.length + n);
    next.set(bytes);
    next.set(buf.subarray(0, n), bytes.length);
    bytes = next;
    end = headEnd(bytes);
    if (end >= 0) {
      const head = dec.decode(bytes.subarray(0, end));
      const len = /content-length:\s*(\d+)/i.exec(head);
      const bodyLen = bytes.length - end - 4;
      if (/^HTTP\/1\.1 101/.test(head) || (len && bodyLen >= Number(len[1]))) {
        break;
      }
    }
  }
  const head = dec.decode(end >= 0 ? bytes.subarray(0, end) : bytes);
  const rest = end >= 0 ? bytes.slice(end + 4) : new Uint8Array(0);
  const [statusLine, ...headerLines] = head.split("\r\n");
  const headers = new Headers();
  for (const line of headerLines) {
    const i = line.indexOf(":");
    if (i > 0) {
      headers.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
    }
  }
  const status = Number(/^HTTP\/1\.\d (\d{3})/.exec(statusLine)?.[1] ?? 0);
  return { status, headers, body: dec.decode(rest), rest };
}

/** Where `\r\n\r\n` starts in `b`, or -1. */
function headEnd(b: Uint8Array): number {
  for (let i = 0; i + 3 < b.length; i++) {
    if (b[i] === 13 && b[i + 1] === 10 && b[i + 2] === 13 && b[i + 3] === 10) {
      return i;
    }
  }
  return -1;
}

/** Opens a TCP connection, sends a valid upgrade for `path`, reads the answer. */
export async function rawOpen(
  port: number,
  path: string,
  extra: Record<string, string | null> = {},
): Promise<{ conn: Deno.Conn; response: RawResponse }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const lines = Object.entries(upgradeHeaders(extra)).map(([k, v]) =>
    `${k}: ${v}\r\n`
  ).join("");
  await conn.write(enc.encode(`GET ${path} HTTP/1.1\r\n${lines}\r\n`));
  return { conn, response: await readResponse(conn) };
}
