/**
 * The contract between an engine and a `Connection`: what an engine must
 * offer (`Transport`), what a connection is made from (`ConnectionInit`),
 * and the per-connection counters and metering hooks.
 *
 * @module
 */
import type { Connection } from "./connection.ts";
import type { Handler, RemoteAddr } from "../types.ts";

/** What an engine must offer a connection. */
export interface Transport {
  /** Queue one message. */
  send(data: string | Uint8Array): void;
  /** Start the closing handshake with this code and reason (not validated). */
  close(code: number, reason: string): void;
  /** Bytes queued and not yet written to the network. */
  readonly bufferedAmount: number;
  /** Resolves when buffered bytes fall to `limit` or below (optional). */
  drain?(limit: number): Promise<void>;
  /** Drop the connection now, without a closing handshake (optional). */
  abort?(): void;
  /**
   * Optional, for topic fan-out: frames a message once for every connection
   * using the same `encode` function; `sendEncoded` sends that frame.
   */
  encode?(data: string | Uint8Array): unknown;
  /** Sends what `encode` returned. */
  sendEncoded?(frame: unknown): void;
}

/** Per-connection numbers, for logs and metrics. */
export interface ConnStats {
  msgsIn: number;
  bytesIn: number;
  msgsOut: number;
  bytesOut: number;
  openedAt: number;
  /** Topic messages skipped because the send buffer was over its high-water. */
  dropped: number;
}

/**
 * Per-message counting hooks (metrics). Called on the hot path, so an
 * implementation must do a few increments and nothing that allocates.
 */
export interface ConnMeter {
  /** A message of `size` bytes was accepted. */
  received(size: number): void;
  /** A message of `size` bytes was queued for sending. */
  sent(size: number): void;
  /** A topic message of `size` bytes was queued for sending. */
  delivered(size: number): void;
  /** A topic message was skipped: the send buffer was over its high-water mark. */
  dropped(): void;
}

/**
 * What every connection of an app shares: limits and hooks. One object for
 * all of them, referenced, not copied into each (an idle connection's bytes
 * are memory × connections, see docs/performance.md).
 */
export interface ConnectionSettings<S = unknown> {
  maxMessageSize: number;
  sendHighWater: number;
  /** Buffered bytes at which the connection is closed 1013 (default: no limit). */
  sendBufferLimit?: number;
  /** Messages per second allowed from the peer; more → 1008 (0/absent: off). */
  maxMessagesPerSecond?: number;
  /** Told once when the connection has opened. */
  onOpen?(conn: Connection<S>): void;
  /** Told once when the connection has closed, after the handler's `close`. */
  onClose?(conn: Connection<S>, code: number, reason: string): void;
  /** Told about every error a handler throws. */
  onHandlerError?(conn: Connection<S>, where: string, err: unknown): void;
}

/** Everything a connection is made from. */
export interface ConnectionInit<S> {
  /** A number becomes its base-36 string, made when `conn.id` is first read. */
  id: string | number;
  handler: Handler<S>;
  /** A string is parsed only when `conn.url` is read. */
  url: URL | string;
  /** The URL's path, when the caller has it: logs read it without a `URL`. */
  path?: string;
  params: Record<string, string>;
  headers: Headers;
  remoteAddr: RemoteAddr;
  protocol: string;
  extensions?: string;
  state: S;
  /** Shared by the app's connections. */
  settings: ConnectionSettings<S>;
}
