/**
 * Byte helpers shared by the codec modules.
 *
 * @module
 */

/**
 * Concatenates `parts` (total `size` bytes, computed if omitted). A single
 * part is returned as is, without a copy.
 *
 * @example
 * ```ts
 * import { concatBytes } from "./bytes.ts";
 * concatBytes([new Uint8Array([1]), new Uint8Array([2, 3])]); // [1, 2, 3]
 * ```
 */
export function concatBytes(parts: Uint8Array[], size?: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(
    size ?? parts.reduce((n, p) => n + p.length, 0),
  );
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
