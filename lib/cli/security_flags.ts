/**
 * The security and limit flags of the command line (`--cert`, `--origin`,
 * `--basic-auth`, `--max-connections`, …), kept apart from `cli.ts` so the
 * core flags stay short. Parsing only: files named by `--cert`, `--key` and
 * `--basic-auth @FILE` are read at start by `loadSecrets()`.
 *
 * @module
 */
import { parseSize, type ServerOptions } from "../options.ts";

/** `parseArgs` option specs for the security flags. */
export const SECURITY_FLAGS = {
  cert: { type: "string" },
  key: { type: "string" },
  origin: { type: "string" },
  "same-origin": { type: "boolean" },
  "basic-auth": { type: "string" },
  "max-connections": { type: "string" },
  "max-connections-per-ip": { type: "string" },
  "max-messages-per-second": { type: "string" },
  "send-buffer-limit": { type: "string" },
} as const;

/** Usage lines for the security flags. */
export const SECURITY_USAGE = `
Security and limits:
      --cert FILE           PEM certificate chain (e.g. fullchain.pem); with --key serves https + wss
      --key FILE            PEM private key (e.g. privkey.pem)
      --origin LIST         comma-separated origins allowed to open WebSockets; * = any (default *)
      --same-origin         allow WebSockets only from pages of this server's own host
      --basic-auth U:P      require HTTP Basic auth on every request; @FILE reads U:P from FILE
      --max-connections N   open WebSockets at once; beyond → 503 (default 10000; 0 = no cap)
      --max-connections-per-ip N  open WebSockets per client IP; beyond → 429 (default 0 = no cap)
      --max-messages-per-second N messages per second per connection; beyond → close 1008 (default 0 = off)
      --send-buffer-limit N buffered outgoing bytes before closing 1013 "slow consumer" (default 16MiB)`;

/** The values `parseArgs` returns for `SECURITY_FLAGS`. */
export type SecurityValues = {
  [K in keyof typeof SECURITY_FLAGS]?: (typeof SECURITY_FLAGS)[K] extends
    { type: "boolean" } ? boolean : string;
};

/**
 * Copies the security flags into `options`; returns an error message or `null`.
 *
 * @example
 * ```ts
 * import { applySecurityFlags } from "./security_flags.ts";
 * import { DEFAULTS } from "../options.ts";
 * import assert from "node:assert/strict";
 * const options = { ...DEFAULTS };
 * const error = applySecurityFlags({ "max-connections": "100" }, options);
 * assert.equal(error, null);
 * assert.equal(options.maxConnections, 100);
 * ```
 */
export function applySecurityFlags(
  values: SecurityValues,
  options: ServerOptions,
): string | null {
  if ((values.cert === undefined) !== (values.key === undefined)) {
    return values.cert === undefined
      ? "--key needs --cert (the certificate chain, e.g. fullchain.pem)"
      : "--cert needs --key (the private key, e.g. privkey.pem)";
  }
  if (values.cert !== undefined) {
    if (values.cert === "" || values.key === "") {
      return "--cert and --key need file names";
    }
    options.cert = values.cert;
    options.key = values.key!;
  }
  if (values.origin !== undefined) {
    const list = values.origin.split(",").map((o) => o.trim()).filter(Boolean);
    if (list.length === 0) return `invalid --origin "${values.origin}": empty`;
    for (const o of list) {
      if (o !== "*" && !isOrigin(o)) {
        return `invalid --origin "${o}": expected scheme://host[:port], e.g. https://example.com`;
      }
    }
    // Browsers send the bare origin: "https://a.example/" must match it too.
    options.origins = list.includes("*")
      ? null
      : list.map((o) => new URL(o).origin);
  }
  if (values["same-origin"]) options.sameOrigin = true;
  if (values["basic-auth"] !== undefined) {
    const v = values["basic-auth"];
    if (!v.startsWith("@") && !/^[^:]+:.+$/s.test(v)) {
      return "invalid --basic-auth: expected USER:PASS or @FILE";
    }
    options.basicAuth = v;
  }
  for (
    const [flag, key] of [
      ["max-connections", "maxConnections"],
      ["max-connections-per-ip", "maxConnectionsPerIp"],
      ["max-messages-per-second", "maxMessagesPerSecond"],
    ] as const
  ) {
    const text = values[flag];
    if (text === undefined) continue;
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(Number(text))) {
      return `invalid --${flag} "${text}": expected a whole number (0 = off)`;
    }
    options[key] = Number(text);
  }
  if (values["send-buffer-limit"] !== undefined) {
    const n = parseSize(values["send-buffer-limit"]);
    if (n === null) {
      return `invalid --send-buffer-limit "${
        values["send-buffer-limit"]
      }": expected a size like 16MiB`;
    }
    options.sendBufferLimit = n;
  } else {
    options.sendBufferLimit = Math.max(
      options.sendBufferLimit,
      options.maxMessageSize,
    );
  }
  if (options.sendBufferLimit < options.sendHighWater) {
    return `--send-buffer-limit (${options.sendBufferLimit}) must not be below --send-high-water (${options.sendHighWater})`;
  }
  if (options.sendBufferLimit < options.maxMessageSize) {
    return `--send-buffer-limit (${options.sendBufferLimit}) must not be below --max-message-size (${options.maxMessageSize}): the largest message a client may send could not be sent back (it would close 1013)`;
  }
  return null;
}

function isOrigin(text: string): boolean {
  try {
    const u = new URL(text);
    return u.origin === text.replace(/\/$/, "") && u.origin !== "null";
  } catch {
    return false;
  }
}
