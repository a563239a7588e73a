/**
 * `LogWriter` (batched log output) and the logger's timestamps, with
 * recording outputs: which bytes reach which stream, in what order, and
 * when.
 */
import assert from "node:assert/strict";
import { BATCH_LIMIT, FLUSH_DELAY_MS, LogWriter } from "../lib/log_writer.ts";
import { Logger } from "../lib/log.ts";

/** An output that records each write, optionally taking only `chunk` bytes. */
function recorder(name: string, log: string[], chunk = Infinity) {
  const dec = new TextDecoder();
  return {
    writeSync(p: Uint8Array): number {
      const n = Math.min(p.byteLength, chunk);
      log.push(`${name}:${dec.decode(p.subarray(0, n))}`);
      return n;
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("LogWriter writes a burst of lines in one write, a few ms later", async () => {
  const writes: string[] = [];
  const w = new LogWriter(recorder("out", writes), recorder("err", writes));
  for (let i = 0; i < 100; i++) w.line("out", `line ${i}`);
  assert.deepEqual(writes, [], "nothing is written on the caller's path");
  await sleep(FLUSH_DELAY_MS * 4);
  assert.equal(writes.length, 1);
  const expected = Array.from({ length: 100 }, (_, i) => `line ${i}\n`);
  assert.equal(writes[0], `out:${expected.join("")}`);
  assert.equal(w.pending, 0);
});

Deno.test("LogWriter keeps call order across stdout and stderr", () => {
  const writes: string[] = [];
  const w = new LogWriter(recorder("out", writes), recorder("err", writes));
  w.line("out", "a");
  w.line("out", "b");
  w.line("err", "c");
  w.line("out", "d");
  w.flush();
  assert.deepEqual(writes, ["out:a\nb\n", "err:c\n", "out:d\n"]);
});

Deno.test("LogWriter writes at once past BATCH_LIMIT, and for an urgent line", () => {
  const writes: string[] = [];
  const w = new LogWriter(recorder("out", writes), recorder("err", writes));
  const line = "x".repeat(99);
  const fit = Math.floor(BATCH_LIMIT / 100) - 1;
  for (let i = 0; i < fit; i++) w.line("out", line);
  assert.equal(writes.length, 0);
  w.line("out", line);
  w.line("out", line); // reaches the limit: written now, not a turn later
  assert.equal(writes.length, 1);
  assert.equal(writes[0].length, "out:".length + (fit + 2) * 100);
  w.line("out", "before");
  w.line("err", "error line", true);
  assert.deepEqual(writes.slice(1), ["out:before\n", "err:error line\n"]);
});

Deno.test("LogWriter finishes partial writes and survives a broken output", () => {
  const writes: string[] = [];
  const w = new LogWriter(recorder("out", writes, 3), recorder("err", writes));
  w.line("out", "abcdefg");
  w.flush();
  assert.deepEqual(writes, ["out:abc", "out:def", "out:g\n"]);
  const broken = {
    writeSync(): number {
      throw new Deno.errors.BrokenPipe("reader went away");
    },
  };
  const b = new LogWriter(broken, broken);
  b.line("out", "lost, like console.log's");
  assert.doesNotThrow(() => b.flush());
  assert.equal(b.pending, 0);
});

Deno.test("Logger timestamps are ISO 8601 with milliseconds, from the current time", async () => {
  const lines: string[] = [];
  const log = new Logger("info", (_level, line) => lines.push(line));
  for (let i = 0; i < 30; i++) {
    const before = Date.now();
    log.info("tick");
    const after = Date.now();
    const ts = lines.at(-1)!.split(" ")[0];
    assert.match(ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const t = Date.parse(ts);
    assert.ok(t >= before && t <= after, `${ts} not in [${before}, ${after}]`);
    await sleep(37); // crosses second boundaries within the loop
  }
});
