/**
 * The operations endpoints: `GET /_health` (JSON) and `GET /_metrics`
 * (Prometheus text), optionally behind a bearer token. Handler files whose
 * name starts with `_` are never routes, so these paths cannot clash with a
 * handler.
 *
 * @module
 */
import { refuse } from "../http/refuse.ts";
import type { Metrics } from "./metrics.ts";
import { PROMETHEUS_CONTENT_TYPE } from "./exposition.ts";
import { VERSION } from "../version.ts";

/**
 * The health endpoint's path.
 *
 * @example
 * ```ts ignore
 * const health = await (await fetch(`http://localhost:9998${HEALTH_PATH}`)).json();
 * ```
 */
export const HEALTH_PATH = "/_health";
/**
 * The metrics endpoint's path.
 *
 * @example
 * ```ts ignore
 * const text = await (await fetch(`http://localhost:9998${METRICS_PATH}`)).text();
 * ```
 */
export const METRICS_PATH = "/_metrics";

/** The body of `GET /_health`. */
export interface Health {
  /** `ok`, or `stopping` (with status 503) once shutdown has begun. */
  status: "ok" | "stopping";
  /** Seconds since the app started. */
  uptime_s: number;
  /** WebSocket connections open now. */
  connections: number;
  /** The server's version. */
  version: string;
}

/**
 * Answers `/_health` and `/_metrics`.
 *
 * @example
 * ```ts
 * import { Metrics } from "./metrics.ts";
 * import { OpsEndpoints } from "./ops.ts";
 * import assert from "node:assert/strict";
 * const ops = new OpsEndpoints(new Metrics([]), () => 0, null);
 * const res = ops.handle(new Request("http://x/_health"), "/_health");
 * assert.equal(res?.status, 200);
 * ```
 */
export class OpsEndpoints {
  /** Set when shutdown begins: `/_health` then answers 503 `stopping`. */
  stopping = false;
  #metrics: Metrics;
  #connections: () => number;
  #token: Uint8Array | null;

  constructor(
    metrics: Metrics,
    connections: () => number,
    token: string | null,
  ) {
    this.#metrics = metrics;
    this.#connections = connections;
    this.#token = token ? new TextEncoder().encode(token) : null;
  }

  /** The response for an ops path, or `null` when `pathname` is not one. */
  handle(req: Request, pathname: string): Response | null {
    if (pathname !== HEALTH_PATH && pathname !== METRICS_PATH) return null;
    if (req.method !== "GET" && req.method !== "HEAD") {
      return refuse(405, `${pathname} answers GET and HEAD only`, {
        allow: "GET, HEAD",
      });
    }
    if (this.#token && !this.#authorized(req)) {
      return refuse(401, `${pathname} needs "Authorization: Bearer <token>"`, {
        "www-authenticate": 'Bearer realm="denosocket"',
      });
    }
    const head = req.method === "HEAD";
    if (pathname === HEALTH_PATH) {
      const health: Health = {
        status: this.stopping ? "stopping" : "ok",
        uptime_s: Math.round(this.#metrics.uptimeSeconds * 1000) / 1000,
        connections: this.#connections(),
        version: VERSION,
      };
      return new Response(head ? null : JSON.stringify(health) + "\n", {
        status: this.stopping ? 503 : 200,
        headers: {
          "content-type": "application/json; charset=utf-8",
          "cache-control": "no-store",
        },
      });
    }
    return new Response(head ? null : this.#metrics.render(), {
      headers: {
        "content-type": PROMETHEUS_CONTENT_TYPE,
        "cache-control": "no-store",
      },
    });
  }

  #authorized(req: Request): boolean {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(
      req.headers.get("authorization") ?? "",
    );
    return m !== null &&
      sameBytes(new TextEncoder().encode(m[1]), this.#token!);
  }
}

/**
 * `$DENOSOCKET_OPS_TOKEN`, or `null` when unset, empty or not readable (no
 * `--allow-env`): for entries without a command line, such as `serve.ts`.
 *
 * @example
 * ```ts
 * import { opsTokenFromEnv } from "./ops.ts";
 * const token = opsTokenFromEnv(); // null unless the variable is set
 * ```
 */
export function opsTokenFromEnv(): string | null {
  const name = "DENOSOCKET_OPS_TOKEN";
  const perm = Deno.permissions.querySync({ name: "env", variable: name });
  if (perm.state !== "granted") return null;
  return Deno.env.get(name) || null;
}

/** Compares in time that depends on the lengths only, not on where bytes differ. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
