/** `static/chat.html` in headless Chromium: two pages in one room talk. */
import assert from "node:assert/strict";
import axe from "axe-core";
import {
  browserTest,
  foreignRequests,
  waitForText,
  watchPage,
} from "./support/browser.ts";
import { startServer } from "./support/server.ts";
import { ENGINES } from "./support/engines.ts";

browserTest(
  "chat.html: two browser pages in one room exchange a message",
  async (browser, engine) => {
    const server = await startServer({ engine });
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
  ENGINES,
);

browserTest(
  "chat.html passes axe-core at 360 and 1280 px, light and dark",
  async (browser) => {
    const server = await startServer();
    const problems: string[] = [];
    try {
      for (const colorScheme of ["light", "dark"] as const) {
        for (const width of [360, 1280]) {
          const context = await browser.newContext({
            viewport: { width, height: 800 },
            colorScheme,
          });
          try {
            const page = await context.newPage();
            await page.goto(`${server.http}/chat.html?room=axe&name=ann`);
            await waitForText(page, "#log li", "ann joined");
            await page.fill("input[name=text]", "a message");
            await page.click("#send-button");
            await waitForText(page, "#log li.message", "a message");
            await page.addScriptTag({ content: axe.source });
            const violations = await page.evaluate(
              `axe.run().then((r) => r.violations.map((v) => v.id + ": " + v.nodes.map((n) => n.target.join(" ")).join(", ")))`,
            ) as string[];
            for (const v of violations) {
              problems.push(`${width}px ${colorScheme}: ${v}`);
            }
            const overflow = await page.evaluate(
              `document.documentElement.scrollWidth - document.documentElement.clientWidth`,
            );
            if (overflow !== 0) {
              problems.push(
                `${width}px: ${overflow}px too wide`,
              );
            }
          } finally {
            await context.close();
          }
        }
      }
      assert.deepEqual(problems, []);
    } finally {
      await server.close();
    }
  },
);
