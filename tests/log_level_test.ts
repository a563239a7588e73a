// --log-level: a real main.ts per level sees the same events — connections
// opened and closed (info), a handshake refused at --max-connections (warn),
// a handler that throws (error) — and must print exactly the levels at or
// above the one asked for. The output is read after the process has exited,
// so every line it will ever write is there.
import assert from "node:assert/strict";
import { rawUpgrade, upgradeHeaders } from "./support/raw.ts";
import { TestClient } from "./support/ws_client.ts";
import { eachEngine, startEngine } from "./support/engines.ts";
import { within } from "./support/wait.ts";

const LEVELS = ["debug", "info", "warn", "error"] as const;

/** Runs the scenario at `level`; returns the set of levels printed. */
async function levelsPrinted(engine: "deno" | "native", level: string) {
  const server = await startEngine(engine, [
    "--log-level",
    level,
    "--max-connections",
    "1",
  ]);
  let output = "";
  try {
    const failing = new TestClient(`${server.ws}/internal_error`);
    assert.equal((await within(failing.closed)).code, 1011);
    const held = await TestClient.open(`${server.ws}/echo`);
    const refused = await rawUpgrade(server.port, "/echo", upgradeHeaders());
    assert.equal(refused.status, 503);
    await held.close(1000);
  } finally {
    const status = await server.stop("SIGTERM");
    output = server.output();
    assert.equal(status.code, 0, output);
  }
  const seen = new Set<string>();
  for (const m of output.matchAll(/^\S+Z (DEBUG|INFO|WARN|ERROR) +(\w+)/gm)) {
    seen.add(`${m[1].toLowerCase()} ${m[2]}`);
  }
  return { seen, output };
}

eachEngine.test("--log-level prints exactly the levels at or above it", async (engine) => {
  for (const level of ["info", "warn", "error"]) {
    const { seen, output } = await levelsPrinted(engine, level);
    const rank = LEVELS.indexOf(level as typeof LEVELS[number]);
    // The scenario's events, each at its level.
    const expected = [
      ["info", "open"],
      ["info", "close"],
      ["warn", "refused"],
      ["error", "handler_error"],
    ];
    for (const [l, event] of expected) {
      const shown = LEVELS.indexOf(l as typeof LEVELS[number]) >= rank;
      assert.equal(
        seen.has(`${l} ${event}`),
        shown,
        `--log-level ${level}: ${l} ${event} should ${
          shown ? "" : "not "
        }be printed:\n${output}`,
      );
    }
    // No line of a level below the threshold at all.
    for (const entry of seen) {
      const l = entry.split(" ")[0] as typeof LEVELS[number];
      assert.ok(LEVELS.indexOf(l) >= rank, `${entry} at --log-level ${level}`);
    }
  }
});
