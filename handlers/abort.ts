/**
 * `/abort`: accepts, then drops the TCP connection with no close frame, as
 * pywebsocket's `abort` example does: the client sees 1006. For testing how
 * clients cope with a vanished server.
 */
import { defineHandler } from "../lib/mod.ts";

export default defineHandler({
  open(conn) {
    conn.abort();
  },
});
