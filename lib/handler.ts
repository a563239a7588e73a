/**
 * `defineHandler()` and the check that a module's default export is a handler.
 *
 * @module
 */
import { didYouMean } from "./did_you_mean.ts";
import type { Handler } from "./types.ts";

const FUNCTION_KEYS = [
  "accept",
  "open",
  "message",
  "close",
  "error",
  "run",
] as const;
const KNOWN_KEYS = new Set<string>([...FUNCTION_KEYS, "protocols"]);

/** What a handler module must default-export, for error messages. */
export const HANDLER_EXPECTED =
  "a handler: `export default defineHandler({ open?, message?, close?, error?, run?, accept?, protocols? })` with at least one of open, message or run";

/**
 * Returns why `value` is not a handler, or `null` when it is one.
 *
 * @example
 * ```ts
 * import { handlerProblem } from "./handler.ts";
 * import assert from "node:assert/strict";
 * assert.equal(handlerProblem({ message() {} }), null);
 * assert.equal(
 *   handlerProblem({ mesage() {} }),
 *   'unknown member "mesage" (did you mean message?)',
 * );
 * ```
 */
export function handlerProblem(value: unknown): string | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return `the default export is ${describe(value)}`;
  }
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (KNOWN_KEYS.has(key)) continue;
    const meant = didYouMean(key, [...KNOWN_KEYS]);
    return `unknown member "${key}"${meant ? ` (did you mean ${meant}?)` : ""}`;
  }
  for (const key of FUNCTION_KEYS) {
    if (obj[key] !== undefined && typeof obj[key] !== "function") {
      return `"${key}" is ${describe(obj[key])}, not a function`;
    }
  }
  const protocols = obj.protocols;
  if (
    protocols !== undefined &&
    !(Array.isArray(protocols) &&
      protocols.every((p) => typeof p === "string" && isToken(p)))
  ) {
    return `"protocols" must be an array of subprotocol tokens`;
  }
  if (!obj.open && !obj.message && !obj.run) {
    return "it has none of open, message or run";
  }
  return null;
}

/**
 * Declares a handler and checks its shape at once, so a typo such as
 * `mesage` fails when the module loads rather than silently never firing
 * (`deno task check` catches it earlier still: the object has a type). The
 * error says what was wrong, the likely meant member and what a handler has.
 *
 * @example
 * ```ts
 * import { defineHandler } from "./handler.ts";
 * export default defineHandler({
 *   message(conn, data) {
 *     conn.send(data);
 *   },
 * });
 * ```
 */
export function defineHandler<S = unknown>(handler: Handler<S>): Handler<S> {
  const problem = handlerProblem(handler);
  if (problem) {
    throw new TypeError(
      `defineHandler(): ${problem}; expected ${HANDLER_EXPECTED}`,
    );
  }
  return handler;
}

/** RFC 7230 token characters: subprotocol names must be tokens (RFC 6455 §4.1). */
export function isToken(s: string): boolean {
  return /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(s);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `${typeof value}`;
}
