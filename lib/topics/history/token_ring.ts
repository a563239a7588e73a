/**
 * `TokenRing`: publishers awaiting their own message back from Redis, by a
 * token that travels with the message. A fixed ring rather than a map with
 * timers: a token whose echo never comes (Redis dropped it) is simply
 * overwritten 4,096 publishes later.
 *
 * @module
 */
import type { Subscriber } from "../topic_sets.ts";

/** Slots in the ring. */
export const TOKEN_SLOTS = 4096;

/**
 * Tokens for publishers.
 *
 * @example
 * ```ts
 * import { TokenRing } from "./token_ring.ts";
 * import assert from "node:assert/strict";
 * const ring = new TokenRing();
 * const sub = { deliver() {} };
 * const token = ring.remember(sub);
 * assert.equal(ring.take(token), sub);
 * assert.equal(ring.take(token), undefined); // once
 * ```
 */
export class TokenRing {
  #subs: (Subscriber | undefined)[] = new Array(TOKEN_SLOTS);
  #ids = new Float64Array(TOKEN_SLOTS);
  #next = 0;

  /** A new token naming `sub` (never 0, which means "nobody"). */
  remember(sub: Subscriber): number {
    const token = ++this.#next;
    const slot = token % TOKEN_SLOTS;
    this.#subs[slot] = sub;
    this.#ids[slot] = token;
    return token;
  }

  /** The publisher `token` names, once; `undefined` if overwritten. */
  take(token: number): Subscriber | undefined {
    const slot = token % TOKEN_SLOTS;
    if (this.#ids[slot] !== token) return undefined;
    const sub = this.#subs[slot];
    this.#subs[slot] = undefined;
    return sub;
  }
}
