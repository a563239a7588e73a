/**
 * `deno task screenshots`: PNGs of the tutorial, console and benchmark pages
 * at 360 px and 1280 px wide, light and dark, in `shots/` (git-ignored),
 * each after a short real session so the pages show content.
 * `--readme` also writes `docs/console.png`, the README's picture.
 *
 * @module
 */
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { createApp } from "../lib/app/app.ts";
import { Logger } from "../lib/log.ts";
import { PROJECT_ROOT } from "../lib/paths.ts";
import manifest from "../handlers/manifest.gen.ts";
import { routesFromManifest } from "../lib/routing/manifest.ts";
import { launchBrowser } from "../tests/support/browser.ts";
import { PAGE_FLOWS } from "../tests/support/page_flows.ts";

const SHOTS = join(PROJECT_ROOT, "shots");
const WIDTHS = [360, 1280];
const SCHEMES = ["light", "dark"] as const;

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
    await PAGE_FLOWS[name](page, origin);
    await page.screenshot({ path, fullPage });
    console.log(path);
  } finally {
    await context.close();
  }
}

if (import.meta.main) {
  const app = createApp(
    { port: 0, logLevel: "error" },
    routesFromManifest(manifest),
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
    for (const name of Object.keys(PAGE_FLOWS)) {
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
