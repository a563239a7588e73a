/**
 * `loadErrorLine()`: one line for an error thrown while importing handler
 * modules — where it happened and what — instead of Deno's uncaught-error
 * trace.
 *
 * @module
 */
import { relative, sep } from "node:path";
import { PROJECT_ROOT } from "../paths.ts";

const LIB = PROJECT_ROOT + sep + "lib" + sep;
const ENTRIES = ["main.ts", "serve.ts"].map((f) => PROJECT_ROOT + sep + f);
const LOCATION = /file:\/\/[^\s)"]+?:\d+:\d+/g;

/**
 * `FILE:LINE:COL: message` for the first place in the error's message or
 * stack that is not the library or an entry (a handler's `defineHandler()`
 * call, a syntax error's position), else the message alone. Only the first
 * line of a multi-line parser message is kept; a message that is a list (the
 * loader's "invalid handler module(s)") is returned whole.
 *
 * @example
 * ```ts
 * import { loadErrorLine } from "./load_error.ts";
 * import assert from "node:assert/strict";
 * const err = new TypeError('defineHandler(): unknown member "mesage"');
 * err.stack = `TypeError: ${err.message}\n    at file:///tmp/h/bye.ts:2:16`;
 * assert.equal(
 *   loadErrorLine(err, "/tmp"),
 *   'h/bye.ts:2:16: defineHandler(): unknown member "mesage"',
 * );
 * ```
 */
export function loadErrorLine(err: unknown, cwd: string = Deno.cwd()): string {
  if (!(err instanceof Error)) return String(err);
  if (/^[^\n]*:\n {2}/.test(err.message)) return err.message;
  const what = err.message.split("\n")[0];
  const where = [...`${err.message}\n${err.stack ?? ""}`.matchAll(LOCATION)]
    .map((m) => m[0])
    .find((loc) => {
      const path = pathOf(loc);
      return !path.startsWith(LIB) && !ENTRIES.some((e) => path.startsWith(e));
    });
  return where ? `${shown(pathOf(where), cwd)}${suffix(where)}: ${what}` : what;
}

/** The file path of a `file:///…:L:C` location, without `:L:C`. */
function pathOf(location: string): string {
  const url = location.replace(/:\d+:\d+$/, "");
  return decodeURIComponent(new URL(url).pathname);
}

function suffix(location: string): string {
  return /:\d+:\d+$/.exec(location)![0];
}

/** `path` relative to `cwd` when it is inside it, else absolute. */
export function shown(path: string, cwd: string = Deno.cwd()): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith("..") ? rel : path;
}

/**
 * `loadErrorLine()` for the import of one handler file at `path`, naming the
 * file when the error does not, with a hint when the library itself could
 * not be found (a relative `../lib/mod.ts` from a folder elsewhere).
 *
 * @example
 * ```ts
 * import { handlerImportError } from "./load_error.ts";
 * import assert from "node:assert/strict";
 * const err = new TypeError('Module not found "file:///tmp/lib/mod.ts".');
 * assert.match(
 *   handlerImportError(err, "/tmp/h/hi.ts", "/srv"),
 *   /^\/tmp\/h\/hi\.ts: Module not found .* \(import the library as "@denosocket\/server"/,
 * );
 * ```
 */
export function handlerImportError(
  err: unknown,
  path: string,
  cwd: string = Deno.cwd(),
): string {
  const line = loadErrorLine(err, cwd);
  const named = line.startsWith(shown(path, cwd))
    ? line
    : `${shown(path, cwd)}: ${line}`;
  return /lib\/mod\.ts|@denosocket\/server/.test(line)
    ? `${named} (import the library as "@denosocket/server": docs/handlers.md#handlers-in-another-folder)`
    : named;
}
