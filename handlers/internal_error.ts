/**
 * `/internal_error`: accepts, then fails, so the server closes with 1011 and
 * no reason (`88 02 03 f3`, as pywebsocket's `internal_error_wsh.py`).
 */
import { defineHandler } from "../lib/mod.ts";

export default defineHandler({
  open() {
    throw new Error("internal_error handler: failing on purpose");
  },
});
