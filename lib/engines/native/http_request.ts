/**
 * Minimal HTTP/1.1 request reading for the native engine: one request per
 * TCP connection, head up to 16 KiB, `Content-Length` bodies up to 1 MiB.
 * That is all a WebSocket server's listener needs (upgrades, the endpoint
 * pages, static files); anything fancier is refused with a status, never
 * guessed at (no chunked request bodies, no obs-fold, no pipelining).
 *
 * @module
 */

const MAX_HEAD = 16 * 1024;
const MAX_BODY = 1024 * 1024;
const latin1 = new TextDecoder("latin1");

/** A parsed request, or the status to refuse it with. */
export type ReadResult =
  | { request: Request; rest: Uint8Array; buffer: Uint8Array }
  | { status: number; message: string }
  | null; // the peer closed before sending a request

/** Index of CRLFCRLF in `b` from `from`, or -1. */
function headEnd(b: Uint8Array, from: number): number {
  for (let i = Math.max(0, from - 3); i + 3 < b.length; i++) {
    if (
      b[i] === 13 && b[i + 1] === 10 && b[i + 2] === 13 && b[i + 3] === 10
    ) return i;
  }
  return -1;
}

/** Reads into `buf` after `len` bytes; grows it. Returns [buf, len]. */
async function more(
  conn: Deno.Conn,
  buf: Uint8Array,
  len: number,
): Promise<[Uint8Array, number] | null> {
  if (len === buf.length) {
    const bigger = new Uint8Array(buf.length * 2);
    bigger.set(buf);
    buf = bigger;
  }
  const n = await conn.read(buf.subarray(len));
  return n === null ? null : [buf, len + n];
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

// The head buffer starts at 1 KiB: most upgrade requests fit, and an
// upgraded connection keeps reading into this same buffer (see `buffer`).
const FIRST_READ = 1024;

/**
 * Reads one request from `conn`. `rest` holds bytes that followed the head
 * and body (for an upgrade: the client's first frames, if it did not wait):
 * a view into `buffer`, the read buffer, which the caller may reuse once it
 * has consumed `rest` (an upgraded socket reads on into it, one allocation
 * fewer per connection).
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
  let buf: Uint8Array = new Uint8Array(FIRST_READ), len = 0, end = -1;
  while (end < 0) {
    if (len >= MAX_HEAD) {
      return { status: 431, message: "request head too large" };
    }
    const r = await more(conn, buf, len);
    if (r === null) {
      return len === 0 ? null : { status: 400, message: "incomplete request" };
    }
    const from = len;
    [buf, len] = r;
    end = headEnd(buf.subarray(0, len), from);
  }
  const lines = latin1.decode(buf.subarray(0, end)).split("\r\n");
  const m = /^([A-Z]+) (\S+) HTTP\/1\.([01])$/.exec(lines[0]);
  if (!m) return { status: 400, message: "bad request line" };
  const [, method, target] = m;
  // Pairs first, appended to the Request's own headers at the end: passing
  // a Headers init to `new Request` cost ~10 µs more per request.
  const pairs: [string, string][] = [];
  let te = false, cl: string | null = null, host = "";
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    const colon = line.indexOf(":");
    const name = line.slice(0, colon);
    if (colon <= 0 || !TOKEN.test(name)) {
      return { status: 400, message: "bad header line" };
    }
    const value = line.slice(colon + 1).trim();
    pairs.push([name, value]);
    const lower = name.toLowerCase();
    if (lower === "transfer-encoding") te = true;
    else if (lower === "content-length") cl = cl === null ? value : "dup";
    else if (lower === "host") host = value;
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
  while (len - start < bodyLen) {
    const r = await more(conn, buf, len);
    if (r === null) return { status: 400, message: "incomplete body" };
    [buf, len] = r;
  }
  // A string, not a URL: `new Request` parses it once (given a URL object
  // it serialises and parses it again).
  const url = target.startsWith("/")
    ? `${scheme}://${host || defaultHost}${target}`
    : target;
  const hasBody = bodyLen > 0 && method !== "GET" && method !== "HEAD";
  let request: Request;
  try {
    request = new Request(url, {
      method,
      body: hasBody ? buf.slice(start, start + bodyLen) : undefined,
    });
  } catch { // a bad URL, or CONNECT and TRACE, which fetch's Request forbids
    return URL.canParse(url)
      ? { status: 405, message: `method ${method} not allowed` }
      : { status: 400, message: "bad request target" };
  }
  try {
    for (const [name, value] of pairs) request.headers.append(name, value);
  } catch {
    return { status: 400, message: "bad header value" };
  }
  return { request, rest: buf.subarray(start + bodyLen, len), buffer: buf };
}
