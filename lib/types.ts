/**
 * The handler API: the contract every handler module and both engines share.
 * Nothing here refers to Deno's `WebSocket`, so handlers run unchanged on the
 * deno engine (`Deno.upgradeWebSocket`) and the native RFC 6455 engine.
 *
 * @module
 */

/** A message as a handler sees it: `string` for text, `Uint8Array` for binary. */
export type MessageData = string | Uint8Array;

/** Where the peer connects from. */
export interface RemoteAddr {
  /** IP address (or hostname for unix sockets). */
  hostname: string;
  /** Port of the peer. */
  port: number;
}

/** Everything `accept()` may return to let the connection through. */
export interface AcceptResult<S> {
  /** Per-connection state, readable later as `conn.state`. */
  state?: S;
  /** Extra headers for the 101 response (e.g. `Set-Cookie`). */
  headers?: HeadersInit;
}

/** What a connection is doing, as the browser's `readyState` numbers it. */
export type ReadyState = 0 | 1 | 2 | 3;

/**
 * One WebSocket connection, as a handler sees it.
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
 */
export interface Conn<S = unknown> extends AsyncIterable<MessageData> {
  /** A short id, unique in this process. */
  readonly id: string;
  /** The negotiated subprotocol, or `""`. */
  readonly protocol: string;
  /** The negotiated extensions (e.g. `"permessage-deflate"`), or `""`. */
  readonly extensions: string;
  /** The request URL of the upgrade. */
  readonly url: URL;
  /** Route parameters, e.g. `{ name: "lobby" }` for `/rooms/[name]`. */
  readonly params: Readonly<Record<string, string>>;
  /** The `Origin` header of the upgrade, or `""`. */
  readonly origin: string;
  /** All headers of the upgrade request. */
  readonly headers: Headers;
  /** The peer's address. */
  readonly remoteAddr: RemoteAddr;
  /** Whatever `accept()` returned as `state` (undefined otherwise). */
  state: S;
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: ReadyState;
  /** Bytes queued for sending and not yet handed to the network. */
  readonly bufferedAmount: number;
  /**
   * Sends a text (`string`) or binary (`Uint8Array`/`ArrayBuffer`) message.
   * Returns `false` when the send buffer is over its high-water mark: wait for
   * `drained()` before sending more. Sending on a closed connection is a no-op
   * that returns `false`.
   */
  send(data: MessageData | ArrayBuffer): boolean;
  /** Resolves when `bufferedAmount` is below the high-water mark (or closed). */
  drained(): Promise<void>;
  /**
   * Starts the closing handshake. `code` must be 1000 or 3000–4999 (RangeError
   * otherwise), `reason` at most 123 UTF-8 bytes (RangeError otherwise).
   */
  close(code?: number, reason?: string): void;
  /**
   * Drops the TCP connection at once, with no close frame (pywebsocket's
   * `abort`): the peer sees 1006, the handler's `close` gets 1006. Throws
   * when the engine cannot (both engines can on Deno 2.9).
   */
  abort(): void;
  /**
   * Subscribes to `topic` (a non-empty string of at most 256 characters;
   * TypeError otherwise). A no-op once closing; every topic is left on close.
   */
  subscribe(topic: string): void;
  /**
   * Subscribes with positions, on a topic with history: first the messages
   * after `options.since` (or the `last` N), then live ones, each offset
   * once and in order. Resolves once live; never rejects. Subscribing
   * again replaces the subscription. See docs/topics.md.
   */
  subscribe(topic: string, options: SubscribeOptions): Promise<Subscribed>;
  /** Leaves `topic` (a no-op if not subscribed). */
  unsubscribe(topic: string): void;
  /** The topics this connection subscribes to, as a fresh array. */
  readonly topics: string[];
  /**
   * Publishes to every subscriber of `topic` but this connection, in this
   * process and, through the bus, in every other. Never waits; works after
   * close too (e.g. a leave notice from `close`).
   */
  publish(topic: string, data: MessageData | ArrayBuffer): void;
}

/**
 * A handler module's default export. Every member is optional.
 *
 * Event style uses `open`/`message`/`close`/`error`; sequential style uses
 * `run(conn)` with `for await (const data of conn)`. When `run` returns the
 * server closes the connection with 1000.
 */
export interface Handler<S = unknown> {
  /** Subprotocols this handler speaks, most preferred first. */
  protocols?: string[];
  /**
   * Runs before the 101. Return a `Response` to refuse (any status), or an
   * `AcceptResult` with per-connection `state` and extra 101 `headers`.
   */
  accept?(
    req: Request,
    info: UpgradeInfo,
  ):
    | Response
    | AcceptResult<S>
    | void
    | Promise<Response | AcceptResult<S> | void>;
  /** The connection is open. */
  open?(conn: Conn<S>): void | Promise<void>;
  /** A whole message arrived. */
  message?(conn: Conn<S>, data: MessageData): void | Promise<void>;
  /** Called exactly once, with a real code (1006 for an abrupt end). */
  close?(conn: Conn<S>, code: number, reason: string): void | Promise<void>;
  /** A transport error; `close` follows. */
  error?(conn: Conn<S>, err: unknown): void;
  /** Sequential style: consume `conn` as an async iterable. */
  run?(conn: Conn<S>): void | Promise<void>;
}

/** What `accept()` learns about the upgrade besides the request. */
export interface UpgradeInfo {
  /** Route parameters. */
  params: Record<string, string>;
  /** The peer's address. */
  remoteAddr: RemoteAddr;
  /** The subprotocol that will be chosen, or `""`. */
  protocol: string;
}

/**
 * A message's place in a topic with history: `offset` counts up by one per
 * message (1, 2, 3 …) within an `epoch`; a new epoch means earlier history
 * may be lost and offsets start again.
 */
export interface Position {
  epoch: string;
  offset: number;
}

/** How topic messages reach the client: as published, or as v1 JSON frames. */
export type SubscribeFormat = "data" | "envelope";

/** Options of `conn.subscribe(topic, options)`. */
export interface SubscribeOptions {
  /** Resume: first every message after this position. */
  since?: Position;
  /** First the last N messages (when `since` is absent or cannot be met). */
  last?: number;
  /** `"envelope"`: `denosocket.topics.v1` frames. Default `"data"`. */
  format?: SubscribeFormat;
  /** The topic's name in envelopes (default: the topic). */
  name?: string;
}

/** Why a resume was not complete. */
export type NotRecovered =
  | "epoch"
  | "trimmed"
  | "ahead"
  | "no_history"
  | "unavailable";

/** What `conn.subscribe()` resolves with, once live. */
export interface Subscribed extends Position {
  topic: string;
  /** `since` was given and every message after it was delivered. */
  recovered: boolean;
  /** With `since`, why not recovered. */
  reason?: NotRecovered;
}
