/**
 * The mutations `deno task mutants` applies (see scripts/mutants.ts): each
 * is one textual change that breaks one documented behaviour, and the tests
 * that must then fail. `search` must occur exactly once in `file`, so a
 * refactor that moves the code shows up as "stale" rather than as a pass.
 *
 * @module
 */

/** One mutation. */
export interface Mutation {
  /** Short and unique; `deno task mutants WORD` picks by substring. */
  name: string;
  /** Path from the project root. */
  file: string;
  search: string;
  replace: string;
  /** Test files to run (paths from the root). */
  tests: string[];
  /** `deno test --filter`, to run only the tests that name the behaviour. */
  filter?: string;
  /** The behaviour it breaks, as the docs state it. */
  why: string;
  /** Set when no test can tell (an equivalent mutant): why it survives. */
  survives?: string;
}

export const MUTATIONS: Mutation[] = [
  {
    name: "static-serves-dot-segments",
    file: "lib/http/static_files.ts",
    search: `if (parts.some((p) => p.startsWith("."))) return null;`,
    replace: ``,
    tests: ["tests/static_test.ts"],
    why:
      "neither .. nor dot-files (.env, .git/config) are served (issue 13: deleting both checks went unnoticed)",
  },
  {
    name: "static-follows-symlinks-out",
    file: "lib/http/static_files.ts",
    search: `if (!isBelow(await Deno.realPath(root), real)) return null;`,
    replace: ``,
    tests: ["tests/static_test.ts"],
    why: "a symlink to a file outside --static (passwd -> /etc/passwd) is 404",
  },
  {
    name: "deflate-on-by-default",
    file: "lib/options.ts",
    search: `const DEFLATE_DEFAULT = false;`,
    replace: `const DEFLATE_DEFAULT = true;`,
    tests: ["tests/native_deflate_flags_test.ts", "tests/cli_test.ts"],
    why: "permessage-deflate is off by default (README, docs/engines.md)",
  },
  {
    name: "connection-failed-disabled",
    file: "lib/core/connection.ts",
    search: `if (this._readyState === 3 || !this.#handler.error) return;`,
    replace: `return;`,
    tests: ["tests/handler_members_test.ts", "tests/connection_test.ts"],
    why: "a transport error reaches the handler's error(), then close()",
  },
  {
    name: "native-eof-is-no-error",
    file: "lib/engines/native/socket.ts",
    search:
      `if (err === null && !this.sentClose) err = new Error("Unexpected EOF");`,
    replace: ``,
    tests: ["tests/handler_members_test.ts"],
    why:
      "a peer that vanishes is an error() on both engines (docs/handlers.md)",
  },
  {
    name: "deno-headers-not-kept",
    file: "lib/engines/deno/engine.ts",
    search: `req.headers.getSetCookie();`,
    replace: ``,
    tests: ["tests/handler_members_test.ts"],
    why: "conn.headers and conn.origin stay readable after the upgrade on Deno",
  },
  {
    name: "run-throw-not-1011",
    file: "lib/core/connection.ts",
    search: `if (where !== "close" && where !== "error") {`,
    replace: `if (where !== "close" && where !== "error" && where !== "run") {`,
    tests: ["tests/handler_members_test.ts", "tests/connection_test.ts"],
    why: "a run() that throws closes its connection 1011",
  },
  {
    name: "run-and-message-both-called",
    file: "lib/core/connection.ts",
    search: `else if (this.#handler.message) {`,
    replace: `if (this.#handler.message) {`,
    tests: ["tests/handler_members_test.ts", "tests/connection_test.ts"],
    why: "with run(), messages go to the loop, not to message()",
  },
  {
    name: "conn-origin-wrong-header",
    file: "lib/core/connection_base.ts",
    search: `return this.headers.get("origin") ?? "";`,
    replace: `return this.headers.get("host") ?? "";`,
    tests: ["tests/handler_members_test.ts", "tests/connection_test.ts"],
    why: "conn.origin is the upgrade's Origin header, empty if none",
  },
  {
    name: "conn-extensions-dropped",
    file: "lib/engines/native/serve_conn.ts",
    search: `(conn as { extensions: string }).extensions = extensions;`,
    replace: ``,
    tests: ["tests/handler_members_test.ts"],
    why: "conn.extensions is the negotiated Sec-WebSocket-Extensions",
  },
  {
    name: "conn-id-not-unique",
    file: "lib/http/upgrade.ts",
    search: `id: ++nextId, // made a string only if read`,
    replace: `id: nextId, // made a string only if read`,
    tests: ["tests/handler_members_test.ts", "tests/connection_test.ts"],
    why: "conn.id is unique in the process and is the log lines' id=",
  },
  {
    name: "rejections-basic-auth-uncounted",
    file: "lib/app/app.ts",
    search:
      `if (denied && ops && isUpgradeAttempt(req)) metrics.rejected(401);`,
    replace: ``,
    tests: ["tests/ops_rejections_test.ts"],
    why: "a handshake refused 401 by --basic-auth is counted",
  },
  {
    name: "rejections-guard-uncounted",
    file: "lib/app/app.ts",
    search: `if (ops) metrics.rejected(slot.status);`,
    replace: ``,
    tests: ["tests/ops_rejections_test.ts"],
    why: "403 (--origin), 429 and 503 (connection caps) refusals are counted",
  },
  {
    name: "rejections-accept-uncounted",
    file: "lib/app/app.ts",
    search: `if (ops) metrics.rejected(result.status);`,
    replace: ``,
    tests: ["tests/ops_rejections_test.ts", "tests/ops_metrics_test.ts"],
    why: "refusals by accept() and the handshake checks are counted",
  },
  {
    name: "log-info-shown-at-warn",
    file: "lib/log.ts",
    search: `if (this.#rank <= 1) this.write("info", event, fields);`,
    replace: `if (this.#rank <= 2) this.write("info", event, fields);`,
    tests: ["tests/log_level_test.ts"],
    why: "--log-level warn hides info lines",
  },
  {
    name: "log-warn-shown-at-error",
    file: "lib/log.ts",
    search: `if (this.#rank <= 2) this.write("warn", event, fields);`,
    replace: `this.write("warn", event, fields);`,
    tests: ["tests/log_level_test.ts"],
    why: "--log-level error hides warn lines",
  },
  {
    name: "close-called-twice",
    file: "lib/core/connection.ts",
    search: `if (this._readyState === 3) return;`,
    replace: ``,
    tests: ["tests/connection_test.ts"],
    why: "close() runs exactly once per connection (Deno fires a second close)",
  },
  {
    name: "publish-reaches-sender",
    file: "lib/topics/topic_sets.ts",
    search:
      `for (const sub of set.list()) if (sub !== except) sub.deliver(msg);`,
    replace: `for (const sub of set.list()) sub.deliver(msg);`,
    tests: ["tests/topics_test.ts"],
    why: "conn.publish() reaches every subscriber except the sender",
  },
  {
    name: "broadcast-bus-duplicates",
    file: "lib/topics/bus_broadcast.ts",
    search: `sink(env.t, env.d);`,
    replace: `sink(env.t, env.d); sink(env.t, env.d);`,
    tests: ["tests/topics_parallel_test.ts"],
    why:
      "a message crosses deno serve --parallel workers exactly once (history entries are also deduplicated by offset)",
  },
  {
    name: "redis-own-messages-echoed",
    file: "lib/topics/bus_redis.ts",
    search: `else if (!own) this.#sink(topic, msg.data);`,
    replace: `else this.#sink(topic, msg.data);`,
    tests: ["tests/topics_redis_test.ts"],
    why:
      "a process's own publishes coming back from Redis are not delivered twice",
  },
  {
    name: "publish-local-goes-to-bus",
    file: "lib/topics/registry.ts",
    search: `if (!options.local) this.#bus?.publish(topic, data);`,
    replace: `this.#bus?.publish(topic, data);`,
    tests: ["tests/topics_redis_test.ts"],
    filter: "local",
    why: "publish(topic, data, { local: true }) stays in its process",
  },
  {
    name: "redis-publish-reorders",
    file: "lib/topics/bus_redis.ts",
    search:
      `const payload = Buffer.from(wire.buffer, wire.byteOffset, wire.byteLength);`,
    replace:
      `const payload = Buffer.from(wire.buffer, wire.byteOffset, wire.byteLength);
    if (Math.random() < 0.2) return void setTimeout(() => this.publish(topic, data), 1);`,
    tests: ["tests/topics_redis_test.ts"],
    filter: "order",
    why: "one publisher's messages reach other servers in the order sent",
  },
  {
    name: "local-delivery-reorders",
    file: "lib/core/connection_base.ts",
    search: `const size = msg.byteLength;`,
    replace:
      `if (Math.random() < 0.2) return void setTimeout(() => this.deliver(msg), 1);
    const size = msg.byteLength;`,
    tests: ["tests/topics_redis_test.ts"],
    filter: "order",
    why: "one publisher's messages reach local subscribers in the order sent",
  },
  {
    name: "send-limit-counts-frame-headers",
    file: "lib/app/app.ts",
    search: `sendBufferLimit: sendLimitOnWire(options.sendBufferLimit),`,
    replace: `sendBufferLimit: options.sendBufferLimit,`,
    tests: ["tests/limits_test.ts"],
    filter: "largest message",
    why:
      "a message of --max-message-size is echoed without closing 1013 (issue 13 §6: Autobahn 9.1.6, 9.2.6)",
  },
  {
    name: "send-limit-ignores-max-message-size",
    file: "lib/options.ts",
    search: `if (partial.sendBufferLimit === undefined) {`,
    replace: `if (false) {`,
    tests: ["tests/limits_test.ts", "tests/flow_control_test.ts"],
    why: "the default --send-buffer-limit is never below --max-message-size",
  },
  {
    name: "parser-accepts-unmasked",
    file: "lib/protocol/frame_rules.ts",
    search: `if (!(b1 & 0x80)) return "unmasked client frame";`,
    replace: ``,
    tests: ["tests/frame_fuzz_test.ts"],
    why: "an unmasked client frame is refused 1002 (RFC 6455 §5.1)",
  },
  {
    name: "parser-64-bit-length-off-by-one",
    file: "lib/protocol/frame_rules.ts",
    search: `return hi * 0x100000000 + lo;`,
    replace: `return hi * 0x100000000 + lo + 1;`,
    tests: ["tests/frame_fuzz_test.ts"],
    why: "a 64-bit payload length is read exactly (RFC 6455 §5.2)",
  },
  {
    name: "parser-64-bit-header-size-off-by-one",
    file: "lib/protocol/frame_header.ts",
    search: `const need = len === 126 ? 8 : len === 127 ? 14 : 6;`,
    replace: `const need = len === 126 ? 8 : len === 127 ? 13 : 6;`,
    tests: ["tests/frame_fuzz_test.ts"],
    why: "a header with a 64-bit length is 14 bytes with the mask",
  },
  {
    name: "parser-16-bit-length-off-by-one",
    file: "lib/protocol/frame_rules.ts",
    search: `if (len7 === 126) return (b[p] << 8) | b[p + 1];`,
    replace: `if (len7 === 126) return ((b[p] << 8) | b[p + 1]) - 1;`,
    tests: ["tests/frame_fuzz_test.ts"],
    why: "a 16-bit payload length is read exactly",
  },
  {
    name: "inflater-no-size-cap",
    file: "lib/protocol/deflate.ts",
    search: `if (this.#size > limit) return this.#fail(1009);`,
    replace: ``,
    tests: ["tests/frame_fuzz_test.ts"],
    why: "a compressed message is refused 1009 once it inflates past the cap",
  },
  {
    name: "parser-utf8-not-checked-across-fragments",
    file: "lib/protocol/message_parts.ts",
    search: `if (this.#utf8 === UTF8_REJECT) return false;`,
    replace: ``,
    tests: ["tests/frame_fuzz_test.ts"],
    why: "invalid UTF-8 in a fragmented text message fails 1007 at once",
  },
  {
    name: "log-lines-lost-at-exit",
    file: "lib/log_writer.ts",
    search: `globalThis.addEventListener("unload", flush);`,
    replace: ``,
    tests: ["tests/log_lines_test.ts"],
    why: "every batched log line is written when the process exits",
  },
  {
    name: "log-streams-out-of-order",
    file: "lib/log_writer.ts",
    search: `if (stream !== this.#stream && this.#text) {`,
    replace: `if (false) {`,
    tests: ["tests/log_writer_test.ts"],
    why: "stdout and stderr lines leave in the order they were logged",
  },
  {
    name: "bench-s4-without-close-reply",
    file: "bench/loadgen_modes.c",
    search: `g->need_close_reply = !g->c.any_close;`,
    replace: `g->need_close_reply = 0;`,
    tests: ["tests/bench_selfcheck_test.ts"],
    why: "s4 counts a handshake only once the server answered the close",
  },
  {
    name: "bench-noisy-rounds-per-cell",
    file: "bench/rounds.ts",
    search: `if (isNoisy(s)) noisy.add(s.round);`,
    replace: ``,
    tests: ["tests/bench_rounds_test.ts"],
    why: "a noisy round is dropped for every server of the row",
  },
  {
    name: "bench-default-config-quiet",
    file: "bench/servers.ts",
    search: `return (port) => [...start, "--port", String(port), ...extra];`,
    replace:
      `return (port) => [...start, "--port", String(port), ...extra, "--log-level", "error"];`,
    tests: ["tests/bench_rounds_test.ts"],
    why: "the default-config rows run deno task start exactly",
  },
];
