/**
 * The only module handlers import: `defineHandler`, `programHandler` (a
 * program per connection, as websocketd), topics (`publish`, `listen`,
 * `subscriberCount`) and the handler API types.
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
} from "./topics/topics.ts";
export type { PublishOptions, TopicListener } from "./topics/registry.ts";
export type {
  AcceptResult,
  Conn,
  Handler,
  MessageData,
  ReadyState,
  RemoteAddr,
  UpgradeInfo,
} from "./types.ts";
