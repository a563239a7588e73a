/**
 * `/echo`: text→text, binary→binary; `Goodbye` is echoed, then closes 1000
 * with no reason — `88 02 03 e8` on the wire, byte for byte what
 * pywebsocket's `echo_wsh.py` sends when its transfer function returns.
 */
import { defineHandler } from "../lib/mod.ts";

export default defineHandler({
  message(conn, data) {
    conn.send(data);
    if (data === "Goodbye") conn.close(1000);
  },
});
