/**
 * `/private`: token auth in `accept()`. The token is read from the
 * `DENOSOCKET_PRIVATE_TOKEN` environment variable (Deno needs `--allow-env`,
 * which `deno task start` grants). Clients present it as
 * `Authorization: Bearer TOKEN` or, from a browser (which cannot set headers
 * on a WebSocket), as `?token=TOKEN`. Unset variable → 503; missing or wrong
 * token → 401. Then echoes.
 */
import { defineHandler, timingSafeEqual } from "../lib/mod.ts";

const VAR = "DENOSOCKET_PRIVATE_TOKEN";
const encoder = new TextEncoder();

function configuredToken(): string | Response {
  let token: string | undefined;
  try {
    token = Deno.env.get(VAR);
  } catch {
    return refusal(503, `/private is disabled: run Deno with --allow-env`);
  }
  if (!token) return refusal(503, `/private is disabled: ${VAR} is not set`);
  return token;
}

function refusal(status: number, text: string): Response {
  const headers: Record<string, string> = {
    "content-type": "text/plain; charset=utf-8",
  };
  if (status === 401) headers["www-authenticate"] = 'Bearer realm="denosocket"';
  return new Response(text + "\n", { status, headers });
}

export default defineHandler({
  accept(req) {
    const expected = configuredToken();
    if (expected instanceof Response) return expected;
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(
      req.headers.get("authorization") ?? "",
    );
    const given = bearer?.[1] ?? new URL(req.url).searchParams.get("token");
    if (given === null) {
      return refusal(401, "token required: Authorization: Bearer or ?token=");
    }
    if (!timingSafeEqual(encoder.encode(given), encoder.encode(expected))) {
      return refusal(401, "wrong token");
    }
  },
  message(conn, data) {
    conn.send(data);
  },
});
