/**
 * The bytes a topic message travels as over Redis: a 10-byte header
 * (`0xFF`, kind, 8-byte sender id) and the payload. `0xFF` never starts
 * UTF-8, so anything else on a denosocket channel — say a `redis-cli
 * PUBLISH` — is taken as a plain message from a foreign publisher.
 *
 * A message of a topic with history (kinds 3 and 4) adds a 4-byte token
 * naming its publisher in the sending process, then `EPOCH\nOFFSET\n` in
 * ASCII before the payload: the Redis script that stores it writes those.
 *
 * @module
 */
import type { MessageData } from "../types.ts";

const MARK = 0xff;
const TEXT = 1;
const BINARY = 2;
const TEXT_AT = 3;
const BINARY_AT = 4;
const NEWLINE = 10;
/** Header size: mark, kind, sender id. */
export const HEADER = 10;
/** Header size of a stored message: mark, kind, sender id, token. */
export const HEADER_AT = 14;

const encoder = new TextEncoder();
const strict = new TextDecoder("utf-8", { fatal: true });

/** A decoded message, with the sender id (`null` from a foreign publisher). */
export interface WireMessage {
  sender: Uint8Array | null;
  data: MessageData;
  /** A stored message's position and publisher token. */
  at?: { epoch: string; offset: number; token: number };
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
  if (bytes[0] === MARK && (bytes[1] === TEXT_AT || bytes[1] === BINARY_AT)) {
    return decodeStored(bytes);
  }
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
 * The header of a stored message, before `EPOCH\nOFFSET\n` and the body.
 *
 * @example
 * ```ts
 * import { decodeWire, storedHeader } from "./bus_wire.ts";
 * import assert from "node:assert/strict";
 * const head = storedHeader(new Uint8Array(8), false, 7);
 * const tail = new TextEncoder().encode("ep\n42\nhello");
 * const bytes = new Uint8Array([...head, ...tail]);
 * assert.deepEqual(decodeWire(bytes)?.at, { epoch: "ep", offset: 42, token: 7 });
 * assert.equal(decodeWire(bytes)?.data, "hello");
 * ```
 */
export function storedHeader(
  sender: Uint8Array,
  binary: boolean,
  token: number,
): Uint8Array {
  const out = new Uint8Array(HEADER_AT);
  out[0] = MARK;
  out[1] = binary ? BINARY_AT : TEXT_AT;
  out.set(sender.subarray(0, 8), 2);
  new DataView(out.buffer).setUint32(HEADER, token >>> 0);
  return out;
}

function decodeStored(bytes: Uint8Array): WireMessage | null {
  if (bytes.byteLength < HEADER_AT + 4) return null;
  const e = bytes.indexOf(NEWLINE, HEADER_AT);
  const o = e < 0 ? -1 : bytes.indexOf(NEWLINE, e + 1);
  if (o < 0) return null;
  const ascii = (from: number, to: number) =>
    String.fromCharCode(...bytes.subarray(from, to));
  const epoch = ascii(HEADER_AT, e);
  const offset = Number(ascii(e + 1, o));
  if (!epoch || !Number.isSafeInteger(offset) || offset < 1) return null;
  const token = new DataView(bytes.buffer, bytes.byteOffset).getUint32(HEADER);
  const body = bytes.subarray(o + 1);
  let data: MessageData;
  if (bytes[1] === BINARY_AT) data = body.slice();
  else {
    try {
      data = strict.decode(body);
    } catch {
      return null;
    }
  }
  return {
    sender: bytes.subarray(2, HEADER),
    data,
    at: { epoch, offset, token },
  };
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
