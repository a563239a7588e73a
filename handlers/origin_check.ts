/** `/origin_check`: 403 unless `Origin: http://example.com`; then echoes. */
import { defineHandler } from "../lib/mod.ts";

const ALLOWED = "http://example.com";

export default defineHandler({
  accept(req) {
    const origin = req.headers.get("origin");
    if (origin !== ALLOWED) {
      return new Response(`origin ${origin ?? "(none)"} is not allowed\n`, {
        status: 403,
      });
    }
  },
  message(conn, data) {
    conn.send(data);
  },
});
