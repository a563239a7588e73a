/**
 * `unknownOption()`: the answer to a mistyped flag, with the flag it was
 * most likely meant to be.
 *
 * @module
 */
import { didYouMean } from "../did_you_mean.ts";

/**
 * "unknown option --prot: did you mean --port?", the candidates being the
 * long flags named in `usage` (the `--help` text, which a test keeps equal
 * to the flags parsed).
 *
 * @example
 * ```ts
 * import { unknownOption } from "./unknown_option.ts";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   unknownOption("--prot", "  -p, --port N   port\n  -H, --host ADDR   host"),
 *   "unknown option --prot: did you mean --port? (--help lists every option)",
 * );
 * ```
 */
export function unknownOption(flag: string, usage: string): string {
  const known = [...new Set(usage.match(/--[a-z][a-z-]*/g))];
  const meant = didYouMean(flag.replace(/^-+/, "--"), known);
  return `unknown option ${flag}${meant ? `: did you mean ${meant}?` : ""}` +
    " (--help lists every option)";
}
