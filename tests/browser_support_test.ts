import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);

async function runTutorialTest(env: Record<string, string>) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", "--no-check", "tests/tutorial_page_test.ts"],
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
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
});
