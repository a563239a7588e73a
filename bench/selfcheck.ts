/**
 * Checks the checker: runs the load generator against `faulty_echo.ts` and
 * expects every injected fault to fail the run, and a clean server to pass.
 * It needs `cc` and zlib headers; `tests/bench_selfcheck_test.ts` runs it in
 * the test suite.
 *
 * Usage: deno run -A bench/selfcheck.ts
 *
 * @module
 */
import { join } from "node:path";
import { buildLoadgen } from "./loadgen_build.ts";
import { handshakeKey, runLoadgen } from "./loadgen_client.ts";
import { startServer, waitReady } from "./proc.ts";

const ECHO = ["echo", "--conns", "20", "--inflight", "10", "--size", "64"];
const TIMED = ["--warmup", "0.1", "--duration", "0.4"];
/** One run; a failure must name its fault (`expect`), not any error. */
interface Case {
  fault: string;
  args: string[];
  expectOk: boolean;
  expect?: RegExp;
}
const CASES: Case[] = [
  { fault: "none", args: [...ECHO, ...TIMED], expectOk: true },
  {
    fault: "none",
    args: [...ECHO, "--type", "binary", ...TIMED],
    expectOk: true,
  },
  {
    fault: "none",
    args: [
      ...ECHO.slice(0, 5),
      "--size",
      "1024",
      "--type",
      "json",
      "--deflate",
      ...TIMED,
    ],
    expectOk: true,
  },
  { fault: "none", args: ["handshake", "--total", "200"], expectOk: true },
  {
    fault: "none",
    args: ["handshake", "--total", "200", "--warmup", "0.2"],
    expectOk: true,
  },
  {
    fault: "none",
    args: ["idle", "--conns", "500", "--hold", "0.1"],
    expectOk: true,
  },
];
// s4 counts a handshake only once the server answered the client's close.
CASES.push({
  fault: "noclose",
  args: ["handshake", "--total", "200"],
  expectOk: false,
  expect: /without a close reply/,
});
for (const fault of ["corrupt", "drop", "type", "reorder", "close"]) {
  CASES.push({ fault, args: [...ECHO, ...TIMED], expectOk: false });
  CASES.push({
    fault,
    args: [...ECHO, "--type", "binary", ...TIMED],
    expectOk: false,
  });
}

const binary = await buildLoadgen();
let passed = 0, failed = 0;
for (const c of CASES) {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const server = startServer([
    Deno.execPath(),
    "run",
    "-A",
    join(import.meta.dirname!, "faulty_echo.ts"),
    "--port",
    String(port),
    "--fault",
    c.fault,
  ], import.meta.dirname!);
  try {
    const why = await waitReady(port, server);
    if (why) throw new Error(why);
    const { key, accept } = await handshakeKey();
    const r = await runLoadgen(
      { binary, port, serverPid: server.pid, key, accept, core: null },
      c.args,
      30,
    );
    const good = r.ok === c.expectOk &&
      (!c.expect || c.expect.test(r.error ?? ""));
    good ? passed++ : failed++;
    console.log(
      `${good ? "ok  " : "FAIL"} fault=${c.fault.padEnd(7)} ${
        c.args.join(" ")
      }\n     → ${r.ok ? "ok" : r.error}`,
    );
  } finally {
    await server.stop();
  }
}
console.log(`${passed} passed, ${failed} failed`);
Deno.exit(failed ? 1 : 0);
