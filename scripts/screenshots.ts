/**
 * `deno task screenshots`: PNGs of the tutorial, console and benchmark pages
 * at 360 px and 1280 px wide, light and dark, in `shots/` (git-ignored),
 * each after a short real session so the pages show content.
 * `--readme` also writes `docs/console.png`, the README's picture.
 *
 * @module
 */
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { createApp } from "../app.ts";
import { Logger } from "../lib/log.ts";
import { PROJECT_ROOT } from "../lib/paths.ts";
import { loadRoutes } from "../lib/routes.ts";
import { launchBrowser } from "../tests/support/browser.ts";

const SHOTS = join(PROJECT_ROOT, "shots");
const WIDTHS = [360, 1280];
const SCHEMES = ["light", "dark"] as const;

/** Brings each page into a state worth looking at. */
const PAGES: Record<string, (page: Page, origin: string) => Promise<void>> = {
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

async function shoot(
  browser: Browser,
  origin: string,
  name: string,
  width: number,
  scheme: "light" | "dark",
  path: string,
  fullPage = true,
): Promise<void> {
  const context = await browser.newContext({
    viewport: { width, height: width < 600 ? 740 : 800 },
    colorScheme: scheme,
  });
  try {
    const page = await context.newPage();
    await PAGES[name](page, origin);
    await page.screenshot({ path, fullPage });
    console.log(path);
  } finally {
    await context.close();
  }
}

if (import.meta.main) {
  const app = createApp(
    { port: 0, logLevel: "error" },
    await loadRoutes(null),
    new Logger("error"),
  );
  const server = Deno.serve({
    port: 0,
    hostname: "127.0.0.1",
    onListen() {},
  }, app.fetch);
  const origin = `http://127.0.0.1:${server.addr.port}`;
  const browser = await launchBrowser();
  try {
    await Deno.mkdir(SHOTS, { recursive: true });
    for (const name of Object.keys(PAGES)) {
      for (const width of WIDTHS) {
        for (const scheme of SCHEMES) {
          const file = join(SHOTS, `${name}-${width}-${scheme}.png`);
          await shoot(browser, origin, name, width, scheme, file);
        }
      }
    }
    if (Deno.args.includes("--readme")) {
      const file = join(PROJECT_ROOT, "docs", "console.png");
      await Deno.mkdir(join(PROJECT_ROOT, "docs"), { recursive: true });
      await shoot(browser, origin, "console", 1100, "light", file, false);
    }
  } finally {
    await browser.close();
    await app.closeAll(1001, "screenshots done", 2000);
    await server.shutdown();
  }
}
