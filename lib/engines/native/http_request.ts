/**
 * Minimal HTTP/1.1 request reading for the native engine: one request per
 * TCP connection, head up to 16 KiB, `Content-Length` bodies up to 1 MiB.
 * That is all a WebSocket server's listener needs (upgrades, the endpoint
 * pages, static files); anything fancier is refused with a status, never
 * guessed at (no chunked request bodies, no obs-fold, no pipelining).
 *
 * @module
 */

import { fieldValue } from "../../core/request_head.ts";

const MAX_HEAD = 16 * 1024;
const MAX_BODY = 1024 * 1024;
const latin1 = new TextDecoder("latin1");

/** A parsed request, or the status to refuse it with. */
export type ReadResult =
  | { request: Request; rest: Uint8Array; head: string }
  | { status: number; message: string }
  | null; // the peer closed before sending a request

/** Index of CRLFCRLF in `b[..len]` from `from`, or -1. */
function headEnd(b: Uint8Array, from: number, len: number): number {
  for (let i = Math.max(0, from - 3); i + 3 < len; i++) {
    if (
      b[i] === 13 && b[i + 1] === 10 && b[i + 2] === 13 && b[i + 3] === 10
    ) return i;
  }
  return -1;
}

/** `buf` with room after `len` bytes: itself, or a copy twice the size. */
function roomy(buf: Uint8Array, len: number): Uint8Array {
  if (len < buf.length) return buf;
  const bigger = new Uint8Array(buf.length * 2);
  bigger.set(buf);
  return bigger;
}

const EMPTY = new Uint8Array(0);
const FIELDS: string[] = [];

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const METHOD = /^[A-Z]+$/;
const NON_TARGET = /\s/;
const VERSION = /^HTTP\/1\.[01]$/;

/** `name` is `lower` (all lower case letters and "-"), in any case. */
function isName(name: string, lower: string): boolean {
  if (name.length !== lower.length) return false;
  for (let i = 0; i < name.length; i++) {
    if ((name.charCodeAt(i) | 0x20) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

// The head buffer starts at 1 KiB: most upgrade requests fit.
const FIRST_READ = 1024;

/**
 * Reads one request from `conn`. `rest` holds bytes that followed the head
 * and body (for an upgrade: the client's first frames, if it did not wait);
 * `head` is the head's text (a connection keeps it instead of `Headers`).
 * The head buffer is not kept for the socket's reads: a pending read pins
 * its buffer, and an idle socket reads into a much smaller one
 * (`read_buffer.ts`).
 *
 * @example
 * ```ts ignore
 * const r = await readRequest(conn, "127.0.0.1:8080");
 * if (r && "request" in r) console.log(r.request.method, r.request.url);
 * ```
 */
export async function readRequest(
  conn: Deno.Conn,
  defaultHost: string,
  scheme: "http" | "https" = "http",
): Promise<ReadResult> {
  // Reads inline, not through a helper: an async function per read is a
  // generator, a promise and closures more per handshake.
  let buf: Uint8Array = new Uint8Array(FIRST_READ), len = 0, end = -1;
  while (end < 0) {
    if (len >= MAX_HEAD) {
      return { status: 431, message: "request head too large" };
    }
    buf = roomy(buf, len);
    const n = await conn.read(len === 0 ? buf : buf.subarray(len));
    if (n === null) {
      return len === 0 ? null : { status: 400, message: "incomplete request" };
    }
    const from = len;
    len += n;
    end = headEnd(buf, from, len);
  }
  const head = latin1.decode(buf.subarray(0, end));
  let eol = head.indexOf("\r\n");
  if (eol < 0) eol = head.length;
  // METHOD SP TARGET SP HTTP/1.x (RFC 9112 §3), read in place.
  const sp1 = head.indexOf(" "), sp2 = head.indexOf(" ", sp1 + 1);
  if (
    sp1 <= 0 || sp2 < 0 || sp2 === sp1 + 1 || eol - sp2 !== 9 ||
    !VERSION.test(head.slice(sp2 + 1, eol))
  ) return { status: 400, message: "bad request line" };
  const method = head.slice(0, sp1), target = head.slice(sp1 + 1, sp2);
  if (!METHOD.test(method) || NON_TARGET.test(target)) {
    return { status: 400, message: "bad request line" };
  }
  // Names and values in one flat array, appended to the Request's own
  // headers at the end: passing a Headers init to `new Request` cost ~10 µs
  // more per request. Scanned in place (no split() into line strings), into
  // an array shared by all requests unless a body read comes in between.
  let fields = FIELDS, count = 0;
  let te = false, cl: string | null = null, host = "";
  while (eol < head.length) {
    const start = eol + 2;
    eol = head.indexOf("\r\n", start);
    if (eol < 0) eol = head.length;
    const colon = head.indexOf(":", start);
    if (colon <= start || colon > eol) {
      return { status: 400, message: "bad header line" };
    }
    const name = head.slice(start, colon);
    if (!TOKEN.test(name)) return { status: 400, message: "bad header line" };
    const value = fieldValue(head, colon + 1, eol);
    fields[count++] = name;
    fields[count++] = value;
    // Compared in place: no lower-cased copy of every name.
    if (isName(name, "host")) host = value;
    else if (isName(name, "content-length")) cl = cl === null ? value : "dup";
    else if (isName(name, "transfer-encoding")) te = true;
  }
  if (te) {
    return { status: 501, message: "request bodies must use Content-Length" };
  }
  if (cl !== null && !/^\d+$/.test(cl)) {
    return { status: 400, message: "bad Content-Length" };
  }
  const bodyLen = cl === null ? 0 : Number(cl);
  if (bodyLen > MAX_BODY) {
    return { status: 413, message: "request body too large" };
  }
  const start = end + 4;
  if (len - start < bodyLen) fields = fields.slice(0, count); // awaits next
  while (len - start < bodyLen) {
    buf = roomy(buf, len);
    const n = await conn.read(buf.subarray(len));
    if (n === null) return { status: 400, message: "incomplete body" };
    len += n;
  }
  // A string, not a URL: `new Request` parses it once (given a URL object
  // it serialises and parses it again).
  const url = target.startsWith("/")
    ? `${scheme}://${host || defaultHost}${target}`
    : target;
  const hasBody = bodyLen > 0 && method !== "GET" && method !== "HEAD";
  let request: Request;
  try {
    // No init for a plain GET: converting one costs per handshake.
    request = method === "GET" ? new Request(url) : new Request(url, {
      method,
      body: hasBody ? buf.slice(start, start + bodyLen) : undefined,
    });
  } catch { // a bad URL, or CONNECT and TRACE, which fetch's Request forbids
    return URL.canParse(url)
      ? { status: 405, message: `method ${method} not allowed` }
      : { status: 400, message: "bad request target" };
  }
  try {
    const headers = request.headers;
    for (let i = 0; i < count; i += 2) {
      headers.append(fields[i], fields[i + 1]);
    }
  } catch {
    return { status: 400, message: "bad header value" };
  }
  // Most clients wait for the 101 before sending: usually nothing is left.
  const after = start + bodyLen;
  const rest = after === len ? EMPTY : buf.subarray(after, len);
  return { request, rest, head };
}
