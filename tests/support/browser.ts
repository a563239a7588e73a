/**
 * Headless Chromium for page tests and screenshots: Debian's
 * `/usr/bin/chromium` driven by `playwright-core`, a fresh temporary profile
 * per launch, and a watch on every page for script errors and requests that
 * leave this server.
 *
 * @module
 */
import { type Browser, chromium, type Page } from "playwright-core";
import type { EngineName } from "../../lib/options.ts";
import { ignoredBecause, TOOLS } from "./tools.ts";

/** The Chromium binary; `DENOSOCKET_CHROMIUM` overrides it. */
export const CHROMIUM_PATH: string = TOOLS.chromium.path;

/** Set to 1 to mark browser tests ignored on a machine without Chromium. */
export const SKIP_ENV = TOOLS.chromium.skipEnv;

/** Flags that keep Chromium quiet, offline and usable as root in CI. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
  // Docker gives a container a 64 MiB /dev/shm, too small for Chromium's
  // shared memory; this puts it in /tmp. playwright-core 1.65 passes it by
  // default as well (chrome://version shows it): ours keeps it if that ends.
  "--disable-dev-shm-usage",
];

/**
 * Why Chromium cannot be used here, or `null` when it can.
 *
 * @example
 * ```ts ignore
 * const problem = chromiumProblem();
 * if (problem) throw new Error(problem);
 * ```
 */
export function chromiumProblem(): string | null {
  try {
    if (Deno.statSync(CHROMIUM_PATH).isFile) return null;
  } catch { /* missing: explained below */ }
  return `Chromium not found at ${CHROMIUM_PATH}. The browser tests need it: ` +
    `install it with \`apt-get install -y chromium\` (or point ` +
    `DENOSOCKET_CHROMIUM at a Chromium binary). To skip these tests on this ` +
    `machine only, set ${SKIP_ENV}=1: they are then reported as ignored.`;
}

/**
 * Launches headless Chromium with a fresh temporary profile; throws a
 * message saying how to install it when it is missing.
 *
 * @example
 * ```ts ignore
 * const browser = await launchBrowser();
 * try { ... } finally { await browser.close(); }
 * ```
 */
export async function launchBrowser(): Promise<Browser> {
  const problem = chromiumProblem();
  if (problem) throw new Error(problem);
  return await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS],
    timeout: 60_000,
  });
}

/**
 * A `Deno.test` with a browser: fails (with install advice) when Chromium is
 * missing, and is reported as ignored — never passed — when
 * `DENOSOCKET_SKIP_BROWSER=1`, with `(ignored: DENOSOCKET_SKIP_BROWSER=1)` at
 * the end of its name for `deno task test` to report. Given `engines` (e.g.
 * `ENGINES`), one test per engine named `"NAME [engine]"`; without, one test
 * on the deno engine (for checks of the pages themselves, such as axe-core,
 * that no engine changes).
 *
 * @example
 * ```ts ignore
 * browserTest("the console connects", async (browser, engine) => {
 *   const server = await startServer({ engine });
 * }, ENGINES);
 * ```
 */
export function browserTest(
  name: string,
  fn: (browser: Browser, engine: EngineName) => Promise<void>,
  engines?: readonly EngineName[],
): void {
  const skipped = ignoredBecause(TOOLS.chromium);
  for (const engine of engines ?? ["deno"] as const) {
    const full = engines ? `${name} [${engine}]` : name;
    Deno.test({
      name: skipped ? `${full} (ignored: ${skipped})` : full,
      ignore: skipped !== undefined,
      // playwright keeps its pipe to Chromium open between tests' ops.
      sanitizeOps: false,
      sanitizeResources: false,
      async fn() {
        const browser = await launchBrowser();
        try {
          await fn(browser, engine);
        } finally {
          await browser.close();
        }
      },
    });
  }
}

/** What a watched page did that a test may want to reject. */
export interface PageWatch {
  /** Uncaught exceptions, `console.error` lines and HTTP errors. */
  errors: string[];
  /** Every URL the page requested. */
  requests: string[];
}

/**
 * Records a page's script errors and requests.
 *
 * @example
 * ```ts ignore
 * const watch = watchPage(page);
 * assert.deepEqual(watch.errors, []);
 * ```
 */
export function watchPage(page: Page): PageWatch {
  const watch: PageWatch = { errors: [], requests: [] };
  page.on("pageerror", (err) => watch.errors.push(String(err)));
  page.on("console", (msg) => {
    if (msg.type() === "error") watch.errors.push(msg.text());
  });
  page.on("request", (req) => watch.requests.push(req.url()));
  page.on("response", (res) => {
    if (res.status() >= 400) watch.errors.push(`${res.status()} ${res.url()}`);
  });
  return watch;
}

/**
 * The requests that went anywhere but `origin` (http or ws of the same host).
 *
 * @example
 * ```ts ignore
 * assert.deepEqual(foreignRequests(watch, server.http), []);
 * ```
 */
export function foreignRequests(watch: PageWatch, origin: string): string[] {
  const host = new URL(origin).host;
  return watch.requests.filter((u) => {
    if (u.startsWith("data:") || u.startsWith("blob:")) return false;
    try {
      return new URL(u).host !== host;
    } catch {
      return true;
    }
  });
}

/**
 * Waits until an element matching `selector` contains `text`.
 *
 * @example
 * ```ts ignore
 * await waitForText(page, "#status", "Done");
 * ```
 */
export async function waitForText(
  page: Page,
  selector: string,
  text: string,
  timeout = 30_000,
): Promise<void> {
  await page.locator(selector).filter({ hasText: text }).first().waitFor({
    timeout,
  });
}

/**
 * The detail text of the console page's newest log entry of `kind` that
 * contains `text`, once there is one.
 *
 * @example
 * ```ts ignore
 * await consoleLogEntry(page, "close", "code"); // 'code 1000, reason "", …'
 * ```
 */
export async function consoleLogEntry(
  page: Page,
  kind: string,
  text: string,
): Promise<string> {
  const entry = page.locator(`#log li[data-kind="${kind}"]`).filter({
    hasText: text,
  }).last();
  await entry.waitFor({ timeout: 20_000 });
  return (await entry.locator(".detail").textContent()) ?? "";
}
