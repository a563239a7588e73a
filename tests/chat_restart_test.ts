/**
 * `static/chat.html` in headless Chromium survives a restart of its server:
 * two `main.ts` on one real `redis-server`, the page on the first, a Deno
 * client on the second that keeps talking while the first is down.
 */
import assert from "node:assert/strict";
import {
  browserTest,
  foreignRequests,
  waitForText,
  watchPage,
} from "./support/browser.ts";
import { ENGINES, startEngine } from "./support/engines.ts";
import { freePort, startRedis, stopRedis } from "./support/redis.ts";
import type { ServerProcess } from "./support/server.ts";
import { V1Client } from "./support/topics_client.ts";

browserTest(
  "chat.html: the server restarts, the page shows reconnecting…, then every line once, none lost",
  async (browser, engine) => {
    const dir = await Deno.makeTempDir({ prefix: "denosocket-chat-" });
    const redisPort = freePort();
    const redis = await startRedis(redisPort, dir);
    const port = freePort();
    const flags = [
      "--bus",
      `redis://127.0.0.1:${redisPort}`,
      "--log-level",
      "warn",
    ];
    const start = () => startEngine(engine, [...flags, "--port", String(port)]);
    let first: ServerProcess | null = await start();
    const second = await startEngine(engine, flags);
    const room = `restart${crypto.randomUUID().slice(0, 6)}`;
    const bob = await V1Client.open(`${second.ws}/chat/${room}?name=bob`);
    try {
      const page = await browser.newPage();
      const watch = watchPage(page);
      await page.goto(`${first.http}/chat.html?room=${room}&name=alice`);
      await waitForText(page, "#status", `in room ${room}`);
      // The page's own join comes back through Redis: wait for it, so the
      // notices below have one order.
      await waitForText(page, "#log li.notice", "alice joined");
      bob.send({ type: "subscribe", topic: room, last: 50 });
      await waitForText(page, "#log li", "bob joined");
      const say = async (text: string, id: number) => {
        bob.send({ type: "publish", topic: room, data: { text }, id });
        await bob.until((f) => f.type === "published" && f.id === id);
      };
      for (let i = 1; i <= 3; i++) await say(`line ${i}`, i);
      await waitForText(page, "#log li.message", "line 3");

      // The page's server stops; the page says so and keeps trying.
      await first.stop("SIGTERM");
      first = null;
      await waitForText(page, "#status", "reconnecting…");
      assert.equal(await page.locator("#send-button").isDisabled(), true);
      for (let i = 4; i <= 5; i++) await say(`line ${i}`, i);

      // Back on the same port: it resumes from the last line it showed.
      first = await start();
      await waitForText(page, "#status", `in room ${room}`, 60_000);
      await waitForText(page, "#log li.notice", "reconnected: nothing missed");
      await say("line 6", 6);
      await waitForText(page, "#log li.message", "line 6");
      // Each line's text is its last node (after the time and the name).
      const texts = (cls: string) =>
        page.evaluate(
          `[...document.querySelectorAll("#log li.${cls}")].map((li) => li.lastChild.textContent)`,
        );
      assert.deepEqual(await texts("message"), [
        "line 1",
        "line 2",
        "line 3",
        "line 4",
        "line 5",
        "line 6",
      ]);
      assert.deepEqual(await texts("notice"), [
        "alice joined",
        "bob joined",
        "reconnected: nothing missed",
      ]);
      // The page can talk again.
      await page.fill("input[name=text]", "I am back");
      await page.click("#send-button");
      await bob.until((f) =>
        f.type === "message" && f.data.text === "I am back"
      );
      // Only the failed reconnects are errors: the browser logs each one.
      const errors = watch.errors.filter((e) =>
        !/WebSocket connection/.test(e)
      );
      assert.deepEqual(errors, []);
      assert.deepEqual(foreignRequests(watch, `http://127.0.0.1:${port}`), []);
    } finally {
      await bob.close();
      await first?.stop();
      await second.stop();
      await stopRedis(redis);
      await Deno.remove(dir, { recursive: true });
    }
  },
  ENGINES,
);
