/**
 * HTTP Basic authentication (RFC 7617) with a constant-time comparison, so
 * the time a refusal takes says nothing about how much of a guess was right.
 *
 * @module
 */

const encoder = new TextEncoder();

/** The realm named in `WWW-Authenticate`. */
export const REALM = "denosocket";

/**
 * True when `authorization` carries exactly the `USER:PASS` in `expected`.
 *
 * @example
 * ```ts
 * import { checkBasicAuth } from "./basic_auth.ts";
 * import assert from "node:assert/strict";
 * const header = "Basic " + btoa("ann:secret");
 * assert.equal(checkBasicAuth(header, "ann:secret"), true);
 * assert.equal(checkBasicAuth(header, "ann:other"), false);
 * ```
 */
export function checkBasicAuth(
  authorization: string | null,
  expected: string,
): boolean {
  const m = /^\s*basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? "");
  let given = new Uint8Array(0);
  if (m) {
    try {
      given = Uint8Array.from(atob(m[1]), (c) => c.charCodeAt(0));
    } catch {
      // Not base64: compare the empty array, still in constant time.
    }
  }
  return timingSafeEqual(given, encoder.encode(expected));
}

/**
 * Compares two byte arrays in time that depends only on their lengths.
 *
 * @example
 * ```ts
 * import { timingSafeEqual } from "./basic_auth.ts";
 * import assert from "node:assert/strict";
 * const one = new Uint8Array([1]);
 * assert.equal(timingSafeEqual(one, new Uint8Array([1])), true);
 * assert.equal(timingSafeEqual(one, new Uint8Array([2])), false);
 * ```
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  // Walk the expected value's full length whatever the guess's length is.
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) {
    diff |= (a[i % Math.max(a.length, 1)] ?? 0) ^ b[i];
  }
  return diff === 0;
}

/**
 * The 401 that asks a browser for credentials.
 *
 * @example
 * ```ts
 * import { unauthorized } from "./basic_auth.ts";
 * import assert from "node:assert/strict";
 * const res = unauthorized();
 * assert.equal(res.status, 401);
 * assert.equal(
 *   res.headers.get("www-authenticate"),
 *   'Basic realm="denosocket", charset="UTF-8"',
 * );
 * ```
 */
export function unauthorized(): Response {
  return new Response("authentication required\n", {
    status: 401,
    headers: {
      "content-type": "text/plain; charset=utf-8",
      "www-authenticate": `Basic realm="${REALM}", charset="UTF-8"`,
    },
  });
}
