/**
 * The dev console covers program endpoints as a new user meets them: open
 * `/greeter.sh` in Chromium, talk to it, then watch `/count.sh` count and
 * close 1000. Both engines.
 */
import assert from "node:assert/strict";
import {
  browserTest,
  consoleLogEntry,
  waitForText,
  watchPage,
} from "./support/browser.ts";
import { ENGINES } from "./support/engines.ts";
import { EXAMPLES, programServer, routesOf } from "./support/programs.ts";

browserTest(
  "console: a browser opening /greeter.sh talks to the program; /count.sh counts and closes 1000",
  async (browser, engine) => {
    const routes = await routesOf([EXAMPLES], { env: { COUNT_DELAY: "0.05" } });
    const server = await programServer(engine, routes, {
      passEnv: ["PATH", "COUNT_DELAY"],
    });
    try {
      const page = await browser.newPage();
      const watch = watchPage(page);
      await page.goto(`${server.http}/greeter.sh`);
      assert.equal(new URL(page.url()).pathname, "/console.html");
      assert.equal(await page.inputValue("#url"), `${server.ws}/greeter.sh`);
      await page.getByRole("button", { name: "Connect", exact: true }).click();
      await waitForText(page, "#ready-state", "1 OPEN");
      await page.getByLabel("Text message").fill("Ann");
      await page.getByLabel("Text message").press("Enter");
      assert.equal(
        await consoleLogEntry(page, "message", "Hello, Ann!"),
        "text, 11 bytes: Hello, Ann!",
      );
      await page.getByRole("button", { name: "Close", exact: true }).click();
      await waitForText(page, "#ready-state", "3 CLOSED");

      await page.goto(`${server.http}/count.sh`);
      await page.getByRole("button", { name: "Connect", exact: true }).click();
      assert.equal(
        await consoleLogEntry(page, "close", "code"),
        'code 1000, reason "program exited", wasClean true',
      );
      const counted = await page.locator('#log li[data-kind="message"]')
        .allTextContents();
      assert.equal(counted.length, 10, counted.join("\n"));
      assert.match(counted[9], /text, 2 bytes: 10/);
      assert.deepEqual(watch.errors, []);
    } finally {
      await server.close();
    }
  },
  ENGINES,
);
