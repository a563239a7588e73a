/**
 * `acceptKey()`: the `Sec-WebSocket-Accept` value for a client's key
 * (RFC 6455 §4.2.2): base64(SHA-1(key + GUID)).
 *
 * SHA-1 (FIPS 180-4 §6.1) is computed here, in two fixed 64-byte blocks,
 * rather than by `node:crypto`: `createHash("sha1").update().digest()` made
 * a hash object, a buffer and strings per handshake (~0.45 KiB of garbage,
 * measured, and garbage per handshake is what grows a server's young
 * generation: docs/performance.md), and was slower. `crypto.subtle` is
 * async and slower still (~33 µs).
 *
 * @module
 */
import { createHash } from "node:crypto";

/** The GUID RFC 6455 §1.3 appends to every key. */
const WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/** A client key is base64 of 16 bytes (§4.1): 24 characters. */
const KEY_LENGTH = 24;

// key (24) + GUID (36) = 60 bytes, padded to two blocks (§5.1.1). The GUID,
// the padding bit and the length (480 bits) never change.
const BLOCKS = new Uint8Array(128);
for (let i = 0; i < WS_GUID.length; i++) {
  BLOCKS[KEY_LENGTH + i] = WS_GUID.charCodeAt(i);
}
BLOCKS[60] = 0x80;
BLOCKS[126] = (60 * 8) >>> 8;
BLOCKS[127] = (60 * 8) & 0xff;
const W = new Int32Array(80);
const DIGEST = new Uint8Array(20);
const B64 = new TextEncoder().encode(
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
);
const CHARS = new Uint8Array(28);

/**
 * Computes `Sec-WebSocket-Accept` for a client key (RFC 6455 §4.2.2).
 *
 * @example
 * ```ts
 * import { acceptKey } from "./accept_key.ts";
 * import assert from "node:assert/strict";
 * // The example from RFC 6455 §1.3.
 * assert.equal(
 *   acceptKey("dGhlIHNhbXBsZSBub25jZQ=="),
 *   "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
 * );
 * ```
 */
export function acceptKey(key: string): string {
  if (key.length !== KEY_LENGTH || !/^[A-Za-z0-9+/=]+$/.test(key)) {
    // Not a well-formed key (the handshake checks refuse those first).
    return createHash("sha1").update(key + WS_GUID).digest("base64");
  }
  for (let i = 0; i < KEY_LENGTH; i++) BLOCKS[i] = key.charCodeAt(i);
  let h0 = 0x67452301, h1 = 0xefcdab89 | 0, h2 = 0x98badcfe | 0;
  let h3 = 0x10325476, h4 = 0xc3d2e1f0 | 0;
  for (let block = 0; block < 128; block += 64) {
    for (let t = 0; t < 16; t++) {
      const p = block + t * 4;
      W[t] = BLOCKS[p] << 24 | BLOCKS[p + 1] << 16 | BLOCKS[p + 2] << 8 |
        BLOCKS[p + 3];
    }
    for (let t = 16; t < 80; t++) {
      const x = W[t - 3] ^ W[t - 8] ^ W[t - 14] ^ W[t - 16];
      W[t] = x << 1 | x >>> 31;
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4;
    for (let t = 0; t < 80; t++) {
      let f, k;
      if (t < 20) f = (b & c) | (~b & d), k = 0x5a827999;
      else if (t < 40) f = b ^ c ^ d, k = 0x6ed9eba1;
      else if (t < 60) f = (b & c) | (b & d) | (c & d), k = 0x8f1bbcdc | 0;
      else f = b ^ c ^ d, k = 0xca62c1d6 | 0;
      const temp = ((a << 5 | a >>> 27) + f + e + k + W[t]) | 0;
      e = d, d = c, c = b << 30 | b >>> 2, b = a, a = temp;
    }
    h0 = (h0 + a) | 0, h1 = (h1 + b) | 0, h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0, h4 = (h4 + e) | 0;
  }
  put(0, h0), put(4, h1), put(8, h2), put(12, h3), put(16, h4);
  return base64Digest();
}

function put(at: number, w: number): void {
  DIGEST[at] = w >>> 24, DIGEST[at + 1] = w >>> 16;
  DIGEST[at + 2] = w >>> 8, DIGEST[at + 3] = w;
}

/** base64 of the 20 digest bytes: 28 characters, one `=` of padding. */
function base64Digest(): string {
  let o = 0;
  for (let i = 0; i < 18; i += 3) {
    const n = DIGEST[i] << 16 | DIGEST[i + 1] << 8 | DIGEST[i + 2];
    CHARS[o++] = B64[n >>> 18], CHARS[o++] = B64[n >>> 12 & 63];
    CHARS[o++] = B64[n >>> 6 & 63], CHARS[o++] = B64[n & 63];
  }
  const n = DIGEST[18] << 8 | DIGEST[19];
  CHARS[o++] = B64[n >>> 10], CHARS[o++] = B64[n >>> 4 & 63];
  CHARS[o++] = B64[n << 2 & 63], CHARS[o] = 61; // "="
  // One string, not 28 concatenations (each a string object).
  return String.fromCharCode.apply(null, CHARS as unknown as number[]);
}
