/**
 * The pages in headless Chromium as a newcomer meets them: the dev console
 * says why a connection was refused (the server's status and reason), what
 * close codes a browser may send, keeps the reply to Send in view on a
 * phone, and says what to do while empty; the benchmark says so too; the
 * chat's fields have visible labels; the tutorial says when this server has
 * no /echo handler.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import {
  browserTest,
  consoleLogEntry,
  waitForText,
  watchPage,
} from "./support/browser.ts";
import { startServer } from "./support/server.ts";
import { ENGINES } from "./support/engines.ts";
import manifest from "../handlers/manifest.gen.ts";
import { routesFromManifest } from "../lib/routing/manifest.ts";

async function connect(page: Page, url: string, protocols = "") {
  await page.getByLabel("URL").fill(url);
  await page.getByLabel(/Subprotocols/).fill(protocols);
  await page.getByRole("button", { name: "Connect", exact: true }).click();
}

browserTest(
  "console: a refused connection shows the server's status and reason, and the server logs the reason",
  async (browser, engine) => {
    const server = await startServer({ engine });
    try {
      const page = await browser.newPage();
      await page.goto(`${server.http}/console.html`);

      await connect(page, `${server.ws}/subprotocol`, "mqtt");
      assert.equal(
        await consoleLogEntry(page, "refused", "HTTP"),
        "HTTP 400: no supported subprotocol: offered mqtt; this endpoint speaks chat.v2, chat",
      );

      await connect(page, `${server.ws}/nope`);
      assert.equal(
        await consoleLogEntry(page, "refused", "/nope"),
        "HTTP 404: no WebSocket handler at /nope",
      );

      // A refusal from a handler's accept() (here /private, its token
      // variable unset): only the server's memory of it can tell.
      await connect(page, `${server.ws}/private?token=x`);
      assert.equal(
        await consoleLogEntry(page, "refused", "private"),
        "HTTP 503: /private is disabled: DENOSOCKET_PRIVATE_TOKEN is not set",
      );

      for (
        const line of [
          /INFO +refused path=\/subprotocol .*status=400 reason="no supported subprotocol: offered mqtt; this endpoint speaks chat\.v2, chat"/,
          /INFO +refused path=\/nope .*status=404 reason="no WebSocket handler at \/nope"/,
          /INFO +refused path=\/private .*status=503 reason="\/private is disabled: DENOSOCKET_PRIVATE_TOKEN is not set"/,
        ]
      ) {
        assert.ok(server.logs.some((l) => line.test(l)), String(line));
      }
    } finally {
      await server.close();
    }
  },
  ENGINES,
);

browserTest(
  "console: closing with 1001 explains which codes a browser may send, and the socket stays open",
  async (browser, engine) => {
    const server = await startServer({ engine });
    try {
      const page = await browser.newPage();
      const watch = watchPage(page);
      await page.goto(`${server.http}/console.html?url=/echo`);
      await page.getByRole("button", { name: "Connect", exact: true }).click();
      await waitForText(page, "#ready-state", "1 OPEN");
      const offered = await page.evaluate(
        `[...document.querySelectorAll("#close-codes option")].map((o) => o.value)`,
      );
      assert.deepEqual(offered, ["1000", "3000", "4000"]);

      await page.getByLabel("Code").fill("1001");
      await page.getByRole("button", { name: "Close", exact: true }).click();
      const said = await consoleLogEntry(page, "error", "1001");
      assert.match(
        said,
        /^a browser cannot close with 1001 is for the protocol and servers/,
      );
      assert.match(said, /Use 1000 for a normal close, or 3000–4999/);
      assert.doesNotMatch(said, /InvalidAccessError/);
      await waitForText(page, "#ready-state", "1 OPEN");

      await page.getByLabel("Code").fill("4000");
      await page.getByRole("button", { name: "Close", exact: true }).click();
      assert.equal(
        await consoleLogEntry(page, "close", "code"),
        'code 4000, reason "", wasClean true',
      );
      assert.deepEqual(watch.errors, []);
    } finally {
      await server.close();
    }
  },
);

browserTest(
  "console at 360 px: the reply to Send is on screen next to the send button",
  async (browser) => {
    const server = await startServer({});
    try {
      const page = await browser.newPage({
        viewport: { width: 360, height: 640 },
      });
      await page.goto(`${server.http}/console.html?url=/echo`);
      await page.getByRole("button", { name: "Connect", exact: true }).click();
      await waitForText(page, "#ready-state", "1 OPEN");
      for (let i = 1; i <= 12; i++) {
        await page.getByLabel("Text message").fill(`reply ${i}`);
        await page.getByLabel("Text message").press("Enter");
        await consoleLogEntry(page, "message", `reply ${i}`);
      }
      const inView = async (selector: string) => {
        const box = await page.locator(selector).last().boundingBox();
        assert.ok(box, selector);
        return box.y >= 0 && box.y + box.height <= 640;
      };
      assert.ok(await inView("#send-text"), "the send button is on screen");
      assert.ok(
        await inView('#log li[data-kind="message"]'),
        "the newest reply is on screen",
      );
    } finally {
      await server.close();
    }
  },
);

browserTest(
  "empty states: the console's log and the benchmark's results say what to do",
  async (browser) => {
    const server = await startServer({});
    try {
      const page = await browser.newPage();
      await page.goto(`${server.http}/console.html`);
      assert.match(
        (await page.locator("#log li.empty").textContent()) ?? "",
        /^Nothing yet\. Press Connect to open a WebSocket/,
      );
      await page.getByRole("button", { name: "Connect", exact: true }).click();
      await consoleLogEntry(page, "open", "protocol");
      assert.equal(await page.locator("#log li.empty").count(), 0);
      await page.getByRole("button", { name: "Clear" }).click();
      assert.match(
        (await page.locator("#log li.empty").textContent()) ?? "",
        /new events appear here/,
      );

      await page.goto(`${server.http}/benchmark.html`);
      assert.match(
        (await page.locator("#results td.empty").textContent()) ?? "",
        /No results yet\. Press\s+Start/,
      );
      assert.match(
        (await page.locator("#status").textContent()) ?? "",
        /press\s+Start/,
      );
    } finally {
      await server.close();
    }
  },
);

browserTest(
  "chat page: the room and name fields have visible labels",
  async (browser) => {
    const server = await startServer({});
    try {
      const page = await browser.newPage();
      await page.goto(`${server.http}/chat.html`);
      for (const name of ["Room", "Your name"]) {
        const label = page.locator("label", { hasText: name });
        assert.ok(await label.isVisible(), `label ${name} visible`);
        const box = await label.boundingBox();
        assert.ok(box && box.width > 10 && box.height > 8, name);
        assert.ok(await page.getByLabel(name, { exact: true }).isEditable());
      }
    } finally {
      await server.close();
    }
  },
);

browserTest(
  "tutorial page on a server without /echo says this server has no /echo handler",
  async (browser, engine) => {
    const routes = routesFromManifest(manifest).filter((r) =>
      r.pattern !== "/echo"
    );
    const server = await startServer({ engine }, routes);
    try {
      const page = await browser.newPage();
      page.on("dialog", (d) => d.accept().catch(() => {}));
      await page.goto(`${server.http}/`);
      await page.getByRole("button", { name: "Run WebSocket" }).click();
      await waitForText(page, "#problem", "has no /echo handler");
      assert.match(
        (await page.locator("#problem").textContent()) ?? "",
        /^This server has no \/echo handler, so the tutorial cannot run here \(no WebSocket handler at \/echo\)/,
      );
      assert.ok(await page.locator("#problem").isVisible());
    } finally {
      await server.close();
    }
  },
  ENGINES,
);
