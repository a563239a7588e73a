/**
 * A data message that arrives in more than one piece (fragmented, or split
 * across TCP chunks): its pieces, and for text the UTF-8 check carried from
 * piece to piece so invalid text fails at its first bad byte (RFC 6455
 * §8.1). The frame parser makes one only for such a message and drops it at
 * the message's end, so a parser between messages holds no buffers. Also
 * the payload of a control frame, whole or in pieces.
 *
 * @module
 */

import { concatBytes, copyOut } from "./bytes.ts";
import { decodeValidatedUtf8 } from "./utf8.ts";
import { UTF8_ACCEPT, UTF8_REJECT, utf8Step } from "./utf8.ts";

const EMPTY = new Uint8Array(0);

/**
 * The pieces of one message.
 *
 * @example
 * ```ts
 * import { MessageParts } from "./message_parts.ts";
 * import assert from "node:assert/strict";
 * const parts = new MessageParts(true);
 * const euro = new TextEncoder().encode("€"); // 3 bytes, split 1 + 2
 * assert.equal(parts.add(euro.subarray(0, 1), true), true);
 * assert.equal(parts.add(euro.subarray(1), true), true);
 * assert.equal(parts.text(), "€");
 * ```
 */
export class MessageParts {
  #text: boolean;
  #pieces: Uint8Array[] = [];
  #size = 0;
  #utf8 = UTF8_ACCEPT;

  /** `text`: check UTF-8 as pieces arrive. */
  constructor(text: boolean) {
    this.#text = text;
  }

  /**
   * Adds a piece, copied first if `copy` (the caller reuses its buffer).
   * False if the message is text and these bytes are not valid UTF-8.
   */
  add(piece: Uint8Array, copy: boolean): boolean {
    if (this.#text) {
      this.#utf8 = utf8Step(this.#utf8, piece, 0, piece.length);
      if (this.#utf8 === UTF8_REJECT) return false;
    }
    this.#pieces.push(copy ? copyOut(piece) : piece);
    this.#size += piece.length;
    return true;
  }

  /** The message's bytes, joined. */
  bytes(): Uint8Array {
    const pieces = this.#pieces;
    return pieces.length === 0 ? EMPTY : concatBytes(pieces, this.#size);
  }

  /** The text, or null if it ends inside a UTF-8 sequence. */
  text(): string | null {
    return this.#utf8 === UTF8_ACCEPT
      ? decodeValidatedUtf8(this.bytes())
      : null;
  }
}

/**
 * A control frame's payload, from the one piece it came in (`whole`) or
 * its copied `pieces`. Handlers may keep it, so a view into a buffer the
 * caller reuses (`transient`) is copied.
 *
 * @example
 * ```ts
 * import { controlPayload } from "./message_parts.ts";
 * import assert from "node:assert/strict";
 * const pieces = [new Uint8Array([1]), new Uint8Array([2])];
 * assert.deepEqual(controlPayload(null, pieces, true), new Uint8Array([1, 2]));
 * assert.equal(controlPayload(null, null, true).length, 0);
 * ```
 */
export function controlPayload(
  whole: Uint8Array | null,
  pieces: Uint8Array[] | null,
  transient: boolean,
): Uint8Array {
  if (pieces !== null) return concatBytes(pieces);
  if (whole === null) return EMPTY;
  return transient ? copyOut(whole) : whole;
}
