/**
 * Ctrl+C in a real terminal: `deno task start`, `deno task dev` and
 * `deno serve` run in a pty, a client connects, Ctrl+C is typed (SIGINT to
 * the whole foreground process group, `deno task` included), and the client
 * must get 1001 and the command exit 0 — every time. A second Ctrl+C a
 * second later still forces exit 1.
 */
import assert from "node:assert/strict";
import { type PtySession, startInPty } from "./support/pty.ts";
import { TestClient } from "./support/ws_client.ts";
import { rawOpen } from "./support/raw.ts";

const DENO = Deno.execPath();
// PORT=0: a free port, read from the banner; loopback only on a test machine.
const ENV = { PORT: "0", DENOSOCKET_HOST: "127.0.0.1" };
const BANNER = /[Ll]istening on https?:\/\/[^\s/]+:(\d+)\//;

async function listeningPort(term: PtySession): Promise<number> {
  return Number((await term.waitFor(BANNER))[1]);
}

/** An echo round trip, so the connection is really open at the handler. */
async function echoClient(port: number): Promise<TestClient> {
  const client = await TestClient.open(`ws://127.0.0.1:${port}/echo`);
  client.send("before Ctrl+C");
  assert.equal(await client.next(), "before Ctrl+C");
  return client;
}

async function portIsClosed(port: number): Promise<boolean> {
  try {
    (await Deno.connect({ hostname: "127.0.0.1", port })).close();
    return false;
  } catch {
    return true;
  }
}

/** One Ctrl+C with a client connected: 1001 for it, exit 0, nothing left. */
async function ctrlCOnce(cmd: string[], round: string): Promise<void> {
  const term = startInPty(cmd, ENV);
  try {
    const port = await listeningPort(term);
    const client = await echoClient(port);
    await term.ctrlC();
    const closed = await client.closed;
    const code = await term.exited;
    const out = term.output();
    assert.equal(
      closed.code,
      1001,
      `${round}: client got ${closed.code}\n${out}`,
    );
    assert.equal(code, 0, `${round}: exit ${code}\n${out}`);
    assert.doesNotMatch(out, /shutdown_forced/, round);
    assert.ok(await portIsClosed(port), `${round}: port ${port} still open`);
  } finally {
    await term.kill();
  }
}

Deno.test({
  name:
    "Ctrl+C in a terminal under `deno task start` closes the client with 1001 and exits 0, ten times in a row",
  async fn() {
    for (let i = 1; i <= 10; i++) {
      await ctrlCOnce([DENO, "task", "start"], `round ${i}`);
    }
  },
});

Deno.test({
  name:
    "Ctrl+C typed the moment the banner shows, no client yet, exits 0 under `deno task start`, ten times in a row",
  async fn() {
    for (let i = 1; i <= 10; i++) {
      const term = startInPty([DENO, "task", "start"], ENV);
      try {
        await listeningPort(term);
        await term.ctrlC();
        const code = await term.exited;
        assert.equal(code, 0, `round ${i}: exit ${code}\n${term.output()}`);
      } finally {
        await term.kill();
      }
    }
  },
});

Deno.test({
  name:
    "Ctrl+C in a terminal under `deno task dev` (watch mode) closes with 1001 and exits 0",
  async fn() {
    for (let i = 1; i <= 3; i++) {
      await ctrlCOnce([DENO, "task", "dev"], `round ${i}`);
    }
  },
});

Deno.test({
  name:
    "Ctrl+C in a terminal under `deno serve serve.ts` closes with 1001 and exits 0",
  async fn() {
    for (let i = 1; i <= 3; i++) {
      await ctrlCOnce([
        DENO,
        "serve",
        "--allow-net",
        "--allow-read",
        "--allow-env",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "serve.ts",
      ], `round ${i}`);
    }
  },
});

Deno.test({
  name:
    "a second Ctrl+C a second after the first forces `deno task start` to exit 1 (shutdown_forced)",
  async fn() {
    const term = startInPty([DENO, "task", "start"], ENV);
    try {
      const port = await listeningPort(term);
      // A raw client that never answers the close: the graceful shutdown
      // would wait out its 2.5 s grace for it.
      const { conn, response } = await rawOpen(port, "/echo", {
        Host: `127.0.0.1:${port}`,
      });
      assert.equal(response.status, 101);
      await term.ctrlC();
      await term.waitFor(/INFO +shutdown signal=SIGINT connections=1/);
      await new Promise((r) => setTimeout(r, 1200));
      await term.ctrlC();
      assert.equal(await term.exited, 1, term.output());
      assert.match(term.output(), /WARN +shutdown_forced signal=SIGINT/);
      conn.close();
    } finally {
      await term.kill();
    }
  },
});
