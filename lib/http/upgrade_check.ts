/**
 * `GET /_upgrade_check`: why an upgrade was (or would be) refused, for pages
 * in a browser. A browser shows a script nothing of a refused handshake —
 * no status, no body, only an `error` event and close code 1006 — so the
 * dev console and the tutorial ask the server about the same path and offer
 * with this plain request, and show its status and reason.
 *
 * The answer comes from the server's memory of a refusal it sent the same
 * client address for the same path and query in the last 30 s (this covers
 * a handler's `accept()` and the connection caps), else from running the
 * checks that need no handler code again: a handler at the path, the origin
 * rules, the subprotocol offer. It tells nothing a client could not learn by
 * sending the upgrade itself and reading the refusal.
 *
 * @module
 */
import type { Guard } from "./guard.ts";
import { chooseProtocol } from "./handshake.ts";
import { readRefusalReason, refusalReason, refuse } from "./refuse.ts";
import type { Router } from "../routing/router.ts";
import { formatAddr, type Logger } from "../log.ts";
import type { RemoteAddr } from "../types.ts";

/** The path of the check. */
export const UPGRADE_CHECK_PATH = "/_upgrade_check";

/** How long a refusal is remembered for its client. */
export const RECENT_MS = 30_000;
const MAX_REMEMBERED = 256;

/** The JSON answer. */
export interface UpgradeVerdict {
  /** The path (and query) asked about. */
  path: string;
  /** The refusal's HTTP status, or 101 when nothing refuses it. */
  status: number;
  /** The refusal's one-line reason, or what passed. */
  reason: string;
  /** `recent`: a refusal this server sent; `check`: the checks run again. */
  seen: "recent" | "check";
}

/**
 * Remembers refusals and answers `/_upgrade_check`.
 *
 * @example
 * ```ts
 * import { UpgradeCheck } from "./upgrade_check.ts";
 * import { Guard } from "./guard.ts";
 * import { Router } from "../routing/router.ts";
 * import { Logger } from "../log.ts";
 * import { withDefaults } from "../options.ts";
 * import assert from "node:assert/strict";
 * const log = new Logger("error");
 * const checks = new UpgradeCheck(new Router([]), new Guard(withDefaults({}), log), log);
 * const req = new Request("http://x/_upgrade_check?path=/nope");
 * const res = checks.handle(req, "/_upgrade_check", { hostname: "::1", port: 1 });
 * assert.deepEqual(await res?.json(), {
 *   path: "/nope", status: 404, reason: "no WebSocket handler at /nope", seen: "check",
 * });
 * ```
 */
export class UpgradeCheck {
  #router: Router;
  #guard: Guard;
  #log: Logger;
  #recent = new Map<string, { status: number; reason: string; at: number }>();

  constructor(router: Router, guard: Guard, log: Logger) {
    this.#router = router;
    this.#guard = guard;
    this.#log = log;
  }

  /**
   * A refused upgrade: logged as `refused` with its reason (read from a
   * copy of the body when a handler made it) and remembered for the client.
   */
  refused(res: Response, path: string, href: string, remote: RemoteAddr) {
    const known = refusalReason(res);
    if (known !== null) {
      return this.#note(res.status, known, path, href, remote);
    }
    void readRefusalReason(res).then((reason) =>
      this.#note(res.status, reason, path, href, remote)
    );
  }

  /** Remembers a refusal logged elsewhere (the guard's). */
  remember(res: Response, href: string, remote: RemoteAddr): void {
    this.#store(remote, href, res.status, refusalReason(res) ?? "");
  }

  /** The answer to a request for `path`, or `null` when it is not the check's. */
  handle(req: Request, path: string, remote: RemoteAddr): Response | null {
    if (path !== UPGRADE_CHECK_PATH) return null;
    if (req.method !== "GET" && req.method !== "HEAD") {
      return refuse(405, `${UPGRADE_CHECK_PATH} answers GET`, { allow: "GET" });
    }
    const q = new URL(req.url).searchParams;
    const asked = q.get("path");
    if (!asked?.startsWith("/")) {
      return refuse(400, "give the path to check: ?path=/echo");
    }
    const about = target(new URL(asked, req.url).href);
    const verdict = this.#fromMemory(remote, about) ??
      this.#check(req, about, q, remote);
    return new Response(JSON.stringify(verdict), {
      headers: {
        "content-type": "application/json",
        "cache-control": "no-store",
        // Read by a console on another origin too: it reveals no more than
        // sending the upgrade and reading the refusal would.
        "access-control-allow-origin": "*",
      },
    });
  }

  #note(
    status: number,
    reason: string,
    path: string,
    href: string,
    remote: RemoteAddr,
  ) {
    this.#store(remote, href, status, reason);
    if (this.#log.enabled("info")) {
      this.#log.info("refused", {
        path,
        remote: formatAddr(remote),
        status,
        reason,
      });
    }
  }

  #store(remote: RemoteAddr, href: string, status: number, reason: string) {
    const key = keyOf(remote, target(href));
    // Newest last: a Map keeps insertion order, so the first is the oldest.
    this.#recent.delete(key);
    this.#recent.set(key, { status, reason, at: Date.now() });
    if (this.#recent.size > MAX_REMEMBERED) {
      this.#recent.delete(this.#recent.keys().next().value!);
    }
  }

  #fromMemory(remote: RemoteAddr, about: string): UpgradeVerdict | null {
    const seen = this.#recent.get(keyOf(remote, about));
    if (!seen || Date.now() - seen.at > RECENT_MS) return null;
    return {
      path: about,
      status: seen.status,
      reason: seen.reason,
      seen: "recent",
    };
  }

  #check(
    req: Request,
    about: string,
    q: URLSearchParams,
    remote: RemoteAddr,
  ): UpgradeVerdict {
    const pathname = new URL(about, req.url).pathname;
    const verdict = (status: number, reason: string): UpgradeVerdict => ({
      path: about,
      status,
      reason,
      seen: "check",
    });
    const match = this.#router.match(pathname);
    if (!match) return verdict(404, `no WebSocket handler at ${pathname}`);
    // The origin the browser's WebSocket sends is the page's; a same-origin
    // fetch sends none, so the page says it.
    const origin = q.get("origin") ?? req.headers.get("origin");
    const headers = new Headers({ host: req.headers.get("host") ?? "" });
    if (origin) headers.set("origin", origin);
    const denied = this.#guard.peek(new Request(req.url, { headers }), remote);
    if (denied) return verdict(denied.status, refusalReason(denied) ?? "");
    const offered = (q.get("protocols") ?? "").split(",").map((p) => p.trim())
      .filter((p) => p !== "");
    const chosen = chooseProtocol(offered, match.route.handler.protocols);
    if (chosen instanceof Response) {
      return verdict(chosen.status, refusalReason(chosen) ?? "");
    }
    return verdict(
      101,
      `nothing refuses it here: ${match.route.file} serves ${pathname}` +
        (chosen ? ` and speaks ${chosen}` : "") +
        (match.route.handler.accept ? "; its accept() decides the rest" : ""),
    );
  }
}

/** The path and query of a URL, as the refusal and the check name it. */
function target(href: string): string {
  const url = new URL(href);
  return url.pathname + url.search;
}

function keyOf(remote: RemoteAddr, about: string): string {
  return `${remote.hostname} ${about}`;
}
