/**
 * `Outgoing`: one published message on its way to many connections.
 *
 * @module
 */
import { utf8Length } from "../protocol/utf8_length.ts";

/**
 * One published message on its way to many connections. Engines that can
 * frame a message once (see `Transport.encode`) cache the frame here, keyed
 * by their encoder, so a fan-out to 1,000 connections encodes it once. A
 * message of a topic with history carries its `epoch` and `offset`.
 *
 * @example
 * ```ts
 * import { Outgoing } from "./outgoing.ts";
 * import assert from "node:assert/strict";
 * const msg = new Outgoing("hello");
 * let calls = 0;
 * const encode = (d: string | Uint8Array) => (calls++, d);
 * assert.equal(msg.frame(encode), "hello");
 * assert.equal(msg.frame(encode), "hello");
 * assert.equal(calls, 1); // computed once per encoder
 * ```
 */
export class Outgoing {
  readonly data: string | Uint8Array;
  /** The topic published to (`""` when not told). */
  readonly topic: string;
  /** The history epoch, or `""` for a topic without history. */
  readonly epoch: string;
  /** The offset in `epoch` (0 without history). */
  readonly offset: number;
  #frames: Map<unknown, unknown> | null = null;
  #size = -1;
  #derivedKey: string | null = null;
  #derived: Outgoing | null = null;

  constructor(data: string | Uint8Array, topic = "", epoch = "", offset = 0) {
    this.data = data;
    this.topic = topic;
    this.epoch = epoch;
    this.offset = offset;
  }

  /**
   * A message made from this one (its JSON envelope, say), made once for
   * `key` and then shared by every connection, frames included.
   */
  derived(key: string, make: (msg: Outgoing) => string): Outgoing {
    if (this.#derivedKey !== key) {
      this.#derived = new Outgoing(
        make(this),
        this.topic,
        this.epoch,
        this.offset,
      );
      this.#derivedKey = key;
    }
    return this.#derived!;
  }

  /** Payload size in bytes (UTF-8 for text), computed once. */
  get byteLength(): number {
    if (this.#size < 0) {
      const d = this.data;
      this.#size = typeof d === "string" ? utf8Length(d) : d.byteLength;
    }
    return this.#size;
  }

  /** The frame `encode` makes of `data`, computed once per encoder. */
  frame<F>(encode: (data: string | Uint8Array) => F): F {
    this.#frames ??= new Map();
    if (!this.#frames.has(encode)) this.#frames.set(encode, encode(this.data));
    return this.#frames.get(encode) as F;
  }
}
