/**
 * Checks of an upgrade request (RFC 6455 §4.2.1) and subprotocol choice.
 * Every refusal is a specific status with a one-line reason.
 *
 * @module
 */
import { refuse } from "./refuse.ts";

/**
 * True when the request is trying to open a WebSocket (as opposed to a plain
 * page load), even a broken attempt.
 *
 * @example
 * ```ts
 * import { isUpgradeAttempt } from "./handshake.ts";
 * import assert from "node:assert/strict";
 * const headers = { upgrade: "websocket" };
 * assert.equal(isUpgradeAttempt(new Request("http://x/", { headers })), true);
 * ```
 */
export function isUpgradeAttempt(req: Request): boolean {
  const h = req.headers;
  return hasToken(h.get("upgrade"), "websocket") ||
    h.has("sec-websocket-key") || h.has("sec-websocket-version");
}

/**
 * Returns a refusal for an invalid upgrade request, or `null` when it is
 * valid. `href` is `req.url` when the caller has read it already.
 *
 * @example
 * ```ts
 * import { checkUpgrade } from "./handshake.ts";
 * import assert from "node:assert/strict";
 * const res = checkUpgrade(new Request("http://x/echo", { method: "POST" }));
 * assert.equal(res?.status, 405);
 * ```
 */
export function checkUpgrade(
  req: Request,
  href: string = req.url,
): Response | null {
  const h = req.headers;
  if (req.method !== "GET") {
    return refuse(405, `WebSocket upgrade needs GET, not ${req.method}`, {
      allow: "GET",
    });
  }
  // RFC 6455 §3: fragment identifiers MUST NOT be used in WebSocket URIs
  // (browsers strip them; a raw client that sends one gets told).
  if (href.includes("#")) {
    return refuse(400, "a WebSocket URL has no fragment: remove the #...");
  }
  if (!hasToken(h.get("upgrade"), "websocket")) {
    return refuse(400, "missing header Upgrade: websocket");
  }
  if (!hasToken(h.get("connection"), "upgrade")) {
    return refuse(400, "missing header Connection: Upgrade");
  }
  const version = h.get("sec-websocket-version");
  if (version === null) {
    return refuse(400, "missing header Sec-WebSocket-Version", {
      "sec-websocket-version": "13",
    });
  }
  if (version.trim() !== "13") {
    return refuse(
      426,
      `unsupported Sec-WebSocket-Version ${
        version.slice(0, 20)
      }; this server speaks 13`,
      { "sec-websocket-version": "13" },
    );
  }
  const key = h.get("sec-websocket-key");
  if (key === null) return refuse(400, "missing header Sec-WebSocket-Key");
  if (!isValidKey(key.trim())) {
    return refuse(
      400,
      "invalid Sec-WebSocket-Key: must be base64 of 16 bytes",
    );
  }
  return null;
}

/** Splits a `Sec-WebSocket-Protocol` offer on commas, trimming each entry. */
export function parseProtocols(header: string | null): string[] {
  if (!header) return [];
  return header.split(",").map((p) => p.trim()).filter((p) => p !== "");
}

/**
 * Picks the handler's most preferred subprotocol among those offered.
 * Returns `""` when none was offered, or a 400 when some were offered and
 * none is supported.
 *
 * @example
 * ```ts
 * import { chooseProtocol } from "./handshake.ts";
 * import assert from "node:assert/strict";
 * // The client offers b, a; the handler prefers a: the handler's order wins.
 * assert.equal(chooseProtocol(["b", "a"], ["a", "b"]), "a");
 * ```
 */
export function chooseProtocol(
  offered: string[],
  supported: readonly string[] | undefined,
): string | Response {
  if (offered.length === 0) return "";
  for (const p of supported ?? []) {
    if (offered.includes(p)) return p;
  }
  const ours = supported?.length ? supported.join(", ") : "(none)";
  return refuse(
    400,
    `no supported subprotocol: offered ${
      offered.join(", ")
    }; this endpoint speaks ${ours}`,
  );
}

function hasToken(value: string | null, token: string): boolean {
  if (!value) return false;
  const v = value.toLowerCase();
  // The usual header is the token alone: no split, no closure.
  if (v === token) return true;
  if (!v.includes(token)) return false;
  return v.split(",").some((t) => t.trim() === token);
}

function isValidKey(key: string): boolean {
  // Base64 of exactly 16 bytes: 21 free characters, then one that carries
  // only 2 bits (its low 4 bits must be 0: A, Q, g or w), then "==".
  return /^[A-Za-z0-9+/]{21}[AQgw]==$/.test(key);
}
