import assert from "node:assert/strict";
import { browserTest } from "./support/browser.ts";
import { startServer } from "./support/server.ts";
import { ENGINES } from "./support/engines.ts";

/** Page script: opens `url`, sends "hi", resolves with the echo or the close code. */
const echoOnce = (url: string) =>
  `new Promise((resolve) => {
  const ws = new WebSocket(${JSON.stringify(url)});
  ws.onopen = () => ws.send("hi");
  ws.onmessage = (e) => { resolve("echo " + e.data); ws.close(); };
  ws.onclose = (e) => resolve("closed " + e.code);
})`;

browserTest(
  "a browser logged in with --basic-auth opens same-origin WebSockets",
  async (browser, engine) => {
    const s = await startServer({
      engine,
      basicAuth: "ann:s3cret",
      sameOrigin: true,
    });
    try {
      const context = await browser.newContext({
        httpCredentials: { username: "ann", password: "s3cret" },
      });
      const page = await context.newPage();
      const res = await page.goto(`${s.http}/`);
      assert.equal(res?.status(), 200);
      // The browser sends its cached credentials and its Origin on the upgrade.
      assert.equal(await page.evaluate(echoOnce(`${s.ws}/echo`)), "echo hi");
      await context.close();

      // Without credentials the page is refused (headless Chromium turns the
      // 401 into ERR_INVALID_AUTH_CREDENTIALS for a navigation).
      const anon = await browser.newContext();
      const refused = await anon.request.get(`${s.http}/`);
      assert.equal(refused.status(), 401);
      assert.match(refused.headers()["www-authenticate"] ?? "", /^Basic/);
      await anon.close();
      assert.ok(s.logs.some((l) => /refused .*status=401/.test(l)));
    } finally {
      await s.close();
    }
  },
  ENGINES,
);

browserTest(
  "--origin refuses a browser page served from another origin",
  async (browser, engine) => {
    const s = await startServer({ engine, origins: ["https://app.example"] });
    try {
      const page = await browser.newPage();
      await page.goto(`${s.http}/`);
      assert.equal(
        await page.evaluate(echoOnce(`${s.ws}/echo`)),
        "closed 1006",
      );
      assert.ok(
        s.logs.some((l) =>
          /refused .*status=403 .*origin=http:\/\/127\.0\.0\.1:/.test(l)
        ),
        s.logs.join("\n"),
      );
      await page.close();
    } finally {
      await s.close();
    }
  },
  ENGINES,
);
