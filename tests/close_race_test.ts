import assert from "node:assert/strict";
import {
  closeCode,
  closePayload,
  frame,
  rawHandshake,
  readFrames,
} from "./support/frames.ts";
import { startServer } from "./support/server.ts";
import { eachEngine } from "./support/engines.ts";

eachEngine.test("a server close survives a peer that keeps sending until it replies", async (engine) => {
  const s = await startServer({ engine });
  try {
    const { conn } = await rawHandshake(s.port, "/close");
    await conn.write(frame({ opcode: 1, payload: "4000 bye" }));
    const first = await readFrames(
      conn,
      10_000,
      (f) => f.some((x) => x.opcode === 8),
    );
    const close = first.frames.find((f) => f.opcode === 8);
    assert.ok(close, "no close frame");
    assert.equal(closeCode(close.payload), 4000);
    // RFC 6455 lets the peer send data until it has seen our close; these
    // crossed it. Then the peer replies. Deno alone would drop the
    // connection at the first of them and never see the reply.
    for (let i = 0; i < 3; i++) {
      await conn.write(frame({ opcode: 1, payload: `late ${i}` }));
    }
    await new Promise((r) => setTimeout(r, 200));
    await conn.write(frame({ opcode: 8, payload: closePayload(4000, "bye") }));
    const rest = await readFrames(conn, 10_000);
    assert.ok(rest.ended, "the server did not end the TCP connection");
    conn.close();
    const deadline = Date.now() + 10_000;
    let line: string | undefined;
    while (!line && Date.now() < deadline) {
      line = s.logs.find((l) => / close id=\S+ path=\/close /.test(l));
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.match(line ?? "", /code=4000 reason=bye/);
  } finally {
    await s.close();
  }
});
