/** `static/chat.html` in headless Chromium: two pages in one room talk. */
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { startServer } from "./support/server.ts";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

Deno.test({
  name: "chat.html: two browser pages in one room exchange a message",
  // playwright keeps its pipe to Chromium open across the test's ops.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const server = await startServer();
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ARGS,
      timeout: 60_000,
    });
    try {
      const room = `b${crypto.randomUUID().slice(0, 6)}`;
      const errors: string[] = [];
      const foreign: string[] = [];
      const open = async (name: string) => {
        const page = await browser.newPage();
        page.on("pageerror", (e) => errors.push(String(e)));
        page.on("request", (r) => {
          if (new URL(r.url()).host !== new URL(server.http).host) {
            foreign.push(r.url());
          }
        });
        await page.goto(`${server.http}/chat.html?room=${room}&name=${name}`);
        await page.locator("#status").filter({ hasText: `in room ${room}` })
          .waitFor({ timeout: 30_000 });
        return page;
      };
      const alice = await open("alice");
      const bob = await open("bob");
      await alice.locator("#log li").filter({ hasText: "bob joined" })
        .waitFor({ timeout: 30_000 });
      await alice.fill("input[name=text]", "hello <b>bob</b>");
      await alice.click("#send-button");
      const line = bob.locator("#log li.message").filter({
        hasText: "hello <b>bob</b>",
      });
      await line.waitFor({ timeout: 30_000 });
      assert.match(await line.innerText(), /alice:\s*hello <b>bob<\/b>/);
      // Text is shown as text: no element was made from the message.
      assert.equal(await bob.locator("#log li.message b").count(), 1);
      await bob.click("#leave-button");
      await alice.locator("#log li").filter({ hasText: "bob left" })
        .waitFor({ timeout: 30_000 });
      assert.deepEqual(errors, []);
      assert.deepEqual(foreign, []);
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
