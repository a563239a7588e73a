/**
 * `LineSplitter`: a program's stdout as text messages, websocketd's way —
 * one message per line, without its `\n` (or `\r\n`). Bytes that are not
 * UTF-8 and lines longer than the message limit are reported, never sent.
 *
 * @module
 */
import { utf8Length } from "../protocol/utf8_length.ts";

/** Why output could not become text messages. */
export type LineError = "not UTF-8" | "too long";

const NEWLINE = 0x0a;
const EMPTY = new Uint8Array(0);

/**
 * Splits a byte stream into lines. Only the bytes up to the last newline of
 * a chunk are decoded, so a UTF-8 sequence cut between two chunks is joined
 * first (a newline byte never occurs inside a multi-byte sequence). At the
 * first bad line, `error` is set: the good lines before it are still
 * returned, nothing after it.
 *
 * @example
 * ```ts
 * import { LineSplitter } from "./line_splitter.ts";
 * import assert from "node:assert/strict";
 * const lines = new LineSplitter(1024);
 * const enc = new TextEncoder();
 * assert.deepEqual(lines.push(enc.encode("1\r\n2\nhal")), ["1", "2"]);
 * assert.deepEqual(lines.push(enc.encode("f\n")), ["half"]);
 * assert.deepEqual(lines.push(new Uint8Array([0x6f, 0x6b, 0x0a, 0xff, 0x0a])), ["ok"]);
 * assert.equal(lines.error, "not UTF-8");
 * ```
 */
export class LineSplitter {
  /** Why splitting stopped, or `null` while all is well. */
  error: LineError | null = null;
  readonly #maxBytes: number;
  readonly #decoder = new TextDecoder("utf-8", { fatal: true });
  #rest: Uint8Array = EMPTY;

  /** `maxBytes`: the longest line (UTF-8 bytes, newline not counted). */
  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** The complete lines in `chunk` (with what came before it). */
  push(chunk: Uint8Array): string[] {
    if (this.error) return [];
    let data = chunk;
    if (this.#rest.length > 0) {
      data = new Uint8Array(this.#rest.length + chunk.length);
      data.set(this.#rest);
      data.set(chunk, this.#rest.length);
    }
    const last = data.lastIndexOf(NEWLINE);
    if (last < 0) {
      if (data.length > this.#maxBytes) return this.#fail("too long", []);
      // Copied: the chunk's buffer is reused, the partial line kept.
      this.#rest = data === chunk ? chunk.slice() : data;
      return [];
    }
    let text: string;
    try {
      text = this.#decoder.decode(data.subarray(0, last));
    } catch {
      return this.#fail("not UTF-8", this.#goodLines(data.subarray(0, last)));
    }
    const rest = data.subarray(last + 1);
    this.#rest = rest.length > 0 ? rest.slice() : EMPTY;
    const lines = text.split("\n");
    // No line can be over the limit when the whole chunk is not.
    const check = last > this.#maxBytes;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      if (line.endsWith("\r")) lines[i] = line.slice(0, -1);
      if (check && line.length * 3 > this.#maxBytes) {
        if (utf8Length(lines[i]) > this.#maxBytes) {
          return this.#fail("too long", lines.slice(0, i));
        }
      }
    }
    if (rest.length > this.#maxBytes) return this.#fail("too long", lines);
    return lines;
  }

  /**
   * The last line when the output ended without a newline (websocketd drops
   * it; a program's final `printf "bye"` is worth delivering), or `null`
   * when there is none (or `error` is set).
   */
  end(): string | null {
    const rest = this.#rest;
    this.#rest = EMPTY;
    if (this.error || rest.length === 0) return null;
    try {
      const text = this.#decoder.decode(rest);
      return text.endsWith("\r") ? text.slice(0, -1) : text;
    } catch {
      this.error = "not UTF-8";
      return null;
    }
  }

  #fail(error: LineError, lines: string[]): string[] {
    this.error = error;
    this.#rest = EMPTY;
    return lines;
  }

  /** The lines before the first one that is not UTF-8 (the slow path). */
  #goodLines(bytes: Uint8Array): string[] {
    const lines: string[] = [];
    let start = 0;
    while (start <= bytes.length) {
      let end = bytes.indexOf(NEWLINE, start);
      if (end < 0) end = bytes.length;
      try {
        const line = this.#decoder.decode(bytes.subarray(start, end));
        lines.push(line.endsWith("\r") ? line.slice(0, -1) : line);
      } catch {
        return lines;
      }
      start = end + 1;
    }
    return lines;
  }
}
