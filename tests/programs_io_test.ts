/**
 * Program endpoints, messages both ways: lines and binary chunks, the close
 * frame when the program ends, and the specific close for output or input
 * the server will not pass on. Real programs, real sockets, both engines.
 */
import assert from "node:assert/strict";
import { eachEngine } from "./support/engines.ts";
import {
  EXAMPLES,
  FIXTURES,
  marker,
  markerDir,
  programServer,
  routesOf,
  untilClosed,
  within,
} from "./support/programs.ts";
import { TestClient } from "./support/ws_client.ts";
import {
  clientFrame,
  closeCode,
  closePayload,
  parseFrames,
  rawHandshake,
} from "./support/frames.ts";
import { waitFor } from "./support/wait.ts";

eachEngine.test("count.sh: each stdout line is one text message, and exit 0 closes 1000", async (engine) => {
  const routes = await routesOf([EXAMPLES], { env: { COUNT_DELAY: "0.01" } });
  const server = await programServer(engine, routes, {
    passEnv: ["PATH", "COUNT_DELAY"],
  });
  try {
    const client = await TestClient.open(`${server.ws}/count.sh`);
    const { messages, close } = await untilClosed(client);
    assert.deepEqual(messages, [
      "1",
      "2",
      "3",
      "4",
      "5",
      "6",
      "7",
      "8",
      "9",
      "10",
    ]);
    assert.equal(close.code, 1000);
    assert.equal(close.reason, "program exited");
  } finally {
    await server.close();
  }
});

eachEngine.test("greeter.sh: a text message is a line on stdin, a message holding a newline is two", async (engine) => {
  const server = await programServer(engine, await routesOf([EXAMPLES]));
  try {
    const client = await TestClient.open(`${server.ws}/greeter.sh`);
    client.send("Ann");
    assert.equal(await client.next(), "Hello, Ann!");
    client.send("Bob\nCid");
    assert.equal(await client.next(), "Hello, Bob!");
    assert.equal(await client.next(), "Hello, Cid!");
    // A binary message goes to stdin as it is (websocketd's rule): a line
    // only if it holds the newline itself.
    client.send(new TextEncoder().encode("Dee\n"));
    assert.equal(await client.next(), "Hello, Dee!");
    await client.close(1000);
  } finally {
    await server.close();
  }
});

eachEngine.test("binary: raw bytes both ways, as binary messages", async (engine) => {
  const server = await programServer(
    engine,
    await routesOf([FIXTURES], { binary: true }),
  );
  try {
    const client = await TestClient.open(`${server.ws}/cat.sh`);
    // Newlines, zeros and bytes that are not UTF-8: nothing is a line here.
    const sent = new Uint8Array(70_000).map((_, i) => (i * 7) % 256);
    for (let at = 0; at < sent.length; at += 10_000) {
      client.send(sent.subarray(at, at + 10_000));
    }
    const got: number[] = [];
    while (got.length < sent.length) {
      const m = await client.next();
      assert.ok(m instanceof Uint8Array, "a binary message");
      got.push(...m);
    }
    assert.deepEqual(new Uint8Array(got), sent);
    await client.close(1000);
  } finally {
    await server.close();
  }
});

eachEngine.test("a program that exits with a status closes 1011 and says which; one killed by a signal says that", async (engine) => {
  const server = await programServer(engine, await routesOf([FIXTURES]));
  try {
    const exit3 = await untilClosed(
      await TestClient.open(`${server.ws}/exit3.sh`),
    );
    assert.deepEqual(exit3.messages, ["bye"]);
    assert.equal(exit3.close.code, 1011);
    assert.equal(exit3.close.reason, "program exited with status 3");
    const killed = await untilClosed(
      await TestClient.open(`${server.ws}/killed.sh`),
    );
    assert.deepEqual(killed.messages, ["about to crash"]);
    assert.equal(killed.close.code, 1011);
    assert.equal(killed.close.reason, "program killed by SIGSEGV");
  } finally {
    await server.close();
  }
});

eachEngine.test("output that is not UTF-8 closes 1011 with a clear reason, and the server keeps serving", async (engine) => {
  const server = await programServer(
    engine,
    await routesOf([FIXTURES, EXAMPLES]),
  );
  try {
    const bad = await untilClosed(
      await TestClient.open(`${server.ws}/badutf8.sh`),
    );
    assert.deepEqual(bad.messages, ["fine"]);
    assert.equal(bad.close.code, 1011);
    assert.equal(
      bad.close.reason,
      "the program wrote output that is not UTF-8 text",
    );
    const client = await TestClient.open(`${server.ws}/greeter.sh`);
    client.send("still here");
    assert.equal(await client.next(), "Hello, still here!");
    await client.close(1000);
  } finally {
    await server.close();
  }
});

eachEngine.test("a line longer than --max-message-size closes 1009", async (engine) => {
  const server = await programServer(engine, await routesOf([FIXTURES]), {}, {
    maxMessageSize: 64 * 1024,
  });
  try {
    const { messages, close } = await untilClosed(
      await TestClient.open(`${server.ws}/longline.sh`),
    );
    assert.deepEqual(messages, []);
    assert.equal(close.code, 1009);
    assert.equal(close.reason, "the program wrote a line over 65536 bytes");
  } finally {
    await server.close();
  }
});

eachEngine.test("a client that sends faster than the program reads is closed 1013 at --send-buffer-limit", async (engine) => {
  const server = await programServer(engine, await routesOf([FIXTURES]), {
    sendBufferLimit: 256 * 1024,
  });
  try {
    const client = await TestClient.open(`${server.ws}/deaf.sh`);
    assert.equal(await client.next(), "not listening");
    const chunk = "z".repeat(16 * 1024);
    // 1 MiB: the pipe takes 64 KiB, the rest queues past the limit.
    for (let i = 0; i < 64 && client.socket.readyState === 1; i++) {
      client.send(chunk);
    }
    const close = await within(client.closed, 5000, "1013 close");
    assert.equal(close.code, 1013);
    assert.equal(
      close.reason,
      "the program is not reading its input (over 262144 bytes queued)",
    );
  } finally {
    await server.close();
  }
});

eachEngine.test("a program that writes faster than the client reads is paused, then everything arrives", async (engine) => {
  const dir = await markerDir();
  const server = await programServer(
    engine,
    await routesOf([FIXTURES], { env: { MARKER_DIR: dir } }),
    {},
    { sendHighWater: 64 * 1024 },
  );
  try {
    const { conn } = await rawHandshake(server.port, "/flood.sh");
    // Not reading: 32 MiB cannot fit in the high-water mark, the pipe and
    // the socket buffers, so the program must be held at its write.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(marker(dir, "flood-done"), "", "the program got through");
    let buf = new Uint8Array(0);
    let lines = 0;
    let closed = 0;
    const chunk = new Uint8Array(256 * 1024);
    while (closed === 0) {
      const n = await conn.read(chunk);
      if (n === null) break;
      const next = new Uint8Array(buf.length + n);
      next.set(buf);
      next.set(chunk.subarray(0, n), buf.length);
      const { frames, used } = parseFrames(next);
      buf = next.slice(used);
      for (const f of frames) {
        if (f.opcode === 1) {
          assert.equal(f.payload.length, 1023);
          lines++;
        } else if (f.opcode === 8) closed = closeCode(f.payload);
      }
    }
    assert.equal(lines, 32768);
    assert.equal(closed, 1000);
    await conn.write(clientFrame(8, closePayload(1000))).catch(() => {});
    conn.close();
    await waitFor(() => marker(dir, "flood-done") !== "", 5000, "flood-done");
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});
