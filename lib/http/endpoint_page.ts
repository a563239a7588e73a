/**
 * What a plain (non-upgrade) GET of a handler path gets. A browser is sent
 * to the dev console with the endpoint filled in, as websocketd's
 * `--devconsole` does; anything else (curl, scripts) gets a short text
 * saying what the path is, which subprotocols it speaks and where the
 * console is.
 *
 * @module
 */
import type { Route } from "../routing/router.ts";

/** Where the dev console lives (see `tool_pages.ts`). */
export const CONSOLE_PATH = "/console.html";

/**
 * The console URL (path and query) pre-filled for an endpoint.
 *
 * @example
 * ```ts
 * import { consoleLink } from "./endpoint_page.ts";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   consoleLink("/subprotocol", ["chat.v2", "chat"]),
 *   "/console.html?url=%2Fsubprotocol&speaks=chat.v2%2Cchat",
 * );
 * ```
 */
export function consoleLink(
  pathAndQuery: string,
  protocols: readonly string[] = [],
): string {
  const q = new URLSearchParams({ url: pathAndQuery });
  if (protocols.length) q.set("speaks", protocols.join(","));
  return `${CONSOLE_PATH}?${q}`;
}

/**
 * True when the client asked for HTML, as a browser's address bar does.
 * curl sends `Accept: *\/*` and gets the text answer.
 *
 * @example
 * ```ts
 * import { wantsHtml } from "./endpoint_page.ts";
 * import assert from "node:assert/strict";
 * const headers = { accept: "text/html,*\/*" };
 * assert.equal(wantsHtml(new Request("http://x/", { headers })), true);
 * ```
 */
export function wantsHtml(req: Request): boolean {
  const accept = req.headers.get("accept") ?? "";
  return accept.split(",").some((t) =>
    t.split(";")[0].trim().toLowerCase() === "text/html"
  );
}

/**
 * The answer to a plain GET or HEAD of a handler path: a 303 to the console
 * for browsers, a 200 text description otherwise. Both carry a `Link` to the
 * console and, when the handler has subprotocols, their list in
 * `X-WebSocket-Protocols`.
 *
 * @example
 * ```ts
 * import { endpointPage } from "./endpoint_page.ts";
 * import assert from "node:assert/strict";
 * const res = endpointPage(
 *   new Request("http://localhost/echo", { headers: { accept: "text/html" } }),
 *   { pattern: "/echo", handler: { message() {} }, file: "handlers/echo.ts" },
 * );
 * assert.equal(res.status, 303);
 * assert.equal(res.headers.get("location"), "/console.html?url=%2Fecho");
 * ```
 */
export function endpointPage(req: Request, route: Route): Response {
  const url = new URL(req.url);
  const protocols = route.handler.protocols ?? [];
  const link = consoleLink(url.pathname + url.search, protocols);
  const headers = new Headers({
    link: `<${link}>; rel="alternate"; type="text/html"`,
    "cache-control": "no-cache",
    vary: "Accept",
  });
  if (protocols.length) {
    headers.set("x-websocket-protocols", protocols.join(", "));
  }
  if (wantsHtml(req)) {
    headers.set("location", link);
    return new Response(null, { status: 303, headers });
  }
  const scheme = url.protocol === "https:" ? "wss:" : "ws:";
  const body = [
    `${url.pathname} is a WebSocket endpoint (${route.file}).`,
    `Connect: ${scheme}//${url.host}${url.pathname}${url.search}`,
    `Subprotocols: ${
      protocols.length
        ? protocols.join(", ")
        : "none (any client may connect without one)"
    }`,
    `Dev console: ${url.origin}${link}`,
    "",
  ].join("\n");
  headers.set("content-type", "text/plain; charset=utf-8");
  return new Response(req.method === "HEAD" ? null : body, {
    status: 200,
    headers,
  });
}
