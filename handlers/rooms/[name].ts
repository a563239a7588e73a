/** `/rooms/:name`: greets with the room's name from the path, then echoes. */
import { defineHandler } from "../../lib/mod.ts";

export default defineHandler({
  open(conn) {
    conn.send(`room ${conn.params.name}`);
  },
  message(conn, data) {
    conn.send(data);
  },
});
