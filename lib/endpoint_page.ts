/**
 * The page a plain browser GET of a handler path gets: it says the path is a
 * WebSocket endpoint and which subprotocols it speaks.
 *
 * @module
 */
import type { Route } from "./router.ts";

/**
 * An HTML page describing a WebSocket endpoint.
 *
 * @example
 * ```ts
 * import { endpointPage } from "./endpoint_page.ts";
 * const res = endpointPage("/echo", { pattern: "/echo", handler: { message() {} }, file: "handlers/echo.ts" });
 * res.headers.get("content-type"); // "text/html; charset=utf-8"
 * ```
 */
export function endpointPage(pathname: string, route: Route): Response {
  const protocols = route.handler.protocols?.length
    ? route.handler.protocols.map((p) => `<code>${escapeHtml(p)}</code>`).join(
      ", ",
    )
    : "none (any client may connect without one)";
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(pathname)} — WebSocket endpoint</title></head>
<body>
<h1><code>${escapeHtml(pathname)}</code> is a WebSocket endpoint</h1>
<p>Connect with <code>new WebSocket("ws://" + location.host + "${
    escapeHtml(pathname)
  }")</code>.</p>
<p>Subprotocols: ${protocols}.</p>
<p>Served by <code>${escapeHtml(route.file)}</code>.</p>
</body></html>
`;
  return new Response(body, {
    status: 200,
    headers: { "content-type": "text/html; charset=utf-8" },
  });
}

/**
 * Escapes text for HTML.
 *
 * @example
 * ```ts
 * import { escapeHtml } from "./endpoint_page.ts";
 * escapeHtml("<a>"); // "&#60;a&#62;"
 * ```
 */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
