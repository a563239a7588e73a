/**
 * XOR masking (RFC 6455 §5.3), applied in place. Client payloads are masked;
 * unmasking is the one pass over every received byte, so it works on 32-bit
 * words where the buffer is aligned.
 *
 * @module
 */

// Below this many bytes a Uint32Array view costs more than it saves
// (measured: the crossover is around 32–64 bytes).
const WORD_THRESHOLD = 64;

const rot = new Uint8Array(4);
// Same buffer, so the word has the platform's byte order whatever it is.
const rotWord = new Uint32Array(rot.buffer);

/**
 * XORs `data` in place with `mask`, where `phase` (0–3) is how many payload
 * bytes of the frame came before `data` (a frame split across TCP chunks is
 * unmasked piece by piece).
 *
 * @example
 * ```ts
 * import { applyMask } from "./mask.ts";
 * import assert from "node:assert/strict";
 * const mask = new Uint8Array([1, 2, 3, 4]);
 * const data = new Uint8Array([1, 2, 3, 4, 5]);
 * applyMask(data, mask, 0);
 * assert.deepEqual(data, new Uint8Array([0, 0, 0, 0, 4]));
 * ```
 */
export function applyMask(
  data: Uint8Array,
  mask: Uint8Array,
  phase: number,
): void {
  const n = data.length;
  let i = 0;
  if (n >= WORD_THRESHOLD) {
    // Byte-wise up to a 4-byte aligned address, then whole words.
    const lead = (4 - (data.byteOffset & 3)) & 3;
    for (; i < lead; i++) data[i] ^= mask[(i + phase) & 3];
    for (let k = 0; k < 4; k++) rot[k] = mask[(i + k + phase) & 3];
    const m = rotWord[0];
    const words = (n - i) >>> 2;
    const w = new Uint32Array(data.buffer, data.byteOffset + i, words);
    for (let k = 0; k < words; k++) w[k] ^= m;
    i += words << 2;
  }
  for (; i < n; i++) data[i] ^= mask[(i + phase) & 3];
}
