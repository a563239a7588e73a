/**
 * `bench/selfcheck.ts` runs in the suite: the load generator must score a
 * clean echo server and catch every fault of `bench/faulty_echo.ts`
 * (corrupt, dropped, re-typed or reordered echoes, an unexpected close, a
 * close handshake without the server's reply). It builds the C load
 * generator, so the suite needs `cc` and zlib headers (`.ci/run` installs
 * them); without them this test fails, it is never skipped.
 */
import assert from "node:assert/strict";

Deno.test("bench/selfcheck.ts: the load generator passes a clean server and catches every fault", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "bench/selfcheck.ts"],
    cwd: new URL("../", import.meta.url),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) +
    new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, text);
  // 6 clean runs (text, binary, deflate, handshakes with and without a
  // warm-up, idle), 1 handshake fault and 5 echo faults × text and binary.
  assert.match(text, /^17 passed, 0 failed$/m);
  assert.match(
    text,
    /^ok {3}fault=noclose handshake .*\n {5}→ conn \d+: server ended the connection without a close reply/m,
  );
  for (const fault of ["corrupt", "drop", "type", "reorder", "close"]) {
    const lines = text.split("\n").filter((l) => l.includes(`fault=${fault} `));
    assert.equal(lines.length, 2, fault);
    assert.ok(lines.every((l) => l.startsWith("ok ")), fault);
  }
});
