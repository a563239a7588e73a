/**
 * `ChunkReader`: reads a program's stdout (or stderr) into one reused buffer.
 * The default reader of Deno's pipe streams allocates 64 KiB per read,
 * however little arrives: with 100 `cat`s echoing 650-byte batches that is
 * ~270 MB/s of garbage, and an idle program's pending read holds 64 KiB
 * (110 KiB of RSS per idle child against 56 KiB with a small BYOB read). The
 * buffer starts small and doubles while reads fill it.
 *
 * @module
 */

const MIN_READ = 4096;
const MAX_READ = 64 * 1024; // the most a pipe read returns (its capacity)

/**
 * A BYOB reader with a buffer of its own.
 *
 * @example
 * ```ts
 * import { ChunkReader } from "./chunk_reader.ts";
 * import assert from "node:assert/strict";
 * const child = new Deno.Command("echo", { args: ["hi"], stdout: "piped" }).spawn();
 * const reader = new ChunkReader(child.stdout);
 * assert.equal(new TextDecoder().decode((await reader.read())!), "hi\n");
 * assert.equal(await reader.read(), null);
 * await child.status;
 * ```
 */
export class ChunkReader {
  #reader: ReadableStreamBYOBReader;
  #buffer: ArrayBuffer;

  /** `min`: the first buffer's size (it doubles while reads fill it). */
  constructor(stream: ReadableStream<Uint8Array>, min = MIN_READ) {
    this.#reader = stream.getReader({ mode: "byob" });
    this.#buffer = new ArrayBuffer(min);
  }

  /**
   * The next chunk, or `null` at the end. The chunk is a view into the
   * reader's buffer: use (or copy) it before the next `read()`.
   */
  async read(): Promise<Uint8Array | null> {
    const { value, done } = await this.#reader.read(
      new Uint8Array(this.#buffer),
    );
    if (done || !value) return null;
    // The read transferred the buffer into `value`: take it back.
    const buffer = value.buffer as ArrayBuffer;
    this.#buffer = value.length === buffer.byteLength &&
        buffer.byteLength < MAX_READ
      ? new ArrayBuffer(buffer.byteLength * 2)
      : buffer;
    return value;
  }

  /** Stops reading (the stream is cancelled). */
  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }
}
