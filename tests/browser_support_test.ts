import assert from "node:assert/strict";
import { browserTest } from "./support/browser.ts";
import { childEnv } from "./support/spawn.ts";

const ROOT = new URL("../", import.meta.url);

async function runTutorialTest(env: Record<string, string>) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", "--no-check", "tests/tutorial_page_test.ts"],
    cwd: ROOT,
    clearEnv: true,
    env: childEnv(env),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    text: dec.decode(out.stdout) + dec.decode(out.stderr),
  };
}

Deno.test("browser tests fail with install advice when Chromium is missing", async () => {
  const { code, text } = await runTutorialTest({
    DENOSOCKET_CHROMIUM: "/nonexistent/chromium",
    DENOSOCKET_SKIP_BROWSER: "0",
  });
  assert.notEqual(code, 0, text);
  assert.match(text, /apt-get install -y chromium/);
  assert.match(text, /DENOSOCKET_SKIP_BROWSER=1/);
  assert.match(text, /0 passed \| [1-9]\d* failed/);
});

Deno.test("DENOSOCKET_SKIP_BROWSER=1 reports browser tests as ignored, not passed", async () => {
  const { code, text } = await runTutorialTest({
    DENOSOCKET_CHROMIUM: "/nonexistent/chromium",
    DENOSOCKET_SKIP_BROWSER: "1",
  });
  assert.equal(code, 0, text);
  assert.match(text, /0 passed \| 0 failed \| [1-9]\d* ignored/);
  // The reason rides in the name, where deno task test reads it.
  const ignored = text.split("\n").filter((l) => / \.\.\. ignored/.test(l));
  assert.ok(ignored.length > 0, text);
  for (const line of ignored) {
    assert.match(line, /\(ignored: DENOSOCKET_SKIP_BROWSER=1\) \.\.\. ignored/);
  }
});

// A container's /dev/shm is 64 MiB unless raised: Chromium must not use it.
// Playwright passes the flag by default too; CHROMIUM_ARGS makes it ours.
browserTest("Chromium runs with --disable-dev-shm-usage", async (browser) => {
  const page = await browser.newPage();
  await page.goto("chrome://version");
  const commandLine = await page.locator("#command_line").innerText();
  assert.match(commandLine, /(^| )--disable-dev-shm-usage( |$)/);
});
