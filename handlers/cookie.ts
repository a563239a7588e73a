/**
 * `/cookie`: `?set` adds `Set-Cookie: foo=bar; Max-Age=86400` to the 101,
 * `?set_httponly` an HttpOnly one, `?clear` expires both; then closes 1000.
 */
import { defineHandler } from "../lib/mod.ts";

export default defineHandler({
  accept(req) {
    const q = new URL(req.url).searchParams;
    const headers = new Headers();
    if (q.has("set")) headers.append("set-cookie", "foo=bar; Max-Age=86400");
    if (q.has("set_httponly")) {
      headers.append("set-cookie", "foo_httponly=bar; Max-Age=86400; HttpOnly");
    }
    if (q.has("clear")) {
      headers.append("set-cookie", "foo=; Max-Age=0");
      headers.append("set-cookie", "foo_httponly=; Max-Age=0; HttpOnly");
    }
    return { headers };
  },
  open(conn) {
    conn.close(1000, "");
  },
});
