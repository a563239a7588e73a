import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import {
  browserTest,
  foreignRequests,
  waitForText,
  watchPage,
} from "./support/browser.ts";
import { startServer, type TestServer } from "./support/server.ts";
import { ENGINES } from "./support/engines.ts";

/** bytes_in/bytes_out summed over the server's close lines for the helper. */
async function serverTotals(server: TestServer, sockets: number) {
  const lines = () =>
    server.logs.filter((l) => / close .*path=\/benchmark_helper /.test(l));
  const deadline = Date.now() + 10_000;
  while (lines().length < sockets && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const sum = (key: string) =>
    lines().reduce(
      (a, l) => a + Number(new RegExp(` ${key}=(\\d+)`).exec(l)?.[1]),
      0,
    );
  return {
    closes: lines().length,
    bytesIn: sum("bytes_in"),
    bytesOut: sum("bytes_out"),
    msgsIn: sum("msgs_in"),
    msgsOut: sum("msgs_out"),
  };
}

async function runBenchmark(
  page: Page,
  direction: "send" | "receive",
): Promise<void> {
  await page.getByLabel(/Message sizes/).fill("100, 4k, 64k");
  await page.getByLabel("Messages per size").fill("20");
  await page.getByLabel("Sockets").fill("2");
  await page.getByLabel("Direction").selectOption(direction);
  await page.getByLabel("Verify every byte").check();
  await page.getByRole("button", { name: "Start" }).click();
  await page.locator('#status[data-state="done"], #status[data-state="error"]')
    .waitFor({ timeout: 60_000 });
  assert.equal(
    await page.locator("#status").getAttribute("data-state"),
    "done",
    (await page.locator("#status").textContent()) ?? "",
  );
}

async function resultRows(page: Page): Promise<string[][]> {
  return await page.evaluate(
    `[...document.querySelectorAll("#results tbody tr")].map((tr) => [tr.dataset.bytes, ...[...tr.cells].map((td) => td.textContent)])`,
  ) as string[][];
}

for (const direction of ["send", "receive"] as const) {
  browserTest(
    `benchmark page: a small ${direction} run completes with the byte totals the server logged`,
    async (browser, engine) => {
      const server = await startServer({ engine });
      try {
        const page = await browser.newPage();
        const watch = watchPage(page);
        await page.goto(`${server.http}/benchmark.html`);
        await runBenchmark(page, direction);

        const rows = await resultRows(page);
        assert.deepEqual(rows.map((r) => r.slice(0, 4)), [
          ["2000", "100 B", "20", "1.95 KiB"],
          ["81920", "4 KiB", "20", "80 KiB"],
          ["1310720", "64 KiB", "20", "1.25 MiB"],
        ]);
        for (const r of rows) {
          assert.ok(Number(r[4]) > 0, `time ${r[4]}`);
          assert.ok(Number(r[5]) > 0, `MB/s ${r[5]}`);
          assert.ok(Number(r[6]) > 0, `msgs/s ${r[6]}`);
        }
        assert.equal(await page.locator("#chart-mbps .bar").count(), 3);
        assert.equal(await page.locator("#chart-mps .bar").count(), 3);
        assert.equal(
          await page.evaluate(`document.getElementById("progress").value`),
          1,
        );

        const sent = Number(await page.locator("#bytes-sent").textContent());
        const received = Number(
          await page.locator("#bytes-received").textContent(),
        );
        const logged = await serverTotals(server, 2);
        assert.equal(logged.closes, 2);
        assert.equal(sent, logged.bytesIn);
        assert.equal(received, logged.bytesOut);
        // The payload itself is there, one way or the other.
        const payload = (100 + 4096 + 65536) * 20;
        assert.ok(
          (direction === "send" ? sent : received) >= payload,
          `${sent} / ${received}`,
        );
        // 20 × 3 requests and replies, plus "send 1" on each socket to send.
        const msgsSent = direction === "send" ? 62 : 60;
        assert.equal(
          await page.locator("#msg-counts").textContent(),
          `${msgsSent} sent, 60 received`,
        );
        assert.equal(logged.msgsIn, msgsSent);
        assert.equal(logged.msgsOut, 60);
        assert.deepEqual(watch.errors, []);
        assert.deepEqual(foreignRequests(watch, server.http), []);
      } finally {
        await server.close();
      }
    },
    ENGINES,
  );
}

browserTest(
  "benchmark page: a bad size is refused with a message and opens no socket",
  async (browser, engine) => {
    const server = await startServer({ engine });
    try {
      const page = await browser.newPage();
      await page.goto(`${server.http}/benchmark.html`);
      await page.getByLabel(/Message sizes/).fill("1k, lots");
      await page.getByRole("button", { name: "Start" }).click();
      await waitForText(page, "#status", 'invalid size "lots"');
      assert.equal(
        await page.locator("#status").getAttribute("data-state"),
        "error",
      );
      assert.ok(!server.logs.some((l) => /benchmark_helper/.test(l)));
    } finally {
      await server.close();
    }
  },
  ENGINES,
);
