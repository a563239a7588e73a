import assert from "node:assert/strict";
import { rawOpen, rawUpgrade, upgradeHeaders } from "./support/raw.ts";
import { withServer } from "./support/server.ts";
import { TestClient } from "./support/ws_client.ts";
import { waitFor } from "./support/wait.ts";
import { eachEngine } from "./support/engines.ts";

eachEngine.test("/echo echoes text as text and binary as binary, and closes on Goodbye", async (engine) => {
  await withServer({ engine }, undefined, async (s) => {
    const c = await TestClient.open(`${s.ws}/echo`);
    c.send("héllo ✓");
    assert.equal(await c.next(), "héllo ✓");
    c.send(new Uint8Array([0, 1, 2, 255]));
    assert.deepEqual(await c.next(), new Uint8Array([0, 1, 2, 255]));
    c.send("Goodbye");
    assert.equal(await c.next(), "Goodbye");
    const closed = await c.closed;
    assert.equal(closed.code, 1000);
    assert.equal(closed.wasClean, true);
  });
});

eachEngine.test("/close closes with the code and reason it is sent", async (engine) => {
  await withServer({ engine }, undefined, async (s) => {
    const c = await TestClient.open(`${s.ws}/close`);
    c.send("4321 see you");
    assert.deepEqual(await c.closed, {
      code: 4321,
      reason: "see you",
      wasClean: true,
    });
    const bad = await TestClient.open(`${s.ws}/close`);
    bad.send("1011 nope");
    assert.match(String(await bad.next()), /close code 1011 is not allowed/);
    await bad.close();
  });
});

eachEngine.test("/close answers a client close with the client's own code and reason", async (engine) => {
  await withServer({ engine }, undefined, async (s) => {
    const c = await TestClient.open(`${s.ws}/close`);
    const closed = await c.close(4000, "bye");
    assert.equal(closed.code, 4000);
    assert.equal(closed.reason, "bye");
    await waitFor(() =>
      s.logs.some((l) => / close .*path=\/close .*code=4000 reason=bye/.test(l))
    );
  });
});

eachEngine.test("/origin_check refuses other origins with 403 and echoes for example.com", async (engine) => {
  await withServer({ engine }, undefined, async (s) => {
    const bad = await rawUpgrade(
      s.port,
      "/origin_check",
      upgradeHeaders({ Origin: "http://evil.test" }),
    );
    assert.equal(bad.status, 403);
    assert.match(bad.body, /origin http:\/\/evil\.test is not allowed/);
    const none = await rawUpgrade(s.port, "/origin_check", upgradeHeaders());
    assert.equal(none.status, 403);
    const ok = await rawUpgrade(
      s.port,
      "/origin_check",
      upgradeHeaders({ Origin: "http://example.com" }),
    );
    assert.equal(ok.status, 101);
  });
});

eachEngine.test("/internal_error closes with 1011 and logs the stack", async (engine) => {
  await withServer({ engine }, undefined, async (s) => {
    const c = new TestClient(`${s.ws}/internal_error`);
    const closed = await c.closed;
    assert.equal(closed.code, 1011);
    assert.ok(
      s.logs.some((l) =>
        l.includes("handler_error") && l.includes("failing on purpose")
      ),
    );
  });
});

eachEngine.test("/cookie puts Set-Cookie on the 101 for set, set_httponly and clear", async (engine) => {
  await withServer({ engine }, undefined, async (s) => {
    const set = await rawUpgrade(s.port, "/cookie?set", upgradeHeaders());
    assert.equal(set.status, 101);
    assert.deepEqual(set.headers.getSetCookie(), ["foo=bar; Max-Age=86400"]);
    const ho = await rawUpgrade(
      s.port,
      "/cookie?set_httponly",
      upgradeHeaders(),
    );
    assert.deepEqual(ho.headers.getSetCookie(), [
      "foo_httponly=bar; Max-Age=86400; HttpOnly",
    ]);
    const clear = await rawUpgrade(s.port, "/cookie?clear", upgradeHeaders());
    assert.deepEqual(clear.headers.getSetCookie(), [
      "foo=; Max-Age=0",
      "foo_httponly=; Max-Age=0; HttpOnly",
    ]);
    const c = new TestClient(`${s.ws}/cookie?set`);
    assert.equal((await c.closed).code, 1000);
  });
});

eachEngine.test("/hsts adds Strict-Transport-Security, says Hello and closes 1000", async (engine) => {
  await withServer({ engine }, undefined, async (s) => {
    const res = await rawUpgrade(s.port, "/hsts", upgradeHeaders());
    assert.equal(res.headers.get("strict-transport-security"), "max-age=86400");
    const c = new TestClient(`${s.ws}/hsts`);
    assert.equal(await c.next(), "Hello");
    assert.equal((await c.closed).code, 1000);
  });
});

eachEngine.test("/bench pushes MSG COUNT times every SEC seconds, then closes 1000", async (engine) => {
  await withServer({ engine }, undefined, async (s) => {
    const c = await TestClient.open(`${s.ws}/bench`);
    c.send("0.01 3 tick");
    assert.deepEqual([await c.next(), await c.next(), await c.next()], [
      "tick",
      "tick",
      "tick",
    ]);
    assert.equal((await c.closed).code, 1000);
    const bad = await TestClient.open(`${s.ws}/bench`);
    bad.send("soon");
    assert.match(String(await bad.next()), /expected "SEC COUNT MSG"/);
    await bad.close();
  });
});

eachEngine.test("/benchmark_helper sends N bytes of a and counts what it receives", async (engine) => {
  await withServer({ engine }, undefined, async (s) => {
    const c = await TestClient.open(`${s.ws}/benchmark_helper`);
    c.send("receive 1000");
    assert.deepEqual(await c.next(), new Uint8Array(1000).fill(0x61));
    c.send("send 1");
    c.send(new Uint8Array(300).fill(0x61));
    assert.equal(await c.next(), "300");
    c.send(new Uint8Array([0x61, 0x62]));
    assert.match(String(await c.next()), /not all 'a'/);
    c.send("send 0");
    c.send(new Uint8Array([1, 2, 3]));
    assert.equal(await c.next(), "3");
    c.send("receive 99999999999");
    assert.match(String(await c.next()), /expected "receive N"/);
    await c.close();
  });
});

eachEngine.test("/reverse runs sequentially and closes 1000 when run() returns", async (engine) => {
  await withServer({ engine }, undefined, async (s) => {
    const c = await TestClient.open(`${s.ws}/reverse`);
    c.send("abc");
    c.send("héllo");
    assert.equal(await c.next(), "cba");
    assert.equal(await c.next(), "olléh");
    c.send("");
    assert.equal((await c.closed).code, 1000);
  });
});

eachEngine.test("/rooms/:name passes the decoded name in conn.params", async (engine) => {
  await withServer({ engine }, undefined, async (s) => {
    const c = await TestClient.open(`${s.ws}/rooms/caf%C3%A9`);
    assert.equal(await c.next(), "room café");
    await c.close();
  });
});

eachEngine.test("/subprotocol reports the negotiated protocol through conn.protocol", async (engine) => {
  await withServer({ engine }, undefined, async (s) => {
    const c = await TestClient.open(`${s.ws}/subprotocol`, ["chat"]);
    assert.equal(c.socket.protocol, "chat");
    assert.equal(await c.next(), "protocol: chat");
    await c.close();
  });
});

eachEngine.test("/abort drops the connection without a close frame", async (engine) => {
  await withServer({ engine }, undefined, async (s) => {
    const { conn, response } = await rawOpen(s.port, "/abort");
    assert.equal(response.status, 101);
    // Whatever follows the head must be end-of-stream, not a close frame.
    const rest = new Uint8Array(64);
    let got = new TextEncoder().encode(response.body).length;
    for (let n = await conn.read(rest); n !== null; n = await conn.read(rest)) {
      got += n;
    }
    conn.close();
    assert.equal(got, 0, "bytes after the 101");
    await waitFor(() =>
      s.logs.some((l) => / close .*path=\/abort .*code=1006/.test(l))
    );
    const echo = await TestClient.open(`${s.ws}/echo`);
    echo.send("still serving");
    assert.equal(await echo.next(), "still serving");
    await echo.close();
  });
});
