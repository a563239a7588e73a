/**
 * `prepareUpgrade()`: everything between an upgrade request and the 101 that
 * does not depend on the engine — routing, checks, subprotocol choice and the
 * handler's `accept()`.
 *
 * @module
 */
import { Connection, type ConnectionSettings } from "../core/connection.ts";
import type { PendingUpgrade } from "../core/engine_host.ts";
import { checkUpgrade, chooseProtocol, parseProtocols } from "./handshake.ts";
import { refuse } from "./refuse.ts";
import type { RouteMatch } from "../routing/router.ts";
import type { AcceptResult, RemoteAddr } from "../types.ts";

export type { ConnectionSettings } from "../core/connection.ts";

let nextId = 0;

/** The shared, never-modified `headers` of upgrades that add none. */
export const NO_HEADERS: Headers = new Headers();

/**
 * Checks an upgrade request for a matched route and runs the handler's
 * `accept()`. Returns a refusal `Response` or a `PendingUpgrade`; a promise
 * of one only when the handler has an `accept()` (most do not, and an
 * `await` per handshake is measurable). `path` is `href`'s path, which the
 * caller has already taken to route the request.
 *
 * @example
 * ```ts ignore
 * const result = await prepareUpgrade(
 *   req, req.url, remoteAddr, match, settings, onAcceptError, path,
 * );
 * if (result instanceof Response) return result;
 * ```
 */
export function prepareUpgrade(
  req: Request,
  href: string,
  remoteAddr: RemoteAddr,
  match: RouteMatch,
  settings: ConnectionSettings,
  onAcceptError: (err: unknown, href: string) => void,
  path: string,
): Response | PendingUpgrade | Promise<Response | PendingUpgrade> {
  const bad = checkUpgrade(req, href);
  if (bad) return bad;
  const handler = match.route.handler;
  const offered = parseProtocols(req.headers.get("sec-websocket-protocol"));
  const protocol = chooseProtocol(offered, handler.protocols);
  if (protocol instanceof Response) return protocol;
  if (handler.accept) {
    return accepted(
      req,
      href,
      path,
      remoteAddr,
      match,
      settings,
      onAcceptError,
      protocol,
    );
  }
  return pending(req, href, path, remoteAddr, match, settings, protocol, null);
}

/** The handler's `accept()`, then `pending()`. */
async function accepted(
  req: Request,
  href: string,
  path: string,
  remoteAddr: RemoteAddr,
  match: RouteMatch,
  settings: ConnectionSettings,
  onAcceptError: (err: unknown, href: string) => void,
  protocol: string,
): Promise<Response | PendingUpgrade> {
  let result: Response | AcceptResult<unknown> | void;
  try {
    result = await match.route.handler.accept!(req, {
      params: match.params,
      remoteAddr,
      protocol,
    });
  } catch (err) {
    onAcceptError(err, href);
    return refuse(500, "handler accept() failed");
  }
  if (result instanceof Response) return result;
  return pending(
    req,
    href,
    path,
    remoteAddr,
    match,
    settings,
    protocol,
    result,
  );
}

/** The connection and the 101's extra headers. */
function pending(
  req: Request,
  href: string,
  path: string,
  remoteAddr: RemoteAddr,
  match: RouteMatch,
  settings: ConnectionSettings,
  protocol: string,
  result: AcceptResult<unknown> | void | null,
): PendingUpgrade {
  const handler = match.route.handler;
  // Most upgrades add no header but the protocol: build Headers only then
  // (constructing one costs more than the rest of this function).
  let headers: Headers | null = null;
  if (result?.headers) {
    headers = new Headers();
    for (const [k, v] of new Headers(result.headers)) {
      // Headers iterates Set-Cookie values one by one; append keeps all.
      headers.append(k, v);
    }
  }
  if (protocol) {
    (headers ??= new Headers()).set("sec-websocket-protocol", protocol);
  }
  const conn = new Connection<unknown>({
    id: ++nextId, // made a string only if read
    handler,
    url: href,
    path,
    params: match.params,
    headers: req.headers,
    remoteAddr,
    protocol,
    state: result ? result.state : undefined,
    settings,
  });
  return { conn, headers: headers ?? NO_HEADERS, handler };
}
