/**
 * `serveTopics()`: the server side of the `denosocket.topics.v1`
 * subprotocol, for a handler's `message()`. The handler decides who may
 * connect (`accept()`) and which topics a client may use (`policy.topic`);
 * this does the rest: subscribe with resume, unsubscribe, publish with an
 * answer, and a specific `error` frame for every bad request.
 *
 * @module
 */
import type { Conn, MessageData, Subscribed } from "../types.ts";
import { topics } from "./topics.ts";
import type { Entry } from "./history/store.ts";
import {
  errorFrame,
  parseRequest,
  publishedFrame,
  type RequestId,
  type TopicsRefusal,
} from "./wire_v1.ts";

/** Subscriptions per connection by default. */
export const DEFAULT_MAX_TOPICS = 100;
/** Largest publish `data` by default, in bytes of JSON. */
export const DEFAULT_MAX_DATA = 64 * 1024;

/** What a handler decides for the protocol. */
export interface TopicsPolicy<S = unknown> {
  /**
   * The topic a client's topic name stands for, or `null` to answer
   * `unknown_topic`. Map names into a namespace (`topics:NAME`), so clients
   * cannot reach topics of other handlers.
   */
  topic(
    name: string,
    conn: Conn<S>,
    action: "subscribe" | "publish",
  ): string | null;
  /**
   * What a client's publish puts on the topic: by default the JSON text of
   * `data`. Return a refusal to answer with an `error` frame instead.
   */
  publish?(
    conn: Conn<S>,
    name: string,
    data: unknown,
  ): MessageData | TopicsRefusal;
  /** Called once a subscription is live; `resumed`: the client sent `since`. */
  subscribed?(
    conn: Conn<S>,
    name: string,
    result: Subscribed,
    resumed: boolean,
  ): void;
  /** Subscriptions per connection at most (default 100). */
  maxTopics?: number;
  /** Largest publish `data` in bytes of JSON (default 64 KiB). */
  maxData?: number;
}

/**
 * Serves one client frame. Return its result from `message()`, so an error
 * in a policy hook is the handler's error (logged, the connection closed
 * 1011) wherever it happens.
 *
 * @example
 * ```ts ignore
 * export default defineHandler({
 *   protocols: [TOPICS_PROTOCOL],
 *   message(conn, data) {
 *     return serveTopics(conn, data, { topic: (name) => `topics:${name}` });
 *   },
 * });
 * ```
 */
export function serveTopics<S>(
  conn: Conn<S>,
  data: MessageData,
  policy: TopicsPolicy<S>,
): Promise<void> | void {
  if (typeof data !== "string") {
    // 4003, as handlers may not send 1003 (docs/handlers.md, close codes).
    conn.close(4003, "denosocket.topics.v1 takes JSON text frames");
    return;
  }
  const req = parseRequest(data, policy.maxData ?? DEFAULT_MAX_DATA);
  if ("code" in req) {
    conn.send(errorFrame(req));
    return;
  }
  const name = req.topic;
  const id = req.type === "publish" ? req.id : undefined;
  const echo = { topic: name, ...(id === undefined ? {} : { id }) };
  const action = req.type === "publish" ? "publish" : "subscribe";
  const topic = policy.topic(name, conn, action);
  if (topic === null) {
    conn.send(errorFrame({
      code: "unknown_topic",
      message: `no topic ${JSON.stringify(name)} here`,
      ...echo,
    }));
    return;
  }
  if (req.type === "unsubscribe") {
    conn.unsubscribe(topic);
    return;
  }
  if (req.type === "subscribe") {
    const max = policy.maxTopics ?? DEFAULT_MAX_TOPICS;
    const topicsNow = conn.topics;
    if (!topicsNow.includes(topic) && topicsNow.length >= max) {
      conn.send(errorFrame({
        code: "too_many_topics",
        message: `at most ${max} subscriptions per connection`,
        ...echo,
      }));
      return;
    }
    const { since, last } = req;
    const done = conn.subscribe(topic, {
      since,
      last,
      format: "envelope",
      name,
    });
    const hook = policy.subscribed;
    if (hook) return done.then((r) => hook(conn, name, r, since !== undefined));
    return;
  }
  const payload = policy.publish
    ? policy.publish(conn, name, req.data)
    : JSON.stringify(req.data);
  if (typeof payload === "object" && !(payload instanceof Uint8Array)) {
    conn.send(errorFrame({ ...payload, ...echo }));
    return;
  }
  return publishFor(conn, topic, name, payload, id);
}

/** Publishes for the client: answers `published` (with an `id`) or `unavailable`. */
function publishFor<S>(
  conn: Conn<S>,
  topic: string,
  name: string,
  payload: MessageData,
  id: RequestId | undefined,
): Promise<void> | void {
  const answer = (entry: Entry | null) => {
    if (id !== undefined) {
      conn.send(publishedFrame(name, id, entry && pos(entry)));
    }
  };
  const refused = (err: unknown) => {
    conn.send(errorFrame({
      code: "unavailable",
      message: `not published: the history store is unavailable (${
        err instanceof Error ? err.message : String(err)
      })`,
      topic: name,
      ...(id === undefined ? {} : { id }),
    }));
  };
  let stored: Entry | null | Promise<Entry>;
  try {
    // Everyone subscribed gets it, the sender too: each sees one sequence.
    stored = topics.publishStored(topic, payload);
  } catch (err) {
    refused(err);
    return;
  }
  if (stored instanceof Promise) return stored.then(answer, refused);
  answer(stored);
}

function pos(e: Entry) {
  return { epoch: e.epoch, offset: e.offset };
}
