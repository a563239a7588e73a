import { deepStrictEqual } from "node:assert/strict";
import { requestPathname } from "../lib/http/request_path.ts";

Deno.test("requestPathname() agrees with new URL().pathname", () => {
  const hrefs = [
    "http://127.0.0.1:9/echo",
    "http://x/chat/room-1?a=b/../c",
    "https://[::1]:8/p_q-r/",
    "http://x//y",
    "http://x",
    "http://x/a?",
    // Fall back to URL: dot segments, escapes, backslashes, non-ASCII.
    "http://x/a/../b",
    "http://x/%2e%2e/b",
    "http://x/a b",
    "http://x/a\\b",
    "http://x/ä",
    "http://x/a#f",
  ];
  deepStrictEqual(
    hrefs.map(requestPathname),
    hrefs.map((h) => new URL(h).pathname),
  );
});
