import assert from "node:assert/strict";
import { jsonLine, Logger } from "../lib/log.ts";
import { startServer } from "./support/server.ts";
import { TestClient } from "./support/ws_client.ts";
import { eachEngine, startEngine } from "./support/engines.ts";

const CLOSE_FIELDS = [
  "ts",
  "level",
  "event",
  "id",
  "path",
  "remote",
  "protocol",
  "code",
  "reason",
  "duration_ms",
  "msgs_in",
  "bytes_in",
  "msgs_out",
  "bytes_out",
  "dropped",
];

/** Waits until `pred(lines)` holds, for up to 10 s. */
async function until(lines: string[], pred: (l: string[]) => boolean) {
  for (let i = 0; i < 400 && !pred(lines); i++) {
    await new Promise((r) => setTimeout(r, 25));
  }
}

eachEngine.test("--log-format json: every line parses and close carries every field", async (engine) => {
  const server = await startServer({
    engine,
    logFormat: "json",
    logLevel: "info",
  });
  try {
    const c = await TestClient.open(`${server.ws}/subprotocol`, ["chat"]);
    c.send("héllo");
    await c.next();
    await c.close(4000, "bye now");
    await until(server.logs, (l) => l.some((x) => x.includes('"close"')));
  } finally {
    await server.close();
  }
  const events = server.logs.map((line) => JSON.parse(line));
  const open = events.find((e) => e.event === "open");
  assert.equal(open.path, "/subprotocol");
  assert.equal(open.protocol, "chat");
  assert.match(open.remote, /^127\.0\.0\.1:\d+$/);
  const close = events.find((e) => e.event === "close");
  assert.deepEqual(Object.keys(close), CLOSE_FIELDS);
  assert.equal(close.level, "info");
  assert.ok(!Number.isNaN(Date.parse(close.ts)));
  assert.equal(close.code, 4000);
  assert.equal(close.reason, "bye now");
  assert.equal(close.protocol, "chat");
  assert.equal(typeof close.duration_ms, "number");
  assert.equal(close.msgs_in, 1);
  assert.equal(close.bytes_in, 6); // "héllo" is 6 UTF-8 bytes
  assert.equal(close.dropped, 0);
});

Deno.test("jsonLine() keeps empty strings, drops undefined, and protects ts/level/event", () => {
  const line = JSON.parse(
    jsonLine("warn", "x", {
      protocol: "",
      gone: undefined,
      event: "spoof",
      level: "spoof",
      n: NaN,
    }),
  );
  assert.deepEqual(Object.keys(line), [
    "ts",
    "level",
    "event",
    "protocol",
    "n",
  ]);
  assert.equal(line.event, "x");
  assert.equal(line.level, "warn");
  assert.equal(line.n, "NaN");
});

Deno.test("Logger text format stays key=value for people", () => {
  const lines: string[] = [];
  new Logger("info", (_l, line) => lines.push(line)).info("open", {
    path: "/echo",
    reason: "two words",
  });
  assert.match(lines[0], / INFO {2}open path=\/echo reason="two words"$/);
});

eachEngine.test("main.ts --log-format json prints only JSON lines, banner included", async (engine) => {
  const server = await startEngine(engine, ["--log-format", "json"]);
  const c = await TestClient.open(`${server.ws}/echo`);
  await c.close(1000);
  for (let i = 0; i < 400 && !server.output().includes('"close"'); i++) {
    await new Promise((r) => setTimeout(r, 25));
  }
  const status = await server.stop("SIGTERM");
  assert.equal(status.code, 0);
  const lines = server.output().trim().split("\n");
  const events = lines.map((l) => JSON.parse(l));
  const listening = events.find((e) => e.event === "listening");
  assert.equal(listening.url, `http://127.0.0.1:${server.port}/`);
  assert.match(listening.handlers, /\/echo/);
  assert.ok(events.some((e) => e.event === "close" && e.code === 1000));
  assert.ok(events.some((e) => e.event === "shutdown"));
});
