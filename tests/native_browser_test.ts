// Chromium against the native engine: permessage-deflate with a real
// browser's offer, large and binary messages, a clean close with a code.
import assert from "node:assert/strict";
import { createApp } from "../lib/app/app.ts";
import { Logger } from "../lib/log.ts";
import manifest from "../handlers/manifest.gen.ts";
import { routesFromManifest } from "../lib/routing/manifest.ts";
import { serveNative } from "../lib/engines/native/engine.ts";
import { browserTest } from "./support/browser.ts";

browserTest(
  "native engine talks permessage-deflate with Chromium",
  async (browser) => {
    const app = createApp(
      {},
      routesFromManifest(manifest),
      new Logger("error", () => {}),
    );
    const server = serveNative(app, { port: 0, hostname: "127.0.0.1" });
    try {
      const page = await browser.newPage();
      const base = `127.0.0.1:${server.addr.port}`;
      await page.goto(`http://${base}/echo`); // the endpoint page, over our HTTP/1.1
      const result = await page.evaluate(`new Promise((resolve) => {
      const ws = new WebSocket("ws://${base}/echo");
      ws.binaryType = "arraybuffer";
      const got = [];
      ws.onopen = () => {
        ws.send("hi");
        ws.send("z".repeat(100000));
        ws.send(new Uint8Array(50000).fill(3));
        ws.send("é😀".repeat(3000));
      };
      ws.onmessage = (e) => {
        got.push(typeof e.data === "string" ? e.data.length : e.data.byteLength);
        if (got.length === 4) ws.close(4321, "done");
      };
      ws.onclose = (e) => resolve({ ext: ws.extensions, got, code: e.code, reason: e.reason, clean: e.wasClean });
    })`);
      assert.deepEqual(result, {
        ext: "permessage-deflate",
        got: [2, 100000, 50000, 9000],
        code: 4321,
        reason: "done",
        clean: true,
      });
    } finally {
      await server.shutdown();
    }
  },
);

browserTest(
  "--deflate shared: Chromium agrees to no context takeover both ways, and similar messages from two sockets round-trip through the shared streams",
  async (browser) => {
    const app = createApp(
      {},
      routesFromManifest(manifest),
      new Logger("error", () => {}),
    );
    const server = serveNative(app, {
      port: 0,
      hostname: "127.0.0.1",
      // What `--deflate shared --deflate-threshold 0` passes.
      deflate: {
        threshold: 0,
        serverNoContextTakeover: true,
        clientNoContextTakeover: true,
      },
    });
    try {
      const page = await browser.newPage();
      const base = `127.0.0.1:${server.addr.port}`;
      await page.goto(`http://${base}/echo`);
      // Similar messages: a client that kept its context would send back
      // references the server's reset stream cannot resolve (1007).
      const result = await page.evaluate(`Promise.all([1, 2].map((n) =>
        new Promise((resolve) => {
          const ws = new WebSocket("ws://${base}/echo");
          const sent = [], got = [];
          ws.onopen = () => {
            for (let i = 0; i < 20; i++) {
              const m = JSON.stringify({ socket: n, i, text: "the same words again ".repeat(20) });
              sent.push(m);
              ws.send(m);
            }
          };
          ws.onmessage = (e) => {
            got.push(e.data);
            if (got.length === 20) ws.close(1000);
          };
          ws.onclose = (e) => resolve({
            ext: ws.extensions,
            same: got.length === 20 && got.every((m, i) => m === sent[i]),
            code: e.code,
          });
        })
      ))`);
      const agreed =
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover";
      assert.deepEqual(result, [
        { ext: agreed, same: true, code: 1000 },
        { ext: agreed, same: true, code: 1000 },
      ]);
    } finally {
      await server.shutdown();
    }
  },
);
