/**
 * The permessage-deflate flags of the command line (`--deflate`,
 * `--deflate-threshold`), kept apart from `cli.ts` like the security flags.
 *
 * Only the native engine can compress: Deno's WebSocket never answers a
 * permessage-deflate offer. So `--deflate on` with the deno engine is an
 * error (the user asked for something they would silently not get), while
 * flags that merely have nothing to do (`--deflate off`, a threshold with
 * deflate off) give a one-line warning and the server starts.
 *
 * @module
 */
import { parseSize, type ServerOptions } from "../options.ts";
import type { DeflaterOptions } from "../protocol/deflate.ts";
import type { DeflateNegotiationOptions } from "../protocol/deflate_negotiation.ts";

/** `parseArgs` option specs for the deflate flags. */
export const DEFLATE_FLAGS = {
  deflate: { type: "string" },
  "deflate-threshold": { type: "string" },
} as const;

/** Usage lines for the deflate flags. */
export const DEFLATE_USAGE = `
Compression (--engine native only):
      --deflate on|shared|off
                            negotiate permessage-deflate when a client offers it (default
                            off); shared: one zlib stream for all connections
      --deflate-threshold N send messages shorter than N bytes uncompressed (default 1KiB)`;

/** The values `parseArgs` returns for `DEFLATE_FLAGS`. */
export type DeflateValues = {
  [K in keyof typeof DEFLATE_FLAGS]?: string;
};

/** What `applyDeflateFlags` found wrong or pointless. */
export interface DeflateFlagResult {
  /** Refuse to start with this message, or null. */
  error: string | null;
  /** One-line warnings to print at start. */
  warnings: string[];
}

/**
 * Copies the deflate flags into `options` (call after `--engine` is set).
 *
 * @example
 * ```ts
 * import { applyDeflateFlags } from "./deflate_flags.ts";
 * import { DEFAULTS } from "../options.ts";
 * import assert from "node:assert/strict";
 * const options = { ...DEFAULTS, engine: "native" as const };
 * assert.deepEqual(applyDeflateFlags({ deflate: "on" }, options), {
 *   error: null,
 *   warnings: [],
 * });
 * assert.equal(options.deflate, true);
 * ```
 */
export function applyDeflateFlags(
  values: DeflateValues,
  options: ServerOptions,
): DeflateFlagResult {
  const warnings: string[] = [];
  const fail = (error: string) => ({ error, warnings });
  const onOff = values.deflate;
  if (onOff !== undefined) {
    if (onOff !== "on" && onOff !== "shared" && onOff !== "off") {
      return fail(`invalid --deflate "${onOff}": expected on, shared or off`);
    }
    options.deflate = onOff !== "off";
    options.deflateShared = onOff === "shared";
  }
  const threshold = values["deflate-threshold"];
  if (threshold !== undefined) {
    // 0 is meaningful here (compress everything), unlike other sizes.
    const n = threshold.trim() === "0" ? 0 : parseSize(threshold);
    if (n === null || n > 0x7fffffff) {
      return fail(
        `invalid --deflate-threshold "${threshold}": expected a size like 0, 1024 or 4k`,
      );
    }
    options.deflateThreshold = n;
  }
  if (options.engine === "deno") {
    if (onOff === "on" || onOff === "shared") {
      return fail(
        `--deflate ${onOff} needs --engine native (Deno's WebSocket has no permessage-deflate)`,
      );
    }
    if (onOff !== undefined || threshold !== undefined) {
      warnings.push(
        "--deflate and --deflate-threshold have no effect with --engine deno (Deno's WebSocket has no permessage-deflate)",
      );
    }
    options.deflate = false;
  } else if (threshold !== undefined && !options.deflate) {
    warnings.push(
      "--deflate-threshold has no effect while deflate is off (add --deflate on)",
    );
  }
  return { error: null, warnings };
}

/**
 * What `serveNative()` is given for `deflate` under these options: false,
 * or the negotiation and compressor settings (shared: no context takeover
 * asked for both ways, RFC 7692 §7.1.1, so one zlib stream per direction
 * serves every connection).
 *
 * @example
 * ```ts
 * import { nativeDeflate } from "./deflate_flags.ts";
 * import { DEFAULTS } from "../options.ts";
 * import assert from "node:assert/strict";
 * assert.equal(nativeDeflate({ ...DEFAULTS, deflate: false }), false);
 * const shared = nativeDeflate({ ...DEFAULTS, deflate: true, deflateShared: true });
 * assert.equal(shared && shared.clientNoContextTakeover, true);
 * ```
 */
export function nativeDeflate(
  options: ServerOptions,
): false | (DeflateNegotiationOptions & DeflaterOptions) {
  if (!options.deflate) return false;
  const threshold = options.deflateThreshold;
  if (!options.deflateShared) return { threshold };
  return {
    threshold,
    serverNoContextTakeover: true,
    clientNoContextTakeover: true,
  };
}
