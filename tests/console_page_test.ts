import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  browserTest,
  consoleLogEntry,
  foreignRequests,
  waitForText,
  watchPage,
} from "./support/browser.ts";
import { startServer } from "./support/server.ts";
import { ENGINES } from "./support/engines.ts";

browserTest(
  "console: GET /echo opens it pre-filled; text, bytes, file and a 4000 close round-trip",
  async (browser, engine) => {
    const server = await startServer({ engine });
    try {
      const page = await browser.newPage();
      const watch = watchPage(page);
      await page.goto(`${server.http}/echo`);
      assert.equal(new URL(page.url()).pathname, "/console.html");
      assert.equal(await page.inputValue("#url"), `${server.ws}/echo`);

      await page.getByRole("button", { name: "Connect", exact: true }).click();
      await consoleLogEntry(page, "open", "protocol");
      await waitForText(page, "#ready-state", "1 OPEN");

      // Enter in the message box sends it.
      await page.getByLabel("Text message").fill("hello console");
      await page.getByLabel("Text message").press("Enter");
      assert.equal(
        await consoleLogEntry(page, "message", "hello console"),
        "text, 13 bytes: hello console",
      );
      assert.equal(await page.inputValue("#message"), "");

      // Binary as hex bytes, received as a Blob (the default binaryType).
      await page.getByLabel("Binary: bytes in hex").fill("de ad be ef");
      await page.getByRole("button", { name: "Send bytes" }).click();
      assert.equal(
        await consoleLogEntry(page, "message", "Blob"),
        "binary (Blob), 4 bytes: de ad be ef",
      );

      // A file, received as an ArrayBuffer.
      await page.selectOption("#binary-type", "arraybuffer");
      await page.setInputFiles("#file", {
        name: "k.bin",
        mimeType: "application/octet-stream",
        buffer: Buffer.alloc(3000, 7),
      });
      await page.getByRole("button", { name: "Send file" }).click();
      assert.match(
        await consoleLogEntry(page, "message", "ArrayBuffer"),
        /^binary \(ArrayBuffer\), 3000 bytes: 07 07 07/,
      );

      await page.getByLabel("Code").fill("4000");
      await page.getByLabel("Reason").fill("bye");
      await page.getByRole("button", { name: "Close", exact: true }).click();
      assert.equal(
        await consoleLogEntry(page, "close", "code"),
        'code 4000, reason "bye", wasClean true',
      );
      await waitForText(page, "#ready-state", "3 CLOSED");
      assert.deepEqual(watch.errors, []);
      assert.deepEqual(foreignRequests(watch, server.http), []);

      // The server saw the same traffic: 13 + 4 + 3000 bytes each way.
      const close = server.logs.find((l) => / close .*path=\/echo/.test(l));
      assert.match(close ?? "", /bytes_in=3017 .*bytes_out=3017/);
    } finally {
      await server.close();
    }
  },
  ENGINES,
);

browserTest(
  "console: a subprotocol the handler speaks is offered, negotiated and shown",
  async (browser, engine) => {
    const server = await startServer({ engine });
    try {
      const page = await browser.newPage();
      const watch = watchPage(page);
      await page.goto(`${server.http}/subprotocol`);
      await waitForText(page, "#speaks", "chat.v2");
      await page.locator("#speaks").getByRole("button", {
        name: "chat",
        exact: true,
      }).click();
      assert.equal(await page.inputValue("#protocols"), "chat");
      await page.getByRole("button", { name: "Connect", exact: true }).click();
      await consoleLogEntry(page, "message", "protocol: chat");
      assert.equal(await page.locator("#protocol").textContent(), '"chat"');

      // Offering both lets the handler pick its preferred one.
      await page.getByRole("button", { name: "Disconnect" }).click();
      await consoleLogEntry(page, "close", "code 1005");
      await page.getByLabel(/Subprotocols/).fill("chat, chat.v2");
      await page.getByRole("button", { name: "Connect", exact: true }).click();
      await consoleLogEntry(page, "message", "protocol: chat.v2");
      assert.equal(await page.locator("#protocol").textContent(), '"chat.v2"');
      assert.deepEqual(watch.errors, []);
      assert.deepEqual(foreignRequests(watch, server.http), []);
    } finally {
      await server.close();
    }
  },
  ENGINES,
);

browserTest(
  "console: an unsupported subprotocol is refused and the close event says 1006",
  async (browser, engine) => {
    const server = await startServer({ engine });
    try {
      const page = await browser.newPage();
      await page.goto(`${server.http}/console.html?url=/subprotocol`);
      await page.getByLabel(/Subprotocols/).fill("nope");
      await page.getByRole("button", { name: "Connect", exact: true }).click();
      await consoleLogEntry(page, "error", "failed");
      assert.equal(
        await consoleLogEntry(page, "close", "code"),
        'code 1006, reason "", wasClean false',
      );
      assert.ok(
        server.logs.some((l) =>
          /refused .*path=\/subprotocol .*status=400/.test(l)
        ),
      );
    } finally {
      await server.close();
    }
  },
  ENGINES,
);
