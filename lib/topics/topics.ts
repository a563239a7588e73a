/**
 * Topics for server code and handlers: this isolate's registry and the
 * functions `lib/mod.ts` exports (`publish`, `listen`, `subscriberCount`,
 * `topicHistory`, `instanceId`).
 *
 * @module
 */
import type { MessageData } from "../types.ts";
import {
  checkTopic,
  normalize,
  type PublishOptions,
  type TopicListener,
  TopicRegistry,
} from "./registry.ts";
import type { HistoryRule } from "./history/policy.ts";

/**
 * A random id for this isolate (process, or worker of `deno serve
 * --parallel`): tells apart who serves whom in logs and notices.
 *
 * @example
 * ```ts
 * import { instanceId } from "./topics.ts";
 * import assert from "node:assert/strict";
 * assert.equal(instanceId.length, 8);
 * ```
 */
export const instanceId: string = crypto.randomUUID().slice(0, 8);

/** This isolate's registry: every connection and `publish()` share it. */
export const topics: TopicRegistry = new TopicRegistry(instanceId);

/**
 * Publishes to every subscriber of `topic`, here and (through the bus) on
 * every other process; for server code such as timers.
 *
 * @example
 * ```ts
 * import { publish } from "./topics.ts";
 * publish("news", JSON.stringify({ headline: "hello" }));
 * ```
 */
export function publish(
  topic: string,
  data: MessageData | ArrayBuffer,
  options: PublishOptions = {},
): void {
  checkTopic(topic);
  topics.publish(topic, normalize(data), undefined, options);
}

/**
 * Listens to a topic (or `prefix*`) from server code: every message
 * published here or arriving over the bus. Returns a stop function.
 *
 * @example
 * ```ts
 * import { listen, publish } from "./topics.ts";
 * import assert from "node:assert/strict";
 * const got: string[] = [];
 * const stop = listen("chat:*", (data, topic) => got.push(`${topic} ${data}`));
 * publish("chat:lobby", "hi");
 * stop();
 * publish("chat:lobby", "unheard");
 * assert.deepEqual(got, ["chat:lobby hi"]);
 * ```
 */
export function listen(pattern: string, fn: TopicListener): () => void {
  checkTopic(pattern);
  return topics.listen(pattern, fn);
}

/**
 * How many connections of this process subscribe to `topic`.
 *
 * @example
 * ```ts
 * import { subscriberCount } from "./topics.ts";
 * import assert from "node:assert/strict";
 * assert.equal(subscriberCount("clock"), 0);
 * ```
 */
export function subscriberCount(topic: string): number {
  return topics.count(topic);
}

/**
 * Keeps history for `topic`, or for every topic starting with `prefix` when
 * given `prefix*`: the last `size` messages, none older than `ttl` seconds
 * (default `--history-ttl`). `{ size: 0 }` turns it off there; `null`
 * removes the rule, so `--history` applies again. Set it at module load, the
 * same on every server sharing a bus. An exact topic wins over a prefix,
 * a longer prefix over a shorter one.
 *
 * @example
 * ```ts
 * import { topicHistory } from "./topics.ts";
 * import { topics } from "./topics.ts";
 * import assert from "node:assert/strict";
 * topicHistory("orders:*", { size: 500, ttl: 86400 });
 * assert.deepEqual(topics.history.limitsFor("orders:42"), { size: 500, ttl: 86400 });
 * topicHistory("orders:*", null);
 * ```
 */
export function topicHistory(pattern: string, rule: HistoryRule | null): void {
  checkTopic(pattern);
  topics.history.set(pattern, rule);
}
