/** `/subprotocol`: speaks `chat.v2` (preferred) or `chat`; says which, then echoes. */
import { defineHandler } from "../lib/mod.ts";

export default defineHandler({
  protocols: ["chat.v2", "chat"],
  open(conn) {
    conn.send(`protocol: ${conn.protocol || "(none)"}`);
  },
  message(conn, data) {
    conn.send(data);
  },
});
