/**
 * `/benchmark_helper`, for the benchmark page:
 * - `receive N` → N bytes of `a` as one binary message;
 * - `send 1` or `send 0` → from then on each binary message is answered with
 *   its size as text; with 1 it is first checked to be all `a`.
 */
import { defineHandler } from "../lib/mod.ts";

/** Largest `receive N` served, so a page cannot make us allocate without bound. */
const MAX_RECEIVE = 64 * 1024 * 1024;
const A = 0x61;

export default defineHandler<{ verify: boolean | null }>({
  accept() {
    return { state: { verify: null } };
  },
  message(conn, data) {
    if (typeof data === "string") {
      const receive = /^receive (\d+)$/.exec(data);
      const send = /^send ([01])$/.exec(data);
      if (receive && Number(receive[1]) <= MAX_RECEIVE) {
        conn.send(new Uint8Array(Number(receive[1])).fill(A));
      } else if (send) {
        conn.state.verify = send[1] === "1";
      } else {
        conn.send(
          `error: expected "receive N" (N ≤ ${MAX_RECEIVE}) or "send 0|1"`,
        );
      }
      return;
    }
    if (conn.state.verify === null) {
      conn.send('error: send "send 0" or "send 1" before binary data');
      return;
    }
    if (conn.state.verify && !data.every((b) => b === A)) {
      conn.send("error: payload is not all 'a'");
      return;
    }
    conn.send(String(data.byteLength));
  },
});
