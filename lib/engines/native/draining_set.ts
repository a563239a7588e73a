/**
 * A `Set` that can be waited on until it is empty: what a server's
 * shutdown needs for the handshakes and the sockets still running.
 *
 * @module
 */

/**
 * The set.
 *
 * @example
 * ```ts
 * import { DrainingSet } from "./draining_set.ts";
 * import assert from "node:assert/strict";
 * const open = new DrainingSet<string>();
 * open.add("a");
 * const empty = open.whenEmpty();
 * open.delete("a");
 * await empty;
 * assert.equal(open.size, 0);
 * ```
 */
export class DrainingSet<T> extends Set<T> {
  #empty: PromiseWithResolvers<void> | null = null;

  /** Removes `value`; wakes `whenEmpty()` waiters once none is left. */
  override delete(value: T): boolean {
    const had = super.delete(value);
    if (this.size === 0 && this.#empty !== null) {
      this.#empty.resolve();
      this.#empty = null;
    }
    return had;
  }

  /** Resolves once the set is empty. */
  whenEmpty(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return (this.#empty ??= Promise.withResolvers()).promise;
  }
}
