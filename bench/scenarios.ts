/**
 * The six scenarios of issue 3, as load generator invocations, and the two
 * program-endpoint rows of issue 14 (against `bench/programs/`, side by side
 * with websocketd). s5 (memory) is listed first: it needs a freshly started
 * server so that "RSS before" is not inflated by buffers left from earlier
 * scenarios.
 *
 * @module
 */
import type { Budget, LoadgenResult, Scenario } from "./model.ts";

function num(r: LoadgenResult, field: string): number {
  const v = r[field];
  return typeof v === "number" ? v : 0;
}

/** Load-generator arguments for an echo scenario. */
function echoArgs(
  b: Budget,
  conns: number,
  inflight: number,
  size: number,
  extra: string[] = [],
): string[] {
  return [
    "echo",
    "--conns",
    String(conns),
    "--inflight",
    String(inflight),
    "--size",
    String(size),
    ...extra,
    ...timed(b),
  ];
}

function timed(b: Budget): string[] {
  return ["--warmup", String(b.warmupS), "--duration", String(b.durationS)];
}

/** Every scenario, in the order a round runs them. */
export const SCENARIOS: Scenario[] = [
  {
    id: "s5",
    title: "s5 memory: idle connections",
    unit: "KiB/conn",
    args: (
      b,
    ) => [
      "idle",
      "--conns",
      String(b.idleConns),
      "--concurrency",
      "128",
      "--hold",
      String(b.holdS),
    ],
    metric: (r) => num(r, "bytes_per_conn") / 1024,
    higherIsBetter: false,
  },
  {
    // Idle after one 1 KiB JSON echo with permessage-deflate offered: the
    // zlib contexts a used deflate connection keeps (fewer connections:
    // ~300 KiB each when the server accepts).
    id: "s5-deflate",
    title: "s5 memory: idle after one deflate echo",
    unit: "KiB/conn",
    args: (b) => [
      "idle",
      "--conns",
      String(Math.max(100, Math.round(b.idleConns / 5))),
      "--concurrency",
      "128",
      "--hold",
      String(b.holdS),
      "--use",
      "--deflate",
      "--type",
      "json",
      "--size",
      "1024",
    ],
    metric: (r) => num(r, "bytes_per_conn") / 1024,
    higherIsBetter: false,
  },
  {
    id: "s1",
    title: "s1 latency: 1 conn, 1 in flight, 32 B",
    unit: "msg/s",
    args: (b) => echoArgs(b, 1, 1, 32),
    metric: (r) => num(r, "msgs_per_s"),
    higherIsBetter: true,
  },
  {
    id: "s2-text",
    title: "s2 throughput: 100 conns × 10, 64 B text",
    unit: "msg/s",
    args: (b) => echoArgs(b, 100, 10, 64),
    metric: (r) => num(r, "msgs_per_s"),
    higherIsBetter: true,
  },
  {
    id: "s2-binary",
    title: "s2 throughput: 100 conns × 10, 64 B binary",
    unit: "msg/s",
    args: (b) => echoArgs(b, 100, 10, 64, ["--type", "binary"]),
    metric: (r) => num(r, "msgs_per_s"),
    higherIsBetter: true,
  },
  {
    id: "s3",
    title: "s3 bandwidth: 1 conn × 100, 64 KiB binary",
    unit: "MB/s",
    args: (b) => echoArgs(b, 1, 100, 65536, ["--type", "binary"]),
    metric: (r) => num(r, "mb_per_s"),
    higherIsBetter: true,
  },
  {
    id: "s4",
    title: "s4 handshakes: open + close, 50 at a time",
    unit: "conn/s",
    args: (
      b,
    ) => ["handshake", "--total", String(b.handshakes), "--concurrency", "50"],
    metric: (r) => num(r, "conns_per_s"),
    higherIsBetter: true,
  },
  {
    id: "s6",
    title: "s6 deflate: 100 conns × 10, 1 KiB JSON text",
    unit: "msg/s",
    args: (b) => echoArgs(b, 100, 10, 1024, ["--type", "json", "--deflate"]),
    metric: (r) => num(r, "msgs_per_s"),
    higherIsBetter: true,
  },
  {
    // s2 through a program: each message a line on cat's stdin, each line
    // of its stdout a message back (the byte-exact echo check still holds).
    id: "cat-s2",
    title: "program cat at s2: 100 conns × 10, 64 B text",
    unit: "msg/s",
    // At least 1 s of warm-up: the 100 cats start after their 101s, and at
    // a few hundred spawns a second that takes longer than --quick's 0.1 s.
    args: (b) =>
      echoArgs({ ...b, warmupS: Math.max(1, b.warmupS) }, 100, 10, 64, [
        "--path",
        "/cat",
      ]),
    metric: (r) => num(r, "msgs_per_s"),
    higherIsBetter: true,
    programs: true,
    baseline: "websocketd",
  },
  {
    // A process per connection: open, the program exits at once, close.
    id: "spawn",
    title: "program spawn rate: open + close, 50 at a time",
    unit: "conn/s",
    args: (b) => [
      "handshake",
      "--path",
      "/true",
      "--total",
      String(b.spawns),
      "--concurrency",
      "50",
    ],
    metric: (r) => num(r, "conns_per_s"),
    higherIsBetter: true,
    programs: true,
    baseline: "websocketd",
  },
];

/** Full run: ~2.5 min on 2 cores with four servers (a busy machine is slower). */
export const FULL: Budget = {
  rounds: 3,
  warmupS: 0.25,
  durationS: 1.0,
  handshakes: 2000,
  idleConns: 10000,
  holdS: 0.5,
  spawns: 1000,
};

/** `--quick`: under 30 s, for checking the harness rather than the numbers. */
export const QUICK: Budget = {
  rounds: 2,
  warmupS: 0.1,
  durationS: 0.2,
  handshakes: 400,
  idleConns: 1000,
  holdS: 0.2,
  spawns: 200,
};
