/**
 * The only module handlers import: `defineHandler`, `programHandler` (a
 * program per connection, as websocketd), topics (`publish`, `listen`,
 * `subscriberCount`, `topicHistory`, `serveTopics`) and the handler API types.
 *
 * @example
 * ```ts
 * import { defineHandler } from "./mod.ts";
 * export default defineHandler({
 *   message(conn, data) {
 *     conn.send(data);
 *   },
 * });
 * ```
 *
 * @module
 */
export { defineHandler } from "./handler.ts";
export { programHandler } from "./programs/program_handler.ts";
export type {
  ProgramAcceptResult,
  ProgramOptions,
} from "./programs/program_handler.ts";
export type { Manifest } from "./routing/manifest.ts";
export { timingSafeEqual } from "./http/basic_auth.ts";
export {
  instanceId,
  listen,
  publish,
  subscriberCount,
  topicHistory,
} from "./topics/topics.ts";
export { serveTopics, type TopicsPolicy } from "./topics/serve_topics.ts";
export {
  TOPICS_PROTOCOL,
  type TopicsErrorCode,
  type TopicsRefusal,
} from "./topics/wire_v1.ts";
export type { HistoryRule } from "./topics/history/policy.ts";
export type { PublishOptions, TopicListener } from "./topics/registry.ts";
export type {
  AcceptResult,
  Conn,
  Handler,
  MessageData,
  NotRecovered,
  Position,
  ReadyState,
  RemoteAddr,
  Subscribed,
  SubscribeFormat,
  SubscribeOptions,
  UpgradeInfo,
} from "./types.ts";
