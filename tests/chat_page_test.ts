/** `static/chat.html` in headless Chromium: two pages in one room talk. */
import assert from "node:assert/strict";
import {
  browserTest,
  foreignRequests,
  waitForText,
  watchPage,
} from "./support/browser.ts";
import { startServer } from "./support/server.ts";

browserTest(
  "chat.html: two browser pages in one room exchange a message",
  async (browser) => {
    const server = await startServer();
    try {
      const room = `b${crypto.randomUUID().slice(0, 6)}`;
      const open = async (name: string) => {
        const page = await browser.newPage();
        const watch = watchPage(page);
        await page.goto(`${server.http}/chat.html?room=${room}&name=${name}`);
        await waitForText(page, "#status", `in room ${room}`);
        return { page, watch };
      };
      const alice = await open("alice");
      const bob = await open("bob");
      await waitForText(alice.page, "#log li", "bob joined");
      await alice.page.fill("input[name=text]", "hello <b>bob</b>");
      await alice.page.click("#send-button");
      await waitForText(bob.page, "#log li.message", "hello <b>bob</b>");
      const line = bob.page.locator("#log li.message").last();
      assert.match(await line.innerText(), /alice:\s*hello <b>bob<\/b>/);
      // Shown as text: the only <b> in the line is the sender's name.
      assert.equal(await line.locator("b").count(), 1);
      await bob.page.click("#leave-button");
      await waitForText(alice.page, "#log li", "bob left");
      await waitForText(bob.page, "#status", "disconnected (1000 bye)");
      for (const { watch } of [alice, bob]) {
        assert.deepEqual(watch.errors, []);
        assert.deepEqual(foreignRequests(watch, server.http), []);
      }
    } finally {
      await server.close();
    }
  },
);
