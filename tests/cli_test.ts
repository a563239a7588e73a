import assert from "node:assert/strict";
import { parseCli } from "../lib/cli/parse_cli.ts";
import { runCli } from "./support/server.ts";
import { TestClient } from "./support/ws_client.ts";
import { waitFor } from "./support/wait.ts";
import { eachEngine, startEngine } from "./support/engines.ts";

Deno.test("parseCli() reads every flag and PORT", () => {
  const r = parseCli([
    "-p",
    "8080",
    "-H",
    "127.0.0.1",
    "--max-message-size",
    "64k",
    "--idle-timeout",
    "0",
    "--log-level",
    "warn",
    "--no-static",
  ], {});
  assert.equal(r.kind, "serve");
  if (r.kind !== "serve") return;
  assert.equal(r.options.port, 8080);
  assert.equal(r.options.hostname, "127.0.0.1");
  assert.equal(r.options.maxMessageSize, 65536);
  assert.equal(r.options.idleTimeout, 0);
  assert.equal(r.options.logLevel, "warn");
  assert.equal(r.options.staticDir, null);
  const env = parseCli([], { PORT: "7000" });
  assert.equal(env.kind === "serve" && env.options.port, 7000);
  const flagWins = parseCli(["--port", "7001"], { PORT: "7000" });
  assert.equal(flagWins.kind === "serve" && flagWins.options.port, 7001);
});

Deno.test("parseCli() gives a one-line error for each bad value", () => {
  for (
    const [args, msg] of [
      [["--port", "x"], /invalid port "x"/],
      [["--port", "70000"], /invalid port/],
      [["--max-message-size", "lots"], /invalid --max-message-size "lots"/],
      [["--idle-timeout", "-1"], /--idle-timeout needs a value/],
      [["--idle-timeout=-1"], /invalid --idle-timeout "-1"/],
      [["--log-level", "loud"], /invalid --log-level "loud"/],
      [["--engine", "v8"], /invalid --engine "v8"/],
      [["--bogus"], /bogus/],
      [["--static", "x", "--no-static"], /cannot be used together/],
    ] as const
  ) {
    const r = parseCli([...args], {});
    assert.equal(r.kind, "error", String(args));
    if (r.kind === "error") assert.match(r.message, msg);
  }
});

Deno.test("main.ts -h prints usage and a bad flag exits 2 with one line", async () => {
  const help = await runCli(["-h"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: deno task start/);
  assert.match(help.stdout, /--max-message-size/);
  const bad = await runCli(["--nope"]);
  assert.equal(bad.code, 2);
  assert.equal(
    bad.stderr,
    "error: unknown option --nope (--help lists every option)\n",
  );
  const version = await runCli(["-V"]);
  assert.match(version.stdout, /^denosocket \d+\.\d+\.\d+/);
});

Deno.test("main.ts --list-handlers prints the route table", async () => {
  const r = await runCli(["--list-handlers"]);
  assert.equal(r.code, 0);
  for (const path of ["/echo", "/close", "/rooms/:name", "/benchmark_helper"]) {
    assert.match(
      r.stdout,
      new RegExp(`^  ${path.replace("/", "\\/")}\\s`, "m"),
    );
  }
  assert.match(
    r.stdout,
    /\/subprotocol\s+handlers\/subprotocol\.ts\s+protocols: chat\.v2, chat/,
  );
});

eachEngine.test("SIGTERM closes every socket with 1001 and exits 0", async (engine) => {
  const server = await startEngine(engine);
  await waitFor(
    () => /\/echo\s+handlers\/echo\.ts/.test(server.output()),
    5000,
    "handler table",
  );
  const clients = await Promise.all(
    [1, 2, 3].map(() => TestClient.open(`${server.ws}/echo`)),
  );
  clients[0].send("ping");
  assert.equal(await clients[0].next(), "ping");
  const status = await server.stop("SIGTERM");
  for (const c of clients) {
    const closed = await c.closed;
    assert.equal(closed.code, 1001);
    assert.equal(closed.reason, "Server shutting down");
  }
  assert.equal(status.code, 0);
});

eachEngine.test("SIGINT shuts down the same way", async (engine) => {
  const server = await startEngine(engine);
  const c = await TestClient.open(`${server.ws}/echo`);
  const status = await server.stop("SIGINT");
  assert.equal((await c.closed).code, 1001);
  assert.equal(status.code, 0);
});

eachEngine.test("main.ts logs one line per connection opened and closed", async (engine) => {
  const server = await startEngine(engine);
  try {
    const c = await TestClient.open(`${server.ws}/echo`);
    c.send("abc");
    await c.next();
    await c.close(1000, "done");
    await new Promise((r) => setTimeout(r, 200));
    const out = server.output();
    assert.match(
      out,
      /INFO {2}open id=\w+ path=\/echo remote=127\.0\.0\.1:\d+/,
    );
    assert.match(
      out,
      /INFO {2}close id=\w+ path=\/echo remote=127\.0\.0\.1:\d+ code=1000 reason=done duration_ms=\d+ msgs_in=1 bytes_in=3 msgs_out=1 bytes_out=3/,
    );
  } finally {
    await server.stop();
  }
});

Deno.test("parseCli() ignores a leading -- (deno task start -- --port 1)", () => {
  const r = parseCli(["--", "--port", "1"], {});
  assert.equal(r.kind === "serve" && r.options.port, 1);
});
