/**
 * `stderrLines()`: a program's stderr as log lines. Unlike stdout, stderr is
 * never refused: bytes that are not UTF-8 become U+FFFD, and a long line is
 * cut into pieces (websocketd cuts at its 4 KiB buffer), so a program can
 * neither stall on a full stderr pipe nor make one log line of any size.
 * Read through a small reused buffer: a pending read of the default reader
 * holds a 64 KiB buffer (measured: 110 KiB of RSS per idle child with one
 * pending read, against 56 KiB with a 256-byte BYOB read).
 *
 * @module
 */

import { ChunkReader } from "./chunk_reader.ts";

/** The longest piece of a stderr line that becomes one log line. */
export const STDERR_LINE_MAX = 4096;

/**
 * Every line of `stream`, without its `\n` or `\r\n`; the last one even
 * without a newline.
 *
 * @example
 * ```ts
 * import { stderrLines } from "./stderr_lines.ts";
 * import assert from "node:assert/strict";
 * const stream = new ReadableStream({
 *   type: "bytes",
 *   start(c) {
 *     c.enqueue(new TextEncoder().encode("a\r\nb\nc"));
 *     c.close();
 *   },
 * });
 * const got: string[] = [];
 * for await (const line of stderrLines(stream)) got.push(line);
 * assert.deepEqual(got, ["a", "b", "c"]);
 * ```
 */
export async function* stderrLines(
  stream: ReadableStream<Uint8Array>,
  max = STDERR_LINE_MAX,
): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  const reader = new ChunkReader(stream, 256);
  let pending = "";
  try {
    for (let chunk; (chunk = await reader.read()) !== null;) {
      pending += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = pending.indexOf("\n")) >= 0) {
        yield* pieces(pending.slice(0, nl).replace(/\r$/, ""), max);
        pending = pending.slice(nl + 1);
      }
      while (pending.length > max) {
        yield pending.slice(0, max);
        pending = pending.slice(max);
      }
    }
  } catch {
    /* the stream was cancelled or broke: what came is what there is */
  }
  pending += decoder.decode();
  if (pending !== "") yield* pieces(pending.replace(/\r$/, ""), max);
}

function* pieces(line: string, max: number): Generator<string> {
  if (line.length <= max) {
    yield line;
    return;
  }
  for (let at = 0; at < line.length; at += max) yield line.slice(at, at + max);
}
