/** `bench/fanout.ts` runs end to end on a small scale (figures not judged). */
import assert from "node:assert/strict";
import { childEnv } from "./support/spawn.ts";

const BUSES = [
  "local",
  "local+history",
  "broadcast",
  "broadcast+history",
  "redis",
  "redis+history",
];

Deno.test("bench/fanout.ts delivers every message to every subscriber on each bus, with and without history", async () => {
  const dir = await Deno.makeTempDir({ prefix: "denosocket-fanout-" });
  try {
    const out = `${dir}/fanout.json`;
    const run = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "bench/fanout.ts",
        "--subs",
        "20",
        "--messages",
        "30",
        "--only",
        BUSES.join(","),
        "--out",
        out,
      ],
      cwd: new URL("../", import.meta.url),
      clearEnv: true,
      env: childEnv(),
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(run.stdout) +
      new TextDecoder().decode(run.stderr);
    assert.equal(run.code, 0, text);
    assert.match(text, /deliveries\/s/);
    const report = JSON.parse(await Deno.readTextFile(out));
    assert.deepEqual(report.results.map((r: { bus: string }) => r.bus), BUSES);
    for (const r of report.results) {
      assert.equal(r.deliveries, 20 * 30, r.bus);
      assert.equal(r.lost, 0, r.bus);
      assert.equal(r.duplicates, 0, r.bus);
      assert.ok(r.p99Ms >= r.p50Ms, r.bus);
      assert.ok(r.clientCpuShare >= 0 && r.clientCpuShare <= 1, r.bus);
      // A resume of 1,000 missed messages is timed on the +history rows
      // (the bench fails if one is not recovered in full).
      if (r.bus.endsWith("+history")) {
        assert.equal(r.resume.missed, 1000, r.bus);
        assert.equal(r.resume.ms.length, 5, r.bus);
      } else assert.equal(r.resume, undefined, r.bus);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
