// WebSocket URLs from the page's own address, shared by every page here.
// ws: for http: pages and wss: for https: pages, so the pages work behind TLS
// and on edge hosts without change.

/**
 * The WebSocket URL of `path` on the server that served this page.
 * A full ws:// or wss:// URL is returned unchanged.
 *
 * @param {string} path
 * @param {{ protocol: string, host: string }} [loc] the page's address
 * @returns {string}
 * @example
 * wsUrl("/echo"); // "ws://localhost:9998/echo" on http://localhost:9998/
 */
export function wsUrl(path, loc = location) {
  if (/^wss?:\/\//i.test(path)) return path;
  const scheme = loc.protocol === "https:" ? "wss:" : "ws:";
  const rest = path.startsWith("/") ? path : "/" + path;
  return `${scheme}//${loc.host}${rest}`;
}

/**
 * Splits a comma-separated subprotocol list, dropping blanks.
 *
 * @example
 * parseProtocols(" chat.v2, chat ,"); // ["chat.v2", "chat"]
 */
export function parseProtocols(text) {
  return String(text ?? "").split(",").map((p) => p.trim()).filter(Boolean);
}

/** The readyState numbers, named as the WebSocket spec names them. */
export const READY_STATES = ["CONNECTING", "OPEN", "CLOSING", "CLOSED"];

/**
 * `readyState` as "1 OPEN".
 *
 * @example
 * readyStateText(3); // "3 CLOSED"
 */
export function readyStateText(n) {
  return `${n} ${READY_STATES[n] ?? "?"}`;
}
