/**
 * Close codes (RFC 6455 §7.4): which may appear on the wire, and names for
 * the ones the engine uses. (Which a handler may send: `lib/close_code.ts`.)
 *
 * @module
 */

/** Close codes the engine itself sends or reports. */
export const CloseCode = {
  /** Normal closure. */
  Normal: 1000,
  /** Endpoint going away (server shutdown, idle timeout). */
  GoingAway: 1001,
  /** Protocol error (bad framing). */
  ProtocolError: 1002,
  /** Unsupported data type. */
  Unsupported: 1003,
  /** Reported only: the close frame carried no code. Never sent. */
  NoStatus: 1005,
  /** Reported only: the connection ended without a close frame. Never sent. */
  Abnormal: 1006,
  /** Invalid payload data (bad UTF-8, bad compressed data). */
  InvalidPayload: 1007,
  /** Policy violation. */
  PolicyViolation: 1008,
  /** Message too big. */
  MessageTooBig: 1009,
  /** Server hit an unexpected condition. */
  InternalError: 1011,
} as const;

/**
 * True if `code` may appear in a close frame received from a peer:
 * 1000–1003, 1007–1014 (1012–1014 are IANA-registered since RFC 6455) and
 * 3000–4999. 1004, 1005, 1006 and 1015 are reserved and never on the wire.
 *
 * @example
 * ```ts
 * import { isValidWireCloseCode } from "./close_codes.ts";
 * isValidWireCloseCode(1000); // true
 * isValidWireCloseCode(1005); // false
 * ```
 */
export function isValidWireCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) ||
    (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999);
}
