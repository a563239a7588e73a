import assert from "node:assert/strict";
import { parseCli } from "../lib/cli/parse_cli.ts";
import { withDefaults } from "../lib/options.ts";
import { Connection, type Transport } from "../lib/core/connection.ts";
import {
  RateLimiter,
  SLOW_CONSUMER_DROP_MS,
} from "../lib/core/flow_control.ts";
import { defineHandler } from "../lib/mod.ts";

/** A transport whose buffer the test fills by hand. */
function fakeTransport() {
  const log: string[] = [];
  const t: Transport & { buffered: number } = {
    buffered: 0,
    send(data) {
      this.buffered += typeof data === "string" ? data.length : data.byteLength;
    },
    close(code, reason) {
      log.push(`close ${code} ${reason}`);
    },
    get bufferedAmount() {
      return this.buffered;
    },
    abort() {
      log.push("abort");
    },
  };
  return { t, log };
}

function connection(seen: string[]) {
  return new Connection<unknown>({
    id: "t",
    handler: defineHandler({
      message() {},
      close(_c, code, reason) {
        seen.push(`handler close ${code} ${reason}`);
      },
    }),
    url: new URL("ws://x/t"),
    params: {},
    headers: new Headers(),
    remoteAddr: { hostname: "127.0.0.1", port: 1 },
    protocol: "",
    state: undefined,
    settings: {
      maxMessageSize: 1000,
      sendHighWater: 100,
      sendBufferLimit: 1000,
    },
  });
}

Deno.test("overSendLimit() closes 1013 past --send-buffer-limit, then aborts a peer that never answers", async () => {
  const { t, log } = fakeTransport();
  const seen: string[] = [];
  const conn = connection(seen);
  conn.attach(t);
  conn.opened();
  assert.equal(conn.send(new Uint8Array(50)), true);
  assert.equal(conn.send(new Uint8Array(500)), false); // over high water
  assert.equal(conn.overSendLimit(400), false); // 550 + 400 fits
  assert.equal(conn.overSendLimit(451), true); // 550 + 451 does not
  // Closing is deferred by neither the connection nor the fake transport.
  assert.deepEqual(log, ["close 1013 slow consumer"]);
  assert.equal(conn.readyState, 2);
  assert.equal(conn.send("more"), false);
  assert.equal(conn.overSendLimit(), true); // closing: skip it
  await new Promise((r) => setTimeout(r, SLOW_CONSUMER_DROP_MS + 200));
  assert.deepEqual(log, ["close 1013 slow consumer", "abort"]);
  assert.deepEqual(seen, [
    "handler close 1006 dropped: no close handshake after 1013",
  ]);
  conn.closed(1005, ""); // the engine's late close event is not repeated
  assert.equal(seen.length, 1);
});

Deno.test("a send() that crosses --send-buffer-limit closes 1013 and returns false", () => {
  const { t, log } = fakeTransport();
  const conn = connection([]);
  conn.attach(t);
  conn.opened();
  assert.equal(conn.send(new Uint8Array(1001)), false);
  assert.deepEqual(log, ["close 1013 slow consumer"]);
  conn.closed(1013, "slow consumer"); // clears the drop timer
});

Deno.test("RateLimiter allows a burst of perSecond, then refills over time", async () => {
  const r = new RateLimiter(20);
  for (let i = 0; i < 20; i++) assert.equal(r.take(), true);
  assert.equal(r.take(), false);
  await new Promise((res) => setTimeout(res, 250)); // ≥ 5 tokens back
  assert.equal(r.take(), true);
});

Deno.test("parseCli() reads the limit flags and rejects bad values", () => {
  const r = parseCli([
    "--max-connections",
    "50",
    "--max-connections-per-ip",
    "4",
    "--max-messages-per-second",
    "100",
    "--send-buffer-limit",
    "8MiB",
    "--max-message-size",
    "8MiB",
  ], {});
  assert.equal(r.kind, "serve");
  if (r.kind === "serve") {
    assert.equal(r.options.maxConnections, 50);
    assert.equal(r.options.maxConnectionsPerIp, 4);
    assert.equal(r.options.maxMessagesPerSecond, 100);
    assert.equal(r.options.sendBufferLimit, 8 * 1024 * 1024);
  }
  for (
    const [args, msg] of [
      [["--max-connections=-1"], /whole number/],
      [["--max-messages-per-second", "fast"], /whole number/],
      [["--send-buffer-limit", "lots"], /size like/],
      [["--send-buffer-limit", "64k"], /must not be below --send-high-water/],
      [
        ["--send-buffer-limit", "4MiB"],
        /--send-buffer-limit \(4194304\) must not be below --max-message-size \(16777216\)/,
      ],
      [["--basic-auth", "nopassword"], /USER:PASS or @FILE/],
    ] as const
  ) {
    const bad = parseCli([...args], {});
    assert.equal(bad.kind, "error", args.join(" "));
    if (bad.kind === "error") assert.match(bad.message, msg);
  }
});

Deno.test("--send-buffer-limit follows a larger --max-message-size unless given", () => {
  const follows = parseCli(["--max-message-size", "32MiB"], {});
  assert.equal(
    follows.kind === "serve" && follows.options.sendBufferLimit,
    32 * 1024 * 1024,
  );
  const kept = parseCli(["--max-message-size", "1MiB"], {});
  assert.equal(
    kept.kind === "serve" && kept.options.sendBufferLimit,
    16 * 1024 * 1024,
  );
  assert.equal(
    withDefaults({ maxMessageSize: 32 * 1024 * 1024 }).sendBufferLimit,
    32 * 1024 * 1024,
  );
  assert.equal(withDefaults({ sendBufferLimit: 1000 }).sendBufferLimit, 1000);
});
