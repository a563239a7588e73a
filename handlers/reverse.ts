/** `/reverse`: sequential style — reads messages in a loop, sends text reversed. */
import { defineHandler } from "../lib/mod.ts";

export default defineHandler({
  async run(conn) {
    for await (const data of conn) {
      if (typeof data !== "string") continue;
      if (data === "") break; // An empty message ends the session: close 1000.
      conn.send([...data].reverse().join(""));
    }
  },
});
