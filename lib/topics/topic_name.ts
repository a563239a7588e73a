/**
 * Topic names and payloads as the registry takes them: `checkTopic()` and
 * `normalize()`.
 *
 * @module
 */
import type { MessageData } from "../types.ts";

/** Longest topic name accepted, in UTF-16 code units. */
export const MAX_TOPIC_LENGTH = 256;

/**
 * Throws a `TypeError` unless `topic` is a usable topic name.
 *
 * @example
 * ```ts
 * import { checkTopic } from "./topic_name.ts";
 * import assert from "node:assert/strict";
 * checkTopic("chat:lobby"); // ok
 * assert.throws(() => checkTopic(""), TypeError);
 * ```
 */
export function checkTopic(topic: unknown): asserts topic is string {
  if (typeof topic !== "string" || topic.length === 0) {
    throw new TypeError("topic must be a non-empty string");
  }
  if (topic.length > MAX_TOPIC_LENGTH) {
    throw new TypeError(`topic longer than ${MAX_TOPIC_LENGTH} characters`);
  }
}

/**
 * `ArrayBuffer` → `Uint8Array`; strings and views pass through.
 *
 * @example
 * ```ts
 * import { normalize } from "./topic_name.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(normalize(new ArrayBuffer(2)), new Uint8Array(2));
 * assert.equal(normalize("hi"), "hi");
 * ```
 */
export function normalize(data: MessageData | ArrayBuffer): MessageData {
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
