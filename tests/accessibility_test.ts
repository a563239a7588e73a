import assert from "node:assert/strict";
import axe from "axe-core";
import { browserTest } from "./support/browser.ts";
import { PAGE_FLOWS } from "./support/page_flows.ts";
import { startServer } from "./support/server.ts";

// axe-core checks labels, roles, landmarks and colour contrast; each page is
// checked after a real session (so log lines and results are on it), at
// phone and desktop widths, in light and dark.
browserTest(
  "the three pages pass axe-core at 360 and 1280 px, light and dark",
  async (browser) => {
    const server = await startServer();
    const problems: string[] = [];
    try {
      for (const scheme of ["light", "dark"] as const) {
        for (const width of [360, 1280]) {
          for (const [name, flow] of Object.entries(PAGE_FLOWS)) {
            const context = await browser.newContext({
              viewport: { width, height: 800 },
              colorScheme: scheme,
            });
            try {
              const page = await context.newPage();
              await flow(page, server.http);
              await page.addScriptTag({ content: axe.source });
              const violations = await page.evaluate(
                `axe.run().then((r) => r.violations.map((v) => v.id + ": " + v.nodes.map((n) => n.target.join(" ")).join(", ")))`,
              ) as string[];
              for (const v of violations) {
                problems.push(`${name} ${width}px ${scheme}: ${v}`);
              }
              // Nothing overflows sideways on a phone.
              const overflow = await page.evaluate(
                `document.documentElement.scrollWidth - document.documentElement.clientWidth`,
              );
              if (overflow !== 0) {
                problems.push(`${name} ${width}px: ${overflow}px too wide`);
              }
            } finally {
              await context.close();
            }
          }
        }
      }
      assert.deepEqual(problems, []);
    } finally {
      await server.close();
    }
  },
);

browserTest(
  "keyboard focus is visible on every control of the console",
  async (browser) => {
    const server = await startServer();
    try {
      const page = await browser.newPage();
      await page.goto(`${server.http}/console.html`);
      await page.locator("#url").focus();
      const seen: string[] = [];
      for (let i = 0; i < 20 && seen.at(-1) !== "close-reason"; i++) {
        if (i > 0) await page.keyboard.press("Tab");
        const [id, outline] = await page.evaluate(
          `[document.activeElement.id || document.activeElement.tagName, getComputedStyle(document.activeElement).outlineStyle + " " + getComputedStyle(document.activeElement).outlineWidth]`,
        ) as [string, string];
        seen.push(id);
        assert.equal(outline, "solid 3px", `focus outline on ${id}`);
      }
      // Tab walks the form in reading order.
      // Disabled buttons (no socket yet) are skipped.
      assert.deepEqual(seen, [
        "url",
        "protocols",
        "connect",
        // The log (above the send form, as in a chat) scrolls, so it takes
        // focus: arrow keys scroll it.
        "clear-log",
        "log",
        "message",
        "hex",
        "file",
        "binary-type",
        "close-code",
        "close-reason",
      ]);
    } finally {
      await server.close();
    }
  },
);
