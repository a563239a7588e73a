import assert from "node:assert/strict";
import {
  browserTest,
  foreignRequests,
  waitForText,
  watchPage,
} from "./support/browser.ts";
import { startServer } from "./support/server.ts";
import { ENGINES, startEngine } from "./support/engines.ts";

browserTest(
  "tutorial page: Run WebSocket alerts open, send, receive, then close when the server stops",
  async (browser, engine) => {
    const server = await startServer({ engine });
    let stopped = false;
    try {
      const page = await browser.newPage();
      const watch = watchPage(page);
      const alerts: string[] = [];
      page.on("dialog", (d) => {
        alerts.push(d.message());
        d.accept().catch(() => {});
      });
      await page.goto(`${server.http}/`);
      await page.getByRole("button", { name: "Run WebSocket" }).click();
      await waitForText(page, "#events", "message");
      assert.deepEqual(alerts, [
        "Your browser supports WebSocket!",
        "Data is being sent...",
        "Data received...",
      ]);
      assert.equal(
        await page.locator("#received").textContent(),
        "Message to send",
      );

      await server.close();
      stopped = true;
      await waitForText(page, "#events", "close");
      // The close alert comes after the page shows the event.
      const deadline = Date.now() + 10_000;
      while (alerts.length < 4 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.deepEqual(alerts, [
        "Your browser supports WebSocket!",
        "Data is being sent...",
        "Data received...",
        "Connection is closed...",
      ]);
      const steps = await page.evaluate(
        `[...document.querySelectorAll("#events li")].map((li) => [li.dataset.event, li.dataset.readyState])`,
      );
      assert.deepEqual(steps, [
        ["new WebSocket()", "0"],
        ["open", "1"],
        ["message", "1"],
        ["close", "3"],
      ]);
      assert.equal(
        await page.locator("#ready-state").textContent(),
        "3 CLOSED",
      );
      assert.match(
        (await page.locator("#events").textContent()) ?? "",
        /code 1001, reason “test over”/,
      );
      assert.deepEqual(watch.errors, []);
      assert.deepEqual(foreignRequests(watch, server.http), []);
    } finally {
      if (!stopped) await server.close();
    }
  },
  ENGINES,
);

browserTest(
  "tutorial page against main.ts: Ctrl+C on the server shows Connection is closed... with 1001",
  async (browser, engine) => {
    const server = await startEngine(engine);
    try {
      const page = await browser.newPage();
      const alerts: string[] = [];
      page.on("dialog", (d) => {
        alerts.push(d.message());
        d.accept().catch(() => {});
      });
      await page.goto(`${server.http}/`);
      await page.getByRole("button", { name: "Run WebSocket" }).click();
      await waitForText(page, "#received", "Message to send");
      const status = await server.stop("SIGINT");
      assert.equal(status.code, 0, server.output());
      await waitForText(page, "#events", "close");
      assert.match(
        (await page.locator("#events").textContent()) ?? "",
        /code 1001, reason “Server shutting down”/,
      );
      const deadline = Date.now() + 10_000;
      while (alerts.length < 4 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(alerts.at(-1), "Connection is closed...");
      assert.equal(alerts.length, 4);
    } finally {
      await server.stop();
    }
  },
  ENGINES,
);
