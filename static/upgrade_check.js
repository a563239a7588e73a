// Why a WebSocket was refused. A browser shows a script nothing of a refused
// handshake (no status, no body: an `error` event, then close code 1006), so
// the pages ask the server about the same path and offer with a plain
// request to /_upgrade_check (docs/pages.md).

/**
 * The server's account of an upgrade to `url`: `{ status, reason, seen }`,
 * with status 101 when nothing there refuses it; `null` when the server
 * cannot say (not a denosocket server, or unreachable).
 *
 * @param {string} url a ws:// or wss:// URL
 * @param {string[]} [protocols] the subprotocols offered
 * @returns {Promise<{ status: number, reason: string, seen: string } | null>}
 * @example
 * await whyRefused("ws://localhost:9998/subprotocol", ["mqtt"]);
 * // { status: 400, reason: "no supported subprotocol: offered mqtt; …", … }
 */
export async function whyRefused(url, protocols = []) {
  let target;
  try {
    target = new URL(url.replace(/^ws/i, "http"));
  } catch {
    return null;
  }
  const check = new URL("/_upgrade_check", target.origin);
  check.searchParams.set("path", target.pathname + target.search);
  if (protocols.length) {
    check.searchParams.set("protocols", protocols.join(","));
  }
  // The browser's WebSocket sends this page's origin; a same-origin fetch
  // sends none, so it is passed along.
  check.searchParams.set("origin", location.origin);
  try {
    const res = await fetch(check, { cache: "no-store" });
    if (!res.ok) return null;
    const body = await res.json();
    return typeof body.status === "number" ? body : null;
  } catch {
    return null;
  }
}
