/**
 * The scenarios of issue 3, as load generator invocations, and the two
 * program-endpoint rows (against `bench/programs/`, side by side with
 * websocketd). The memory rows
 * (s5, s5-deflate) each run on a process started for them alone: "RSS
 * before" must not hold buffers left by earlier scenarios (after s5's 10,100
 * connections, raw Deno showed 0.9 KiB/conn in s5-deflate against 20.4).
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

/** Open + close lines of a server that logs every connection. */
const perConn = (conns: number) => () => 2 * conns;

/**
 * Every scenario, in the order a server runs them. Each row says its
 * compression: `-deflate` rows run every server with permessage-deflate on
 * and the client offering it; the others run every server without it.
 */
export const SCENARIOS: Scenario[] = [
  {
    id: "s5",
    title: "s5 memory: idle connections, fresh process · no deflate",
    unit: "KiB/conn",
    deflate: false,
    fresh: true,
    logLines: (b) => 2 * (b.idleConns + 100),
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
    // Idle after one 1 KiB JSON echo: the zlib contexts a used deflate
    // connection keeps (fewer connections: ~300 KiB each).
    id: "s5-deflate",
    title:
      "s5-deflate memory: idle after one 1 KiB JSON echo, fresh process · deflate on",
    unit: "KiB/conn",
    deflate: true,
    fresh: true,
    logLines: (b) => 2 * (deflateIdle(b) + 100),
    args: (b) => [
      "idle",
      "--conns",
      String(deflateIdle(b)),
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
    title: "s1 latency: 1 conn, 1 in flight, 32 B · no deflate",
    unit: "msg/s",
    deflate: false,
    fresh: false,
    logLines: perConn(1),
    args: (b) => echoArgs(b, 1, 1, 32),
    metric: (r) => num(r, "msgs_per_s"),
    higherIsBetter: true,
  },
  {
    id: "s2-text",
    title: "s2 throughput: 100 conns × 10, 64 B text · no deflate",
    unit: "msg/s",
    deflate: false,
    fresh: false,
    logLines: perConn(100),
    args: (b) => echoArgs(b, 100, 10, 64),
    metric: (r) => num(r, "msgs_per_s"),
    higherIsBetter: true,
  },
  {
    id: "s2-binary",
    title: "s2 throughput: 100 conns × 10, 64 B binary · no deflate",
    unit: "msg/s",
    deflate: false,
    fresh: false,
    logLines: perConn(100),
    args: (b) => echoArgs(b, 100, 10, 64, ["--type", "binary"]),
    metric: (r) => num(r, "msgs_per_s"),
    higherIsBetter: true,
  },
  {
    id: "s3",
    title: "s3 bandwidth: 1 conn × 100, 64 KiB binary · no deflate",
    unit: "MB/s",
    deflate: false,
    fresh: false,
    logLines: perConn(1),
    args: (b) => echoArgs(b, 1, 100, 65536, ["--type", "binary"]),
    metric: (r) => num(r, "mb_per_s"),
    higherIsBetter: true,
  },
  {
    id: "s4",
    title: "s4 handshakes: open + close, 50 at a time · no deflate",
    unit: "conn/s",
    deflate: false,
    fresh: false,
    // At least: the warm-up's handshakes log too.
    logLines: (b) => 2 * b.handshakes,
    args: (b) => [
      "handshake",
      "--total",
      String(b.handshakes),
      "--concurrency",
      "50",
      "--warmup",
      String(b.warmupS),
    ],
    metric: (r) => num(r, "conns_per_s"),
    higherIsBetter: true,
  },
  {
    id: "s6",
    title: "s6 JSON: 100 conns × 10, 1 KiB JSON text · no deflate",
    unit: "msg/s",
    deflate: false,
    fresh: false,
    logLines: perConn(100),
    args: (b) => echoArgs(b, 100, 10, 1024, ["--type", "json"]),
    metric: (r) => num(r, "msgs_per_s"),
    higherIsBetter: true,
  },
  {
    id: "s6-deflate",
    title: "s6-deflate JSON: 100 conns × 10, 1 KiB JSON text · deflate on",
    unit: "msg/s",
    deflate: true,
    fresh: false,
    logLines: perConn(100),
    args: (b) => echoArgs(b, 100, 10, 1024, ["--type", "json", "--deflate"]),
    metric: (r) => num(r, "msgs_per_s"),
    higherIsBetter: true,
  },
  {
    // s2 through a program: each message a line on cat's stdin, each line
    // of its stdout a message back (the byte-exact echo check still holds).
    id: "cat-s2",
    title: "program cat at s2: 100 conns × 10, 64 B text · no deflate",
    unit: "msg/s",
    deflate: false,
    fresh: false,
    logLines: perConn(100),
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
    title: "program spawn rate: open + close, 50 at a time · no deflate",
    unit: "conn/s",
    deflate: false,
    fresh: false,
    logLines: (b) => 2 * b.spawns,
    args: (b) => [
      "handshake",
      "--path",
      "/true",
      "--total",
      String(b.spawns),
      "--concurrency",
      "50",
      // The server closes first here (the program exited): any end counts.
      "--any-close",
    ],
    metric: (r) => num(r, "conns_per_s"),
    higherIsBetter: true,
    programs: true,
    baseline: "websocketd",
  },
];

/** s5-deflate's connection count: ~300 KiB each when deflate is used. */
function deflateIdle(b: Budget): number {
  return Math.max(100, Math.round(b.idleConns / 5));
}

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
