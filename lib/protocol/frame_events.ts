/**
 * The frame parser's contract: what it reports and how it is configured.
 *
 * @example
 * ```ts
 * import type { FrameHandlers } from "./frame_events.ts";
 * const log: FrameHandlers = {
 *   onMessage: (m) => console.log("message", m),
 *   onPing() {}, onPong() {}, onClose() {}, onError() {},
 * };
 * ```
 *
 * @module
 */

import type { MessageInflater } from "./deflate.ts";

/** What the parser reports. Callbacks may call `stop()`. */
export interface FrameHandlers {
  /** A whole message: `string` for text, `Uint8Array` for binary. */
  onMessage(data: string | Uint8Array): void;
  /** A ping; the engine should answer with a pong carrying `payload`. */
  onPing(payload: Uint8Array): void;
  /** A pong. */
  onPong(payload: Uint8Array): void;
  /** The peer's close frame (code 1005 if it had none). Parsing stops. */
  onClose(code: number, reason: string): void;
  /** A protocol violation: close with `code`. Parsing stops. */
  onError(code: number, reason: string): void;
}

/** Parser settings. */
export interface FrameParserOptions {
  /** Largest message (after inflation) in bytes; default 64 MiB. */
  maxMessageSize?: number;
  /**
   * The caller reuses its read buffer after `push()` returns: the parser
   * then copies whatever it keeps (a binary message, pieces of a message
   * split across reads). Text in one chunk is decoded in place either way.
   */
  transient?: boolean;
  /** Set iff permessage-deflate was negotiated: RSV1 is then allowed. */
  inflater?: MessageInflater | null;
}
