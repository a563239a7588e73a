/**
 * The server's version, from `deno.json` (one source for `--version`,
 * `/_health` and `/_metrics`).
 *
 * @example
 * ```ts
 * import { VERSION } from "./version.ts";
 * console.log(`denosocket ${VERSION}`);
 * ```
 *
 * @module
 */
import denoJson from "../deno.json" with { type: "json" };

/** The version in `deno.json`, e.g. `"0.1.0"`. */
export const VERSION: string = denoJson.version;
