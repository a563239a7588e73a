/**
 * Read buffers for native sockets. A pending `conn.read(buf)` pins `buf`
 * until data arrives, and an idle socket always has one pending: its buffer
 * is memory per idle connection. So a socket reads into a small region of a
 * shared slab (no ArrayBuffer of its own) until a read fills it; then it
 * gets a buffer of its own that doubles while reads fill it; when the idle
 * sweep finds it quiet it goes back to a region after its next read (the
 * read pending at that moment cannot be given a smaller buffer: Deno has
 * no way to cancel or move it).
 *
 * Regions are reused, never freed: the slabs keep the peak number of idle
 * sockets' regions (`REGION` bytes + a ~100-byte view each).
 *
 * @module
 */

/**
 * Bytes per region: a short message or control frame fits. Measured per
 * idle connection: a 1 KiB own buffer ~1.3 KiB of heap and external
 * memory, a region ~0.2 KiB (docs/performance.md).
 */
export const REGION = 128;
const REGIONS_PER_SLAB = 512; // 64 KiB slabs
/** The first own buffer after a region filled. */
const FIRST_OWN = 1024;
/** Own buffers double up to this. */
const MAX_READ = 256 * 1024;

const free: Uint8Array[] = [];

/**
 * A region for one pending read at a time; give it back with `giveRegion`
 * once no read into it is pending.
 *
 * @example
 * ```ts
 * import { giveRegion, REGION, takeRegion } from "./read_buffer.ts";
 * import assert from "node:assert/strict";
 * const region = takeRegion();
 * assert.equal(region.length, REGION);
 * giveRegion(region);
 * assert.equal(takeRegion(), region); // reused
 * ```
 */
export function takeRegion(): Uint8Array {
  if (free.length === 0) {
    const slab = new Uint8Array(REGION * REGIONS_PER_SLAB);
    for (let i = REGIONS_PER_SLAB - 1; i >= 0; i--) {
      free.push(slab.subarray(i * REGION, (i + 1) * REGION));
    }
  }
  return free.pop()!;
}

/** Returns a region from `takeRegion` (no read into it may be pending). */
export function giveRegion(region: Uint8Array): void {
  free.push(region);
}

/**
 * The buffer for the next read after one of `n` bytes into `buf` (a region
 * if `isRegion`): a bigger one when the read filled it, else `buf`.
 *
 * @example
 * ```ts
 * import { grownBuffer, takeRegion } from "./read_buffer.ts";
 * import assert from "node:assert/strict";
 * const region = takeRegion();
 * assert.equal(grownBuffer(region, 10, true), region);
 * assert.equal(grownBuffer(region, region.length, true).length, 1024);
 * ```
 */
export function grownBuffer(
  buf: Uint8Array,
  n: number,
  isRegion: boolean,
): Uint8Array {
  if (n < buf.length || buf.length >= MAX_READ) return buf;
  return new Uint8Array(isRegion ? FIRST_OWN : buf.length * 2);
}
