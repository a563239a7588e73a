/**
 * Topics across the workers of `deno serve --parallel` (DENO_JOBS=2) with
 * `DENOSOCKET_BUS=broadcast`: a real `deno serve` process and real clients.
 */
import assert from "node:assert/strict";
import { spawnDenoServe } from "./support/server.ts";
import { V1Client } from "./support/topics_client.ts";
import { TestClient } from "./support/ws_client.ts";

/**
 * Starts `deno serve --parallel serve.ts` (2 workers) and waits until it
 * listens; the chat's history goes to a Deno KV file in `dir`.
 */
async function startParallel(env: Record<string, string>, dir: string) {
  const server = await spawnDenoServe(["--parallel", "--allow-write"], {
    DENO_JOBS: "2",
    DENOSOCKET_KV_PATH: `${dir}/topics.kv`,
    ...env,
  });
  // Each worker loads serve.ts on its own; give the second one a moment.
  await new Promise((r) => setTimeout(r, 500));
  return server;
}

interface Chat {
  type: string;
  from: string;
  text: string;
  server?: string;
}

async function until(c: V1Client, pred: (m: Chat) => boolean): Promise<Chat> {
  for (let i = 0; i < 500; i++) {
    const f = await c.next(10_000);
    if (f.type === "message" && pred(f.data)) return f.data;
  }
  throw new Error("no matching message");
}

async function chatter(port: number, room: string, name: string) {
  const c = await V1Client.open(
    `ws://127.0.0.1:${port}/chat/${room}?name=${name}`,
  );
  c.send({ type: "subscribe", topic: room, last: 50 });
  return c;
}

Deno.test("broadcast bus: a message published on one worker reaches subscribers on the other", async () => {
  const dir = await Deno.makeTempDir({ prefix: "denosocket-par-" });
  const server = await startParallel({ DENOSOCKET_BUS: "broadcast" }, dir);
  const clients: { c: V1Client; name: string; server: string }[] = [];
  try {
    const room = `p${crypto.randomUUID().slice(0, 6)}`;
    // Connections spread unevenly over workers: open until two hold some.
    for (let i = 0; i < 60; i++) {
      const name = `u${i}`;
      const c = await chatter(server.port, room, name);
      const join = await until(c, (m) => m.type === "join" && m.from === name);
      clients.push({ c, name, server: join.server! });
      if (new Set(clients.map((x) => x.server)).size >= 2 && i >= 3) break;
    }
    const workers = [...new Set(clients.map((x) => x.server))];
    assert.equal(workers.length, 2, "clients landed on two workers");
    const speaker = clients.find((x) => x.server === workers[0])!;
    speaker.c.send({ type: "publish", topic: room, data: "across workers" });
    speaker.c.send({ type: "publish", topic: room, data: "end" });
    // Exactly once, in order: each client's next two chat messages are the
    // message and then the marker (join notices skipped).
    for (const x of clients) {
      const said = [];
      for (let i = 0; i < 2; i++) {
        const m = await until(x.c, (m) => m.type === "message");
        said.push([m.from, m.text]);
      }
      assert.deepEqual(said, [
        [speaker.name, "across workers"],
        [speaker.name, "end"],
      ], x.name);
    }
    // Replay on join works across workers: a newcomer on each worker gets
    // both messages from the shared history, once each, in order.
    const replayed = new Map<string, string[]>();
    for (let i = 0; i < 60 && replayed.size < 2; i++) {
      const name = `late${i}`;
      const late = await chatter(server.port, room, name);
      // The replay, then its own join (another newcomer's join may come
      // in between, from the other worker).
      const texts: string[] = [];
      let m: Chat;
      while (
        !((m = await until(late, () => true)).type === "join" &&
          m.from === name)
      ) {
        if (m.type === "message") texts.push(m.text);
      }
      clients.push({ c: late, name, server: m.server! });
      if (!replayed.has(m.server!)) replayed.set(m.server!, texts);
    }
    assert.deepEqual(
      [...replayed.entries()].sort(),
      workers.map((w) => [w, ["across workers", "end"]]).sort(),
      "every worker replays the same history",
    );
  } finally {
    await Promise.all(clients.map((x) => x.c.close()));
    // The bus closes its channel on SIGTERM, so the process exits on its own;
    // stop() kills it after 10 s otherwise.
    const started = Date.now();
    const status = await server.stop("SIGTERM");
    const exited = status.signal !== "SIGKILL" && Date.now() - started < 10_000;
    assert.ok(
      exited,
      `deno serve did not exit after SIGTERM:\n${server.output()}`,
    );
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("broadcast bus: a /pubsub message (no history) crosses workers exactly once, in order", async () => {
  const dir = await Deno.makeTempDir({ prefix: "denosocket-par-" });
  const server = await startParallel({ DENOSOCKET_BUS: "broadcast" }, dir);
  const clients: { c: TestClient; server: string }[] = [];
  try {
    const url = `ws://127.0.0.1:${server.port}/pubsub/plain${Date.now()}`;
    for (let i = 0; i < 60; i++) {
      const c = await TestClient.open(`${url}?hello=1`);
      const hello = JSON.parse(String(await c.next()));
      clients.push({ c, server: hello.server });
      if (new Set(clients.map((x) => x.server)).size >= 2 && i >= 3) break;
    }
    const workers = [...new Set(clients.map((x) => x.server))];
    assert.equal(workers.length, 2, "clients landed on two workers");
    const [speaker, ...others] = clients;
    for (const text of ["one", "two", "end"]) speaker.c.send(text);
    // The marker comes last; a duplicate or a loss changes the sequence.
    for (const x of others) {
      const got: string[] = [];
      while (got.at(-1) !== "end") got.push(String(await x.c.next(10_000)));
      assert.deepEqual(got, ["one", "two", "end"], x.server);
    }
  } finally {
    await Promise.all(clients.map((x) => x.c.close()));
    await server.stop("SIGTERM");
    await Deno.remove(dir, { recursive: true });
  }
});
