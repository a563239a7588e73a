/**
 * A request's headers kept as the text of its HTTP/1.1 head until someone
 * reads them: one string per connection instead of a `Headers` object with
 * its lists and a string per name and value (measured for a 5-header
 * upgrade: ~0.15 KiB against ~1.2 KiB per idle connection, see
 * docs/performance.md). The engine that read the head has checked it.
 *
 * @module
 */

/**
 * The headers of a request head: the request line, then `name: value`
 * lines, separated by CRLF.
 *
 * @example
 * ```ts
 * import { headersFromHead } from "./request_head.ts";
 * import assert from "node:assert/strict";
 * const h = headersFromHead("GET / HTTP/1.1\r\nHost: a\r\nX-Two: 1\r\nx-two: 2");
 * assert.equal(h.get("host"), "a");
 * assert.equal(h.get("x-two"), "1, 2");
 * ```
 */
export function headersFromHead(head: string): Headers {
  const headers = new Headers();
  let eol = head.indexOf("\r\n");
  while (eol >= 0) {
    const start = eol + 2;
    eol = head.indexOf("\r\n", start);
    const end = eol < 0 ? head.length : eol;
    const colon = head.indexOf(":", start);
    if (colon > start && colon < end) {
      headers.append(
        head.slice(start, colon),
        fieldValue(head, colon + 1, end),
      );
    }
  }
  return headers;
}

/**
 * The field value in `head[from..to]` without the optional whitespace (SP
 * and HTAB, RFC 9110 §5.6.3) around it: one slice, no trim() copies.
 *
 * @example
 * ```ts
 * import { fieldValue } from "./request_head.ts";
 * import assert from "node:assert/strict";
 * assert.equal(fieldValue("Host: \ta b \r\n", 5, 11), "a b");
 * ```
 */
export function fieldValue(head: string, from: number, to: number): string {
  while (from < to && isOws(head.charCodeAt(from))) from++;
  while (to > from && isOws(head.charCodeAt(to - 1))) to--;
  return head.slice(from, to);
}

function isOws(c: number): boolean {
  return c === 32 || c === 9;
}
