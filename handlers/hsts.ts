/** `/hsts`: adds `Strict-Transport-Security` to the 101, sends `Hello`, closes 1000. */
import { defineHandler } from "../lib/mod.ts";

export default defineHandler({
  accept() {
    return { headers: { "strict-transport-security": "max-age=86400" } };
  },
  open(conn) {
    conn.send("Hello");
    conn.close(1000, "");
  },
});
