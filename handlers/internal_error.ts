/** `/internal_error`: accepts, then fails, so the server closes with 1011. */
import { defineHandler } from "../lib/mod.ts";

export default defineHandler({
  open() {
    throw new Error("internal_error handler: failing on purpose");
  },
});
