/**
 * `MessageQueue`: the buffer behind `for await (const data of conn)` in
 * sequential (`run`) handlers.
 *
 * @module
 */
import type { MessageData } from "../types.ts";

/**
 * An unbounded single-consumer queue that ends when the connection closes.
 *
 * @example
 * ```ts
 * import { MessageQueue } from "./message_queue.ts";
 * import assert from "node:assert/strict";
 * const q = new MessageQueue();
 * q.push("hi");
 * q.end();
 * const got: unknown[] = [];
 * for await (const m of { [Symbol.asyncIterator]: () => q.iterator() }) {
 *   got.push(m);
 * }
 * assert.deepEqual(got, ["hi"]);
 * ```
 */
export class MessageQueue {
  #items: MessageData[] = [];
  #head = 0;
  #waiter: ((r: IteratorResult<MessageData>) => void) | null = null;
  #ended = false;

  /** Adds a message, handing it straight to a waiting reader if there is one. */
  push(data: MessageData): void {
    if (this.#ended) return;
    if (this.#waiter) {
      const w = this.#waiter;
      this.#waiter = null;
      w({ value: data, done: false });
    } else this.#items.push(data);
  }

  /** No more messages: a waiting reader finishes after the queued ones. */
  end(): void {
    this.#ended = true;
    if (this.#waiter && this.#head >= this.#items.length) {
      const w = this.#waiter;
      this.#waiter = null;
      w({ value: undefined, done: true });
    }
  }

  /** The iterator a `for await` loop reads. */
  iterator(): AsyncIterator<MessageData> {
    return {
      next: () => {
        if (this.#head < this.#items.length) {
          const value = this.#items[this.#head++];
          if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
            this.#items = this.#items.slice(this.#head);
            this.#head = 0;
          }
          return Promise.resolve({ value, done: false });
        }
        if (this.#ended) {
          return Promise.resolve({ value: undefined, done: true });
        }
        return new Promise((resolve) => (this.#waiter = resolve));
      },
      return: () => {
        this.#ended = true;
        this.#items = [];
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
