/** `/echo`: text→text, binary→binary; `Goodbye` is echoed, then closes 1000. */
import { defineHandler } from "../lib/mod.ts";

export default defineHandler({
  message(conn, data) {
    conn.send(data);
    if (data === "Goodbye") conn.close(1000, "Goodbye");
  },
});
