/**
 * Program endpoints, start to end: the stop sequence when the client leaves
 * (stdin closed, SIGINT, SIGTERM, SIGKILL), the process tree reaped, the
 * fork limit, spawn failures, stderr, the log lines and `/_metrics`. Real
 * programs and sockets on both engines.
 */
import assert from "node:assert/strict";
import { eachEngine } from "./support/engines.ts";
import {
  alive,
  FIXTURES,
  gone,
  marker,
  markerDir,
  programServer,
  routesOf,
  untilClosed,
} from "./support/programs.ts";
import { rawUpgrade, upgradeHeaders } from "./support/raw.ts";
import { promtoolCheck, scrapeUntil } from "./support/prom.ts";
import { TestClient } from "./support/ws_client.ts";
import { waitFor } from "./support/wait.ts";
import { programHandler } from "../lib/mod.ts";

eachEngine.test("a program ignoring SIGINT and SIGTERM gets both, in order, then SIGKILL", async (engine) => {
  const dir = await markerDir();
  const server = await programServer(
    engine,
    await routesOf([FIXTURES], { env: { MARKER_DIR: dir } }),
  );
  try {
    const client = await TestClient.open(`${server.ws}/stubborn.sh`);
    const pid = Number(String(await client.next()).split(" ")[1]);
    assert.ok(alive(pid));
    const closedAt = performance.now();
    await client.close(1000);
    // Gone and reaped: no zombie left behind.
    await waitFor(() => gone(pid), 5000, "the program is gone");
    // websocketd's spacing: 100 ms after stdin closes, then 250 and 500 ms.
    assert.ok(performance.now() - closedAt >= 800, "SIGKILL came early");
    assert.equal(marker(dir, "signals"), "INT\nTERM\n");
    await waitFor(
      () => server.logs.some((l) => /program_exit .*status=SIGKILL/.test(l)),
      2000,
      "the exit line",
    );
    const exit = server.logs.find((l) => l.includes("program_exit"))!;
    assert.match(exit, new RegExp(`pid=${pid} status=SIGKILL ended=SIGKILL`));
    assert.match(exit, /runtime_ms=\d+/);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

eachEngine.test("a child the program forked dies with it: the process group is reaped", async (engine) => {
  const dir = await markerDir();
  const server = await programServer(
    engine,
    await routesOf([FIXTURES], { env: { MARKER_DIR: dir } }),
  );
  try {
    const client = await TestClient.open(`${server.ws}/forker.sh`);
    const child = Number(String(await client.next()).split(" ")[1]);
    assert.equal(Number(marker(dir, "child")), child);
    assert.ok(alive(child));
    await client.close(1000);
    await waitFor(() => !alive(child), 5000, "the forked child is gone");
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

eachEngine.test("--max-forks: an upgrade beyond it gets 503 with Retry-After, and a place frees when a program ends", async (engine) => {
  const server = await programServer(engine, await routesOf([FIXTURES]), {
    maxForks: 1,
  });
  try {
    const first = await TestClient.open(`${server.ws}/cat.sh`);
    const refused = await rawUpgrade(server.port, "/cat.sh", upgradeHeaders());
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get("retry-after"), "5");
    assert.match(
      refused.body,
      /1 programs are running, the server's limit \(--max-forks\)/,
    );
    await first.close(1000);
    // cat ends when its stdin closes; then the place is free again.
    await waitFor(
      () => server.logs.some((l) => l.includes("program_exit")),
      5000,
    );
    const again = await TestClient.open(`${server.ws}/cat.sh`);
    again.send("back");
    assert.equal(await again.next(), "back");
    await again.close(1000);
    const metrics = await scrapeUntil(server.http, () => true);
    assert.equal(
      metrics.get('denosocket_program_forks_refused_total{handler="/cat.sh"}'),
      1,
    );
  } finally {
    await server.close();
  }
});

eachEngine.test("a program that cannot start closes 1011 and is counted", async (engine) => {
  const routes = [{
    pattern: "/missing",
    handler: programHandler(["/nonexistent/program"]),
    file: "test",
  }];
  const server = await programServer(engine, routes);
  try {
    const client = new TestClient(`${server.ws}/missing`);
    const close = await client.closed;
    assert.equal(close.code, 1011);
    assert.match(close.reason, /^cannot start the program: /);
    const metrics = await scrapeUntil(server.http, () => true);
    assert.equal(
      metrics.get(
        'denosocket_program_spawn_failures_total{handler="/missing"}',
      ),
      1,
    );
    assert.ok(server.logs.some((l) => l.includes("program_spawn_failed")));
  } finally {
    await server.close();
  }
});

eachEngine.test("stderr lines go to the log with the connection id, not to the client", async (engine) => {
  const server = await programServer(engine, await routesOf([FIXTURES]));
  try {
    const client = await TestClient.open(`${server.ws}/stderr.sh`);
    assert.equal(await client.next(), "out line");
    await waitFor(
      () => server.logs.some((l) => l.includes("program_stderr")),
      3000,
    );
    const open = server.logs.find((l) => /\bopen id=/.test(l))!;
    const id = /id=(\S+)/.exec(open)![1];
    const line = server.logs.find((l) => l.includes("program_stderr"))!;
    assert.match(
      line,
      new RegExp(`id=${id} path=/stderr.sh pid=\\d+ line="err line"`),
    );
    client.send("done");
    const close = await client.closed;
    assert.equal(close.code, 1000);
    assert.equal(await client.next(50).catch(() => null), null);
  } finally {
    await server.close();
  }
});

eachEngine.test("passStderr: stdout and stderr lines reach the client as websocketd's JSON", async (engine) => {
  const server = await programServer(
    engine,
    await routesOf([FIXTURES], { passStderr: true }),
  );
  try {
    const client = await TestClient.open(`${server.ws}/stderr.sh`);
    // Two pipes: their lines may arrive in either order.
    const got = [await client.next(), await client.next()].map((m) =>
      JSON.parse(String(m))
    ).sort((a, b) => a.stream < b.stream ? -1 : 1);
    assert.deepEqual(got, [
      { stream: "stderr", data: "err line" },
      { stream: "stdout", data: "out line" },
    ]);
    await client.close(1000);
  } finally {
    await server.close();
  }
});

eachEngine.test("/_metrics counts program processes by endpoint and exit status, and promtool accepts it", async (engine) => {
  const server = await programServer(engine, await routesOf([FIXTURES]));
  try {
    for (const path of ["exit3.sh", "exit3.sh", "killed.sh"]) {
      await (new TestClient(`${server.ws}/${path}`)).closed;
    }
    const live = await TestClient.open(`${server.ws}/cat.sh`);
    live.send("x");
    await live.next();
    const m = await scrapeUntil(
      server.http,
      (s) =>
        s.get(
            'denosocket_program_exits_total{handler="/killed.sh",status="SIGSEGV"}',
          ) === 1 &&
        s.get(
            'denosocket_program_exits_total{handler="/exit3.sh",status="3"}',
          ) === 2,
    );
    assert.equal(
      m.get('denosocket_program_processes_running{handler="/cat.sh"}'),
      1,
    );
    assert.equal(
      m.get('denosocket_program_processes_started_total{handler="/exit3.sh"}'),
      2,
    );
    assert.equal(
      m.get('denosocket_program_exits_total{handler="/exit3.sh",status="3"}'),
      2,
    );
    assert.equal(
      m.get(
        'denosocket_program_exits_total{handler="/killed.sh",status="SIGSEGV"}',
      ),
      1,
    );
    const text = await (await fetch(`${server.http}/_metrics`)).text();
    const check = await promtoolCheck(text);
    assert.ok(check.ok, check.output);
    await live.close(1000);
  } finally {
    await server.close();
  }
});

eachEngine.test("programHandler: route parameters and accept() state reach the program; a refusal stays a refusal", async (engine) => {
  const handler = programHandler(["/usr/bin/env"], {
    accept(req) {
      const token = new URL(req.url).searchParams.get("token");
      if (token !== "s3cret") return new Response("no\n", { status: 401 });
      return { state: { user: "ann", level: 2, tags: ["a", "b"] } };
    },
  });
  const routes = [{ pattern: "/rooms/:name", handler, file: "test" }];
  const server = await programServer(engine, routes);
  try {
    const refused = await rawUpgrade(server.port, "/rooms/x", upgradeHeaders());
    assert.equal(refused.status, 401);
    const client = await TestClient.open(
      `${server.ws}/rooms/lobby?token=s3cret`,
    );
    const { messages, close } = await untilClosed(client);
    const lines = messages.map(String);
    assert.ok(lines.includes("PARAM_NAME=lobby"), lines.join("\n"));
    assert.ok(lines.includes("STATE_USER=ann"));
    assert.ok(lines.includes("STATE_LEVEL=2"));
    assert.ok(lines.includes('STATE_TAGS=["a","b"]'));
    assert.ok(lines.includes("SCRIPT_NAME=/rooms/lobby"));
    assert.equal(close.code, 1000);
  } finally {
    await server.close();
  }
});
