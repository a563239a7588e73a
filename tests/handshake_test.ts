import { createHash } from "node:crypto";
import { acceptKey } from "../lib/protocol/accept_key.ts";
import assert from "node:assert/strict";
import { rawUpgrade, upgradeHeaders } from "./support/raw.ts";
import { withServer } from "./support/server.ts";
import { eachEngine } from "./support/engines.ts";

eachEngine.test(
  "upgrade answers each bad handshake with a specific status",
  async (engine, t) => {
    const cases: [
      string,
      string,
      Record<string, string>,
      string,
      number,
      RegExp,
    ][] = [
      [
        "unknown path",
        "/nope",
        upgradeHeaders(),
        "GET",
        404,
        /no WebSocket handler at \/nope/,
      ],
      ["POST upgrade", "/echo", upgradeHeaders(), "POST", 405, /needs GET/],
      [
        "no key",
        "/echo",
        upgradeHeaders({ "Sec-WebSocket-Key": null }),
        "GET",
        400,
        /missing header Sec-WebSocket-Key/,
      ],
      [
        "bad base64 key",
        "/echo",
        upgradeHeaders({ "Sec-WebSocket-Key": "!!!notbase64!!!!!!!!!==" }),
        "GET",
        400,
        /invalid Sec-WebSocket-Key/,
      ],
      [
        "15-byte key",
        "/echo",
        upgradeHeaders({ "Sec-WebSocket-Key": btoa("x".repeat(15)) }),
        "GET",
        400,
        /invalid Sec-WebSocket-Key/,
      ],
      [
        "no Upgrade token",
        "/echo",
        upgradeHeaders({ Upgrade: "h2c" }),
        "GET",
        400,
        /missing header Upgrade: websocket/,
      ],
      [
        "no Connection token",
        "/echo",
        upgradeHeaders({ Connection: "keep-alive" }),
        "GET",
        400,
        /missing header Connection: Upgrade/,
      ],
      [
        "version 8",
        "/echo",
        upgradeHeaders({ "Sec-WebSocket-Version": "8" }),
        "GET",
        426,
        /unsupported Sec-WebSocket-Version 8/,
      ],
      [
        "version 99",
        "/echo",
        upgradeHeaders({ "Sec-WebSocket-Version": "99" }),
        "GET",
        426,
        /this server speaks 13/,
      ],
    ];
    await withServer({ engine }, undefined, async (server) => {
      for (const [name, path, headers, method, status, body] of cases) {
        await t.step(`${name} → ${status}`, async () => {
          const res = await rawUpgrade(server.port, path, headers, method);
          assert.equal(res.status, status, res.body);
          assert.match(res.body, body);
          if (status === 405) assert.equal(res.headers.get("allow"), "GET");
          if (status === 426) {
            assert.equal(res.headers.get("sec-websocket-version"), "13");
          }
        });
      }
      await t.step("the server still serves an echo afterwards", async () => {
        const res = await rawUpgrade(server.port, "/echo", upgradeHeaders());
        assert.equal(res.status, 101);
        assert.equal(
          res.headers.get("sec-websocket-accept"),
          "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
        );
      });
    });
  },
);

eachEngine.test(
  "subprotocol choice follows the handler's preference for every offer spelling",
  async (engine, t) => {
    await withServer({ engine }, undefined, async (server) => {
      for (
        const offer of [
          "chat, chat.v2",
          "chat,chat.v2",
          "chat.v2,chat",
          " chat ,  chat.v2 ",
        ]
      ) {
        await t.step(`offer "${offer}" → chat.v2`, async () => {
          const res = await rawUpgrade(
            server.port,
            "/subprotocol",
            upgradeHeaders({ "Sec-WebSocket-Protocol": offer }),
          );
          assert.equal(res.status, 101);
          assert.equal(res.headers.get("sec-websocket-protocol"), "chat.v2");
        });
      }
      await t.step("only the less preferred one offered → chat", async () => {
        const res = await rawUpgrade(
          server.port,
          "/subprotocol",
          upgradeHeaders({ "Sec-WebSocket-Protocol": "x,chat" }),
        );
        assert.equal(res.headers.get("sec-websocket-protocol"), "chat");
      });
      await t.step("none offered → 101 without a protocol", async () => {
        const res = await rawUpgrade(
          server.port,
          "/subprotocol",
          upgradeHeaders(),
        );
        assert.equal(res.status, 101);
        assert.equal(res.headers.get("sec-websocket-protocol"), null);
      });
      await t.step(
        "offered but none supported → 400 naming both lists",
        async () => {
          const res = await rawUpgrade(
            server.port,
            "/subprotocol",
            upgradeHeaders({ "Sec-WebSocket-Protocol": "a,b" }),
          );
          assert.equal(res.status, 400);
          assert.match(
            res.body,
            /offered a, b; this endpoint speaks chat\.v2, chat/,
          );
        },
      );
      await t.step("a handler without protocols refuses an offer", async () => {
        const res = await rawUpgrade(
          server.port,
          "/echo",
          upgradeHeaders({ "Sec-WebSocket-Protocol": "a" }),
        );
        assert.equal(res.status, 400);
        assert.match(res.body, /offered a; this endpoint speaks \(none\)/);
      });
    });
  },
);

eachEngine.test("a plain GET of a handler path says it is a WebSocket endpoint", async (engine) => {
  await withServer({ engine }, undefined, async (server) => {
    const res = await fetch(`${server.http}/subprotocol`);
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, /WebSocket endpoint/);
    assert.match(text, /chat\.v2/);
    const post = await fetch(`${server.http}/echo`, {
      method: "POST",
      body: "x",
    });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get("allow"), "GET");
    await post.body?.cancel();
  });
});

Deno.test("acceptKey() (SHA-1 computed in lib/protocol/accept_key.ts) agrees with node:crypto on 500 random keys and a malformed one", () => {
  const viaNode = (key: string) =>
    createHash("sha1").update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
      .digest("base64");
  for (let i = 0; i < 500; i++) {
    const key = btoa(
      String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))),
    );
    assert.equal(acceptKey(key), viaNode(key), key);
  }
  assert.equal(acceptKey("not a key"), viaNode("not a key"));
});
