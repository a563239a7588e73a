/**
 * `listenBanner()`: the start-up line that says both where the server is
 * bound and which URL to open — they differ when it listens on every
 * interface (`0.0.0.0` is an address to bind, not one to browse to).
 *
 * @module
 */
import { formatAddr } from "../log.ts";

/** Where a server listens and what to open in a browser. */
export interface ListenReport {
  /** `host:port` as bound, IPv6 in brackets. */
  address: string;
  /** The URL to open: `localhost` for a wildcard address. */
  url: string;
  /** The banner line. */
  line: string;
}

const WILDCARDS: Record<string, string> = {
  "0.0.0.0": "every IPv4 interface",
  "::": "every interface",
};

/**
 * The banner for a listener on `hostname:port`.
 *
 * @example
 * ```ts
 * import { listenBanner } from "./banner.ts";
 * import assert from "node:assert/strict";
 * const all = listenBanner("http", { hostname: "0.0.0.0", port: 9998 }, "0.1.0");
 * assert.equal(
 *   all.line,
 *   "denosocket 0.1.0 listening on 0.0.0.0:9998 (every IPv4 interface); open http://localhost:9998/",
 * );
 * const one = listenBanner("https", { hostname: "::1", port: 8443 }, "0.1.0");
 * assert.equal(one.line, "denosocket 0.1.0 listening on https://[::1]:8443/");
 * ```
 */
export function listenBanner(
  scheme: "http" | "https",
  addr: { hostname: string; port: number },
  version: string,
): ListenReport {
  const address = formatAddr(addr);
  const wildcard = WILDCARDS[addr.hostname];
  const url = `${scheme}://${wildcard ? `localhost:${addr.port}` : address}/`;
  const line = wildcard
    ? `denosocket ${version} listening on ${address} (${wildcard}); open ${url}`
    : `denosocket ${version} listening on ${url}`;
  return { address, url, line };
}
