/**
 * The frames of the `denosocket.topics.v1` subprotocol: one JSON object per
 * text frame. Client requests are parsed and checked here; server frames
 * are written here. The protocol itself is described in docs/topics.md,
 * "The denosocket.topics.v1 protocol".
 *
 * @module
 */
import { utf8Length } from "../protocol/utf8_length.ts";
import type { Outgoing } from "./outgoing.ts";
import { isPosition, type Position } from "./history/store.ts";
import { MAX_LAST } from "./history/subscribe_types.ts";

/** The subprotocol name clients offer. */
export const TOPICS_PROTOCOL = "denosocket.topics.v1";

const TYPES = new Set<unknown>(["subscribe", "unsubscribe", "publish"]);

/** Codes of `{"type":"error"}` frames. */
export type TopicsErrorCode =
  | "bad_json"
  | "bad_request"
  | "unknown_topic"
  | "bad_since"
  | "too_large"
  | "too_many_topics"
  | "unavailable"
  | "refused";

/** A request id: echoed in the answer to it. */
export type RequestId = string | number;

/** A checked client request. */
export type TopicsRequest =
  | { type: "subscribe"; topic: string; since?: Position; last?: number }
  | { type: "unsubscribe"; topic: string }
  | { type: "publish"; topic: string; data: unknown; id?: RequestId };

/** A request that cannot be served, with what to answer. */
export interface TopicsRefusal {
  code: TopicsErrorCode;
  message: string;
  topic?: string;
  id?: RequestId;
}

/**
 * Parses one client frame. `maxData` bounds the JSON size of a publish's
 * `data`, in UTF-8 bytes.
 *
 * @example
 * ```ts
 * import { parseRequest } from "./wire_v1.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(
 *   parseRequest('{"type":"subscribe","topic":"news"}', 1024),
 *   { type: "subscribe", topic: "news" },
 * );
 * assert.equal((parseRequest("{oops", 1024) as { code: string }).code, "bad_json");
 * ```
 */
export function parseRequest(
  text: string,
  maxData: number,
): TopicsRequest | TopicsRefusal {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    return { code: "bad_json", message: `not JSON: ${(err as Error).message}` };
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    return { code: "bad_request", message: "expected a JSON object" };
  }
  const o = v as Record<string, unknown>;
  if (!TYPES.has(o.type)) {
    return {
      code: "bad_request",
      message: `type must be subscribe, unsubscribe or publish, not ${
        JSON.stringify(o.type) ?? "missing"
      }`,
    };
  }
  const id = o.id;
  const badId = id !== undefined && !(
    (typeof id === "string" && id.length <= 64) || Number.isSafeInteger(id)
  );
  if (badId) {
    return {
      code: "bad_request",
      message: "id must be a string of at most 64 characters or an integer",
    };
  }
  const echo = id === undefined ? {} : { id: id as RequestId };
  const topic = o.topic;
  if (typeof topic !== "string" || topic.length === 0 || topic.length > 256) {
    return {
      code: "bad_request",
      message: "topic must be a string of 1-256 characters",
      ...echo,
    };
  }
  if (o.type === "subscribe") {
    if (o.since !== undefined && !isPosition(o.since)) {
      return {
        code: "bad_since",
        message:
          "since must be {epoch: a string of 1-64 characters, offset: a whole number >= 0}",
        topic,
      };
    }
    const last = o.last;
    if (
      last !== undefined &&
      (!Number.isInteger(last) || (last as number) < 0 ||
        (last as number) > MAX_LAST)
    ) {
      return {
        code: "bad_request",
        message: `last must be a whole number 0-${MAX_LAST}`,
        topic,
      };
    }
    const req: TopicsRequest = { type: "subscribe", topic };
    if (o.since !== undefined) req.since = o.since as Position;
    if (last !== undefined) req.last = last as number;
    return req;
  }
  if (o.type === "unsubscribe") return { type: "unsubscribe", topic };
  if (!("data" in o)) {
    return {
      code: "bad_request",
      message: "publish needs data",
      topic,
      ...echo,
    };
  }
  const size = utf8Length(JSON.stringify(o.data));
  if (size > maxData) {
    return {
      code: "too_large",
      message: `data is ${size} bytes of JSON; the limit is ${maxData}`,
      topic,
      ...echo,
    };
  }
  return { type: "publish", topic, data: o.data, ...echo };
}

/**
 * The `message` frame for `msg` as topic `name`: text that is JSON goes in
 * `data` as that value, other text as a JSON string, binary as `base64`.
 *
 * @example
 * ```ts
 * import { messageFrame } from "./wire_v1.ts";
 * import { Outgoing } from "./outgoing.ts";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   messageFrame("news", new Outgoing('{"n":1}', "topics:news", "e", 7)),
 *   '{"type":"message","topic":"news","epoch":"e","offset":7,"data":{"n":1}}',
 * );
 * ```
 */
export function messageFrame(name: string, msg: Outgoing): string {
  const at = msg.epoch === ""
    ? ""
    : `,"epoch":${JSON.stringify(msg.epoch)},"offset":${msg.offset}`;
  const head = `{"type":"message","topic":${JSON.stringify(name)}${at}`;
  const d = msg.data;
  if (typeof d !== "string") return `${head},"base64":"${toBase64(d)}"}`;
  return `${head},"data":${isJson(d) ? d : JSON.stringify(d)}}`;
}

/** What a `subscribed` frame says. */
export interface SubscribedFrame extends Position {
  topic: string;
  recovered: boolean;
  reason?: string;
  server?: string;
}

/**
 * The `subscribed` frame: sent after the replay, before live messages, and
 * again (with `recovered: false`) whenever the sequence had to jump.
 *
 * @example
 * ```ts
 * import { subscribedFrame } from "./wire_v1.ts";
 * import assert from "node:assert/strict";
 * const f = subscribedFrame({ topic: "t", epoch: "e", offset: 3, recovered: true });
 * assert.deepEqual(JSON.parse(f).recovered, true);
 * ```
 */
export function subscribedFrame(s: SubscribedFrame): string {
  return JSON.stringify({ type: "subscribed", ...s });
}

/**
 * An `error` frame.
 *
 * @example
 * ```ts
 * import { errorFrame } from "./wire_v1.ts";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   errorFrame({ code: "bad_json", message: "not JSON" }),
 *   '{"type":"error","code":"bad_json","message":"not JSON"}',
 * );
 * ```
 */
export function errorFrame(r: TopicsRefusal): string {
  return JSON.stringify({ type: "error", ...r });
}

/**
 * The answer to a `publish` that carried an `id`.
 *
 * @example
 * ```ts
 * import { publishedFrame } from "./wire_v1.ts";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   publishedFrame("t", 1, { epoch: "e", offset: 2 }),
 *   '{"type":"published","topic":"t","id":1,"epoch":"e","offset":2}',
 * );
 * ```
 */
export function publishedFrame(
  topic: string,
  id: RequestId,
  at: Position | null,
): string {
  return JSON.stringify({ type: "published", topic, id, ...at });
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

type WithBase64 = Uint8Array & { toBase64(): string };

function toBase64(bytes: Uint8Array): string {
  return (bytes as WithBase64).toBase64();
}
