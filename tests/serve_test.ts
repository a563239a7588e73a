import assert from "node:assert/strict";
import { TestClient } from "./support/ws_client.ts";

Deno.test("serve.ts serves the tutorial and /echo under deno serve --parallel", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "serve",
      "--allow-net",
      "--allow-read",
      "--allow-env",
      "--parallel",
      "--port",
      "0",
      "--host",
      "127.0.0.1",
      "serve.ts",
    ],
    cwd: new URL("../", import.meta.url),
    env: { DENO_JOBS: "2" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const port = Promise.withResolvers<number>();
  const pump = async (s: ReadableStream<Uint8Array>) => {
    for await (const chunk of s.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      const m = /Listening on http:\/\/[^:]+:(\d+)\/ with 2 threads/.exec(text);
      if (m) port.resolve(Number(m[1]));
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const timer = setTimeout(
    () => port.reject(new Error(`not listening:\n${text}`)),
    20_000,
  );
  try {
    const p = await port.promise;
    const page = await fetch(`http://127.0.0.1:${p}/`);
    assert.match(await page.text(), /Run WebSocket/);
    const c = await TestClient.open(`ws://127.0.0.1:${p}/echo`);
    c.send("through a worker");
    assert.equal(await c.next(), "through a worker");
    await c.close();
  } finally {
    clearTimeout(timer);
    child.kill("SIGTERM");
    // deno serve is graceful on SIGTERM; never let a stuck child hang the suite.
    const force = setTimeout(() => child.kill("SIGKILL"), 10_000);
    const status = await child.status;
    clearTimeout(force);
    await pumps;
    assert.equal(status.success, true, text);
  }
});
