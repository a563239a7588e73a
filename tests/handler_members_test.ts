// The handler members and `conn` fields no other test reaches: error(),
// run() that throws, run() next to message(), and the id, origin, headers,
// protocol and extensions a handler reads. Every event is recorded, and the
// record is checked once the server has shut down (no event can come later),
// so a late duplicate fails the test instead of slipping past a sleep.
import assert from "node:assert/strict";
import { defineHandler } from "../lib/mod.ts";
import type { Route } from "../lib/routing/router.ts";
import { frame, readFrames } from "./support/frames.ts";
import { rawOpen } from "./support/raw.ts";
import { withServer } from "./support/server.ts";
import { waitFor, within } from "./support/wait.ts";
import { TestClient } from "./support/ws_client.ts";
import { eachEngine } from "./support/engines.ts";

function recorder() {
  const events: string[] = [];
  const route = (pattern: string, handler: Route["handler"]): Route => ({
    pattern,
    handler,
    file: `test${pattern}.ts`,
  });
  const routes: Route[] = [
    route(
      "/watch",
      defineHandler({
        message(conn, data) {
          conn.send(data);
        },
        error(_conn, err) {
          events.push(`error ${(err as Error).message}`);
        },
        close(_conn, code) {
          events.push(`close ${code}`);
        },
      }),
    ),
    route(
      "/run_throws",
      defineHandler({
        async run(conn) {
          for await (const data of conn) {
            if (data === "boom") throw new Error("run exploded");
            conn.send(`run got ${data}`);
          }
        },
        close(_conn, code, reason) {
          events.push(`close ${code} ${reason}`);
        },
      }),
    ),
    route(
      "/run_and_message",
      defineHandler({
        message(_conn, data) {
          events.push(`message() got ${data}`);
        },
        async run(conn) {
          const seen: string[] = [];
          for await (const data of conn) {
            if (data === "end") break;
            seen.push(String(data));
          }
          conn.send(seen.join(","));
        },
        close(_conn, code) {
          events.push(`close ${code}`);
        },
      }),
    ),
    route(
      "/whoami",
      defineHandler({
        protocols: ["v1"],
        message(conn) {
          conn.send(JSON.stringify({
            id: conn.id,
            origin: conn.origin,
            header: conn.headers.get("x-probe"),
            protocol: conn.protocol,
            extensions: conn.extensions,
            query: conn.url.searchParams.get("q"),
          }));
        },
      }),
    ),
  ];
  return { routes, events };
}

eachEngine.test("error() hears a peer that vanished, then close() 1006, once each", async (engine) => {
  const { routes, events } = recorder();
  await withServer({ engine }, routes, async (s) => {
    const { conn, response } = await rawOpen(s.port, "/watch");
    assert.equal(response.status, 101);
    await waitFor(() => s.app.connections.size === 1);
    conn.close(); // TCP gone, no close frame
    await waitFor(() => events.length >= 2);
  });
  assert.deepEqual(events, ["error Unexpected EOF", "close 1006"]);
});

eachEngine.test("error() hears a framing violation before close(); a clean close calls no error()", async (engine) => {
  const { routes, events } = recorder();
  await withServer({ engine }, routes, async (s) => {
    const { conn } = await rawOpen(s.port, "/watch");
    await conn.write(frame({ opcode: 1, payload: "x", rsv: 2 }));
    await waitFor(() => events.some((e) => e.startsWith("close")));
    conn.close();
    const clean = await TestClient.open(`${s.ws}/watch`);
    await clean.close(1000);
    await waitFor(() => events.length >= 3);
  });
  // Deno ends the TCP connection without a close frame (docs/engines.md);
  // the native engine closes 1002.
  const code = engine === "deno" ? 1006 : 1002;
  const reason = engine === "deno"
    ? "Reserved bits are not zero"
    : "1002 RSV2/RSV3 set";
  assert.deepEqual(events, [`error ${reason}`, `close ${code}`, "close 1000"]);
});

eachEngine.test("a run() that throws closes its connection 1011 and logs where", async (engine) => {
  const { routes, events } = recorder();
  await withServer({ engine }, routes, async (s) => {
    const bystander = await TestClient.open(`${s.ws}/run_throws`);
    const c = await TestClient.open(`${s.ws}/run_throws`);
    c.send("a");
    assert.equal(await c.next(), "run got a");
    c.send("boom");
    assert.deepEqual(await within(c.closed, 10_000, "the 1011 close"), {
      // No reason, as pywebsocket sends (88 02 03 f3); the stack is logged.
      code: 1011,
      reason: "",
      wasClean: true,
    });
    bystander.send("still there");
    assert.equal(await bystander.next(), "run got still there");
    assert.ok(
      s.logs.some((l) =>
        /handler_error .*in=run/.test(l) && l.includes("run exploded")
      ),
      s.logs.join("\n"),
    );
    await bystander.close(1000);
  });
  assert.deepEqual(events, ["close 1011 ", "close 1000 "]);
});

eachEngine.test("with both run() and message(), every message goes to run() in order, none to message()", async (engine) => {
  const { routes, events } = recorder();
  await withServer({ engine }, routes, async (s) => {
    const c = await TestClient.open(`${s.ws}/run_and_message`);
    const sent = Array.from({ length: 200 }, (_, i) => String(i + 1));
    for (const m of sent) c.send(m);
    c.send("end");
    assert.equal(await c.next(), sent.join(","));
    // run() returned:
    assert.equal((await within(c.closed, 10_000, "the close")).code, 1000);
  });
  assert.deepEqual(events, ["close 1000"]);
});

eachEngine.test("conn.id, origin, headers, protocol, extensions and url are the upgrade's", async (engine) => {
  const { routes } = recorder();
  const deflate = engine === "native"; // only the native engine negotiates it
  await withServer({ engine, deflate }, routes, async (s) => {
    const seen: Record<string, unknown>[] = [];
    for (const origin of ["https://a.example", null]) {
      const { conn, response } = await rawOpen(s.port, "/whoami?q=1", {
        Origin: origin,
        "X-Probe": "probe-value",
        "Sec-WebSocket-Protocol": "v1",
        "Sec-WebSocket-Extensions": "permessage-deflate",
      });
      assert.equal(response.status, 101);
      // Asked after the 101, so no frame hides in the head's read.
      await conn.write(frame({ opcode: 1, payload: "who?" }));
      const { frames } = await readFrames(conn, 5000, (f) => f.length > 0);
      const [first] = frames;
      seen.push(JSON.parse(new TextDecoder().decode(first.payload)));
      conn.close();
    }
    const ext = deflate ? "permessage-deflate" : "";
    const [a, b] = seen;
    assert.deepEqual({ ...a, id: "" }, {
      id: "",
      origin: "https://a.example",
      header: "probe-value",
      protocol: "v1",
      extensions: ext,
      query: "1",
    });
    assert.equal(b.origin, "", "no Origin header: empty string");
    assert.notEqual(a.id, b.id, "ids are unique");
    for (const id of [a.id, b.id]) {
      assert.match(String(id), /^\w+$/);
      assert.ok(
        s.logs.some((l) => l.includes(`open id=${id} path=/whoami`)),
        `the log's id= is conn.id: ${id}`,
      );
    }
  });
});
