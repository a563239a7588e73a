/**
 * `/close`: the text `"CODE REASON"` makes the server close with that code and
 * reason. A client's close is answered with the client's own code and reason
 * (both engines echo it).
 */
import { defineHandler } from "../lib/mod.ts";

export default defineHandler({
  message(conn, data) {
    if (typeof data !== "string") return;
    const m = /^(\d+)(?: (.*))?$/s.exec(data);
    if (!m) {
      conn.send(
        `error: expected "CODE REASON", got ${
          JSON.stringify(data.slice(0, 40))
        }`,
      );
      return;
    }
    try {
      conn.close(Number(m[1]), m[2] ?? "");
    } catch (err) {
      conn.send(`error: ${(err as Error).message}`);
    }
  },
});
