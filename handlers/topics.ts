/**
 * `/topics`: the `denosocket.topics.v1` protocol for any client — subscribe
 * (with resume), unsubscribe, publish — and the endpoint `/denosocket.js`
 * connects to (docs/topics.md, "The denosocket.topics.v1 protocol").
 *
 * The policy lives here, in the handler, so a deployment can change it:
 * `accept()` asks for `DENOSOCKET_TOPICS_TOKEN` when that variable is set
 * (`Authorization: Bearer TOKEN` or `?token=TOKEN`; wrong or missing → 401),
 * and topic names are 1-128 of `A-Z a-z 0-9 _ . : -`, each the topic
 * `topics:NAME`, so clients reach no other handler's topics (anything else
 * → `unknown_topic`). History follows `--history` (off by default).
 */
import {
  defineHandler,
  serveTopics,
  timingSafeEqual,
  TOPICS_PROTOCOL,
} from "../lib/mod.ts";

const NAME = /^[A-Za-z0-9_.:-]{1,128}$/;
const TOKEN_VAR = "DENOSOCKET_TOPICS_TOKEN";
const encoder = new TextEncoder();

/** The token clients must present, or `null` for an open endpoint. */
function requiredToken(): string | null {
  const query = { name: "env", variable: TOKEN_VAR } as const;
  if (Deno.permissions.querySync(query).state !== "granted") return null;
  return Deno.env.get(TOKEN_VAR) || null;
}

export default defineHandler({
  protocols: [TOPICS_PROTOCOL],
  accept(req) {
    const expected = requiredToken();
    if (expected === null) return;
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(
      req.headers.get("authorization") ?? "",
    );
    const given = bearer?.[1] ?? new URL(req.url).searchParams.get("token");
    if (
      given === null ||
      !timingSafeEqual(encoder.encode(given), encoder.encode(expected))
    ) {
      return new Response("/topics needs its token: Bearer or ?token=\n", {
        status: 401,
        headers: { "www-authenticate": 'Bearer realm="denosocket"' },
      });
    }
  },
  message(conn, data) {
    return serveTopics(conn, data, {
      topic: (name) => NAME.test(name) ? `topics:${name}` : null,
    });
  },
});
