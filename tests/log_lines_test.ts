/**
 * The log of the configuration people run (`deno task start`: default flags,
 * a line per connection opened and closed) loses nothing although lines
 * are batched: every line is written, in order, at shutdown, at a second
 * signal's immediate exit, and when a handler crashes the process.
 * Real `main.ts` processes, real sockets, stdout and stderr read apart.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { SAME_KEYPRESS_MS } from "../lib/cli/shutdown_signals.ts";
import type { EngineName } from "../lib/options.ts";
import { eachEngine } from "./support/engines.ts";
import { rawOpen } from "./support/raw.ts";
import { startTask } from "../bench/servers.ts";
import { type Listening, spawnListening } from "./support/spawn.ts";
import { waitFor } from "./support/wait.ts";
import { TestClient } from "./support/ws_client.ts";

/** A `main.ts` started like `deno task start` (its output read apart). */
async function startMain(
  engine: EngineName,
  args: string[] = [],
): Promise<Listening> {
  const [deno, ...start] = await startTask();
  return await spawnListening(deno, [
    ...start,
    "--port",
    "0",
    "--host",
    "127.0.0.1",
    "--engine",
    engine,
    ...args,
  ], { listening: /listening on http:\/\/[^:]+:(\d+)\// });
}

interface Event {
  index: number;
  event: string;
  id: string;
  path: string;
  code?: number;
}

/** The open/close/shutdown lines of a text log, each a whole line. */
function events(stdout: string): Event[] {
  assert.ok(stdout.endsWith("\n"), "the log ends with a whole line");
  const out: Event[] = [];
  stdout.split("\n").forEach((line, index) => {
    const m = / INFO {2}(open|close|shutdown) (.*)$/.exec(line);
    if (!m) return;
    const f = Object.fromEntries(
      m[2].split(" ").map((kv) => kv.split("=") as [string, string]),
    );
    out.push({
      index,
      event: m[1],
      id: f.id,
      path: f.path,
      code: f.code ? Number(f.code) : undefined,
    });
  });
  return out;
}

eachEngine.test("deno task start logs every open and close, in order, the closes at SIGTERM included", async (engine) => {
  const server = await startMain(engine);
  const N = 200;
  const clients: TestClient[] = [];
  for (let i = 0; i < N; i += 50) {
    clients.push(
      ...await Promise.all(
        Array.from(
          { length: 50 },
          () => TestClient.open(`ws://127.0.0.1:${server.port}/echo`),
        ),
      ),
    );
  }
  const closedByClient = clients.slice(0, N / 2);
  await Promise.all(closedByClient.map((c) => c.close(1000)));
  // Everything so far is logged before the signal: the rest comes at exit.
  await waitFor(
    () => server.stdout().split(" INFO  close ").length - 1 === N / 2,
    10_000,
    "the client closes",
  );
  server.child.kill("SIGTERM");
  const closes = await Promise.all(clients.slice(N / 2).map((c) => c.closed));
  assert.ok(closes.every((c) => c.code === 1001), "shutdown closes with 1001");
  assert.equal((await server.finished).code, 0);

  const log = events(server.stdout());
  const opens = log.filter((e) => e.event === "open");
  const closesLogged = log.filter((e) => e.event === "close");
  assert.equal(opens.length, N);
  assert.equal(closesLogged.length, N);
  assert.equal(new Set(opens.map((e) => e.id)).size, N, "ids are unique");
  const openAt = new Map(opens.map((e) => [e.id, e.index]));
  for (const c of closesLogged) {
    assert.ok(openAt.get(c.id)! < c.index, `open ${c.id} before its close`);
    assert.equal(c.path, "/echo");
  }
  const shutdown = log.filter((e) => e.event === "shutdown");
  assert.equal(shutdown.length, 1);
  const byCode = (code: number) => closesLogged.filter((e) => e.code === code);
  assert.equal(byCode(1000).length, N / 2);
  assert.equal(byCode(1001).length, N / 2);
  for (const c of byCode(1001)) assert.ok(shutdown[0].index < c.index);
  for (const c of byCode(1000)) assert.ok(c.index < shutdown[0].index);
});

eachEngine.test("a second signal exits at once and still writes its shutdown_forced line", async (engine) => {
  const server = await startMain(engine);
  // A raw client that never answers the close keeps the shutdown waiting.
  const { conn, response } = await rawOpen(server.port, "/echo");
  try {
    assert.equal(response.status, 101);
    server.child.kill("SIGTERM");
    await waitFor(
      () => server.stdout().includes("INFO  shutdown"),
      10_000,
      "shutdown",
    );
    // Past the window in which a repeat is the same Ctrl+C (`deno task`
    // delivers one press twice), within the 2.5 s close grace.
    await new Promise((r) => setTimeout(r, SAME_KEYPRESS_MS + 300));
    server.child.kill("SIGTERM");
    assert.equal((await server.finished).code, 1);
    assert.match(server.stderr(), /WARN {2}shutdown_forced signal=SIGTERM\n/);
  } finally {
    conn.close();
  }
});

eachEngine.test("a handler that throws is logged, and one that crashes the process leaves its lines written", async (engine) => {
  const dir = await Deno.makeTempDir({ prefix: "denosocket-log-" });
  const mod = new URL("../lib/mod.ts", import.meta.url).href;
  const handler = (body: string) =>
    `import { defineHandler } from "${mod}";\nexport default defineHandler({ ${body} });\n`;
  await Deno.writeTextFile(
    join(dir, "throws.ts"),
    handler(`message() { throw new Error("boom in message"); }`),
  );
  // Escapes every catch: the process dies in the turn that logged `open`.
  await Deno.writeTextFile(
    join(dir, "crash.ts"),
    handler(
      `open() { queueMicrotask(() => { throw new Error("crash in open"); }); }`,
    ),
  );
  try {
    const server = await startMain(engine, ["--handlers", dir]);
    const c = await TestClient.open(`ws://127.0.0.1:${server.port}/throws`);
    c.send("x");
    assert.equal((await c.closed).code, 1011);
    await waitFor(
      () => server.stdout().includes("code=1011"),
      10_000,
      "the 1011 close",
    );
    const crash = new TestClient(`ws://127.0.0.1:${server.port}/crash`);
    assert.equal((await server.finished).code, 1);
    await crash.closed;

    const log = events(server.stdout());
    assert.deepEqual(
      log.map((e) => `${e.event} ${e.path} ${e.code ?? ""}`.trim()),
      ["open /throws", "close /throws 1011", "open /crash"],
    );
    assert.match(
      server.stderr(),
      /ERROR handler_error id=\w+ path=\/throws in=message error="Error: boom in message/,
    );
    assert.match(server.stderr(), /Uncaught Error: crash in open/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
