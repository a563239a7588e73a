/**
 * `/bench`: the text `"SEC COUNT MSG"` makes the server send MSG every SEC
 * seconds, COUNT times, then close 1000 — server push in its simplest form.
 */
import { defineHandler } from "../lib/mod.ts";

export default defineHandler<{ timer?: ReturnType<typeof setInterval> }>({
  accept() {
    return { state: {} };
  },
  message(conn, data) {
    const m = typeof data === "string" &&
      /^(\d+(?:\.\d+)?) (\d+) (.*)$/s.exec(data);
    if (!m || conn.state.timer !== undefined) {
      conn.send('error: expected "SEC COUNT MSG", e.g. "1 5 tick"');
      return;
    }
    const [sec, count, msg] = [Number(m[1]), Number(m[2]), m[3]];
    let sent = 0;
    const tick = () => {
      if (sent >= count) {
        clearInterval(conn.state.timer);
        conn.close(1000, "");
        return;
      }
      conn.send(msg);
      sent++;
    };
    conn.state.timer = setInterval(tick, Math.max(sec * 1000, 1));
    tick();
  },
  close(conn) {
    clearInterval(conn.state.timer);
  },
});
