/**
 * Short real sessions on each page, so screenshots and accessibility checks
 * see the pages with content (events, log lines, results), not empty.
 *
 * @module
 */
import type { Page } from "playwright-core";

/** A session on one page, given the server's `http://host:port` origin. */
export type PageFlow = (page: Page, origin: string) => Promise<void>;

/**
 * The tutorial, the console and the benchmark page, each after a session.
 *
 * @example
 * ```ts ignore
 * await PAGE_FLOWS.console(page, server.http);
 * ```
 */
export const PAGE_FLOWS: Readonly<Record<string, PageFlow>> = {
  async tutorial(page, origin) {
    page.on("dialog", (d) => d.accept().catch(() => {}));
    await page.goto(`${origin}/`);
    await page.getByRole("button", { name: "Run WebSocket" }).click();
    await page.locator('#events li[data-event="message"]').waitFor();
  },
  async console(page, origin) {
    await page.goto(`${origin}/subprotocol`);
    await page.locator("#speaks button").first().click();
    await page.getByRole("button", { name: "Connect", exact: true }).click();
    await page.locator('#log li[data-kind="open"]').waitFor();
    await page.getByLabel("Text message").fill("Hello, denosocket!");
    await page.getByLabel("Text message").press("Enter");
    await page.getByLabel("Binary: bytes in hex").fill("de ad be ef 00 01");
    await page.getByRole("button", { name: "Send bytes" }).click();
    await page.locator('#log li[data-kind="message"]').nth(2).waitFor();
    await page.getByLabel("Text message").focus();
  },
  async benchmark(page, origin) {
    await page.goto(`${origin}/benchmark.html`);
    await page.getByLabel(/Message sizes/).fill("1k, 16k, 256k");
    await page.getByLabel("Messages per size").fill("50");
    await page.getByRole("button", { name: "Start" }).click();
    await page.locator('#status[data-state="done"]').waitFor({
      timeout: 60_000,
    });
  },
};
