/**
 * The bytes a topic message travels as over Redis: a 10-byte header
 * (`0xFF`, kind, 8-byte sender id) and the payload. `0xFF` never starts
 * UTF-8, so anything else on a denosocket channel — say a `redis-cli
 * PUBLISH` — is taken as a plain message from a foreign publisher.
 *
 * @module
 */
import type { MessageData } from "../types.ts";

const MARK = 0xff;
const TEXT = 1;
const BINARY = 2;
/** Header size: mark, kind, sender id. */
export const HEADER = 10;

const encoder = new TextEncoder();
const strict = new TextDecoder("utf-8", { fatal: true });

/** A decoded message, with the sender id (`null` from a foreign publisher). */
export interface WireMessage {
  sender: Uint8Array | null;
  data: MessageData;
}

/**
 * Frames `data` from `sender` (8 bytes).
 *
 * @example
 * ```ts
 * import { decodeWire, encodeWire } from "./bus_wire.ts";
 * import assert from "node:assert/strict";
 * const id = new Uint8Array(8);
 * assert.equal(decodeWire(encodeWire(id, "hi"))?.data, "hi");
 * ```
 */
export function encodeWire(sender: Uint8Array, data: MessageData): Uint8Array {
  const body = typeof data === "string" ? encoder.encode(data) : data;
  const out = new Uint8Array(HEADER + body.byteLength);
  out[0] = MARK;
  out[1] = typeof data === "string" ? TEXT : BINARY;
  out.set(sender.subarray(0, 8), 2);
  out.set(body, HEADER);
  return out;
}

/**
 * Reads what `encodeWire` wrote, or a foreign payload (text when it is valid
 * UTF-8, binary otherwise). Returns `null` for a broken header.
 *
 * @example
 * ```ts
 * import { decodeWire } from "./bus_wire.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(decodeWire(new TextEncoder().encode("plain")), {
 *   sender: null,
 *   data: "plain",
 * });
 * ```
 */
export function decodeWire(bytes: Uint8Array): WireMessage | null {
  if (bytes[0] !== MARK) {
    try {
      return { sender: null, data: strict.decode(bytes) };
    } catch {
      return { sender: null, data: bytes.slice() };
    }
  }
  if (bytes.byteLength < HEADER) return null;
  const sender = bytes.subarray(2, HEADER);
  const body = bytes.subarray(HEADER);
  if (bytes[1] === TEXT) {
    try {
      return { sender, data: strict.decode(body) };
    } catch {
      return null;
    }
  }
  if (bytes[1] === BINARY) return { sender, data: body.slice() };
  return null;
}

/**
 * Whether two sender ids are equal.
 *
 * @example
 * ```ts
 * import { sameSender } from "./bus_wire.ts";
 * import assert from "node:assert/strict";
 * assert.equal(sameSender(new Uint8Array(8), new Uint8Array(8)), true);
 * ```
 */
export function sameSender(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
