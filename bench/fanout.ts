/**
 * `deno task bench:fanout`: topic fan-out — 1 publisher, N subscribers
 * (default 1,000), 64-byte messages — on the `local` bus, the `broadcast`
 * bus under `deno serve --parallel` (2 workers) and the `redis` bus (two
 * servers, when `/usr/bin/redis-server` exists), each without and with
 * topic history (`+history`: `--history 2000`; for `broadcast` the store
 * is Deno KV). With history it also times a resume of 1,000 missed
 * messages (`fanout_resume.ts`). Prints a table and writes
 * `bench/results/fanout.json`.
 *
 * The client is Deno's WebSocket in this process. The publisher keeps at
 * most `--window` messages in flight (a message is done when every
 * subscriber has it), so the figures are throughput at saturation with
 * bounded queueing. Latency is publish → subscriber `onmessage`, one clock.
 *
 * Flags: --subs N  --messages N  --size BYTES  --window N
 * --only local,local+history,broadcast,broadcast+history,redis,redis+history
 * --out FILE (default bench/results/fanout.json)
 *
 * @module
 */
import { parseArgs } from "node:util";
import { measure, round } from "./fanout_measure.ts";
import { measureResume, type ResumeResult } from "./fanout_resume.ts";
import {
  type Proc,
  startMain,
  startParallel,
  startRedis,
} from "./fanout_procs.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    subs: { type: "string", default: "1000" },
    messages: { type: "string", default: "1000" },
    size: { type: "string", default: "64" },
    window: { type: "string", default: "8" },
    only: {
      type: "string",
      default:
        "local,local+history,broadcast,broadcast+history,redis,redis+history",
    },
    out: { type: "string" },
  },
});
const SUBS = Number(values.subs);
const MESSAGES = Number(values.messages);
const SIZE = Number(values.size);
const WINDOW = Number(values.window);
const TOPIC = "fanout-bench";
/** Messages each topic keeps in the `+history` rows. */
const HISTORY = "2000";

/** One scenario's figures. */
interface Result {
  bus: string;
  setup: string;
  subscribers: number;
  perServer: Record<string, number>;
  messages: number;
  deliveries: number;
  /** Subscriber × message pairs never delivered. */
  lost: number;
  /** Extra copies delivered (counted apart: they must not hide losses). */
  duplicates: number;
  seconds: number;
  deliveriesPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  idleP50Ms: number;
  idleP99Ms: number;
  clientCpuPct: number;
  serverCpuPct: number;
  clientCpuShare: number;
  /** With history: a resume of 1,000 missed messages. */
  resume?: ResumeResult;
}

async function openSocket(
  url: string,
): Promise<{ ws: WebSocket; server: string }> {
  const ws = new WebSocket(url);
  const server = await new Promise<string>((resolve, reject) => {
    ws.onmessage = (e) => resolve(JSON.parse(e.data).server);
    ws.onerror = () => reject(new Error(`cannot open ${url}`));
  });
  return { ws, server };
}

/** Runs one scenario against servers at `urls` (publisher on the first). */
async function run(
  bus: string,
  setup: string,
  urls: string[],
  pids: number[],
): Promise<Result> {
  const url = (i: number) => `${urls[i % urls.length]}/pubsub/${TOPIC}?hello=1`;
  const perServer: Record<string, number> = {};
  const subs: WebSocket[] = [];
  for (let i = 0; i < SUBS; i += 50) {
    const batch = await Promise.all(
      Array.from(
        { length: Math.min(50, SUBS - i) },
        (_, j) => openSocket(url(i + j)),
      ),
    );
    for (const s of batch) {
      subs.push(s.ws);
      perServer[s.server] = (perServer[s.server] ?? 0) + 1;
    }
  }
  const pub = (await openSocket(url(0))).ws;

  // Warm up until every subscriber hears the publisher (Redis SUBSCRIBE
  // and worker start-up take a moment).
  const warm = new Set<number>();
  subs.forEach((ws, i) => ws.onmessage = () => warm.add(i));
  for (let i = 0; i < 200 && warm.size < SUBS; i++) {
    pub.send("warm");
    await new Promise((r) => setTimeout(r, 50));
  }
  if (warm.size < SUBS) {
    throw new Error(`${bus}: ${SUBS - warm.size} subscribers never warmed up`);
  }
  await new Promise((r) => setTimeout(r, 300));

  // First a paced phase — one message at a time: the latency of a fan-out
  // with no queue in front of it — then the throughput phase.
  const idle = await measure(subs, pub, pids, Math.min(200, MESSAGES), 1, SIZE);
  const loaded = await measure(subs, pub, pids, MESSAGES, WINDOW, SIZE);
  for (const ws of [...subs, pub]) ws.close();
  await new Promise((r) => setTimeout(r, 500));
  return {
    bus,
    setup,
    subscribers: SUBS,
    perServer,
    messages: MESSAGES,
    deliveries: loaded.n,
    lost: loaded.lost,
    duplicates: loaded.duplicates,
    seconds: round(loaded.seconds, 3),
    deliveriesPerSec: Math.round(loaded.n / loaded.seconds),
    p50Ms: loaded.p50,
    p99Ms: loaded.p99,
    maxMs: loaded.max,
    idleP50Ms: idle.p50,
    idleP99Ms: idle.p99,
    clientCpuPct: Math.round((loaded.client / loaded.seconds) * 100),
    serverCpuPct: Math.round((loaded.server / loaded.seconds) * 100),
    clientCpuShare: round(loaded.client / (loaded.client + loaded.server), 2),
  };
}

async function scenario(
  name: string,
  start: () => Promise<{ procs: Proc[]; urls: string[]; setup: string }>,
): Promise<Result | { bus: string; skipped: string }> {
  const { procs, urls, setup } = await start();
  try {
    const result = await run(name, setup, urls, procs.map((p) => p.child.pid));
    if (name.endsWith("+history")) {
      // Subscriber on the last server, publisher on the first.
      const topics = urls.map((u) => `${u}/topics`);
      result.resume = await measureResume(topics.at(-1)!, topics[0]);
    }
    return result;
  } finally {
    for (const p of procs.reverse()) await p.stop();
  }
}

/** The flags and variables of a `+history` row. */
function historyFlags(name: string): string[] {
  return name.endsWith("+history") ? ["--history", HISTORY] : [];
}

const loadBefore = Deno.readTextFileSync("/proc/loadavg").trim();
const results: (Result | { bus: string; skipped: string })[] = [];
const only = new Set(values.only.split(","));
for (const name of ["local", "local+history"]) {
  if (!only.has(name)) continue;
  results.push(
    await scenario(name, async () => {
      const p = await startMain(historyFlags(name));
      return {
        procs: [p],
        urls: [`ws://127.0.0.1:${p.port}`],
        setup: "main.ts, 1 process",
      };
    }),
  );
}
for (const name of ["broadcast", "broadcast+history"]) {
  if (!only.has(name)) continue;
  const kv = await Deno.makeTempDir({ prefix: "denosocket-bench-kv-" });
  results.push(
    await scenario(name, async () => {
      const env: Record<string, string> = name.endsWith("+history")
        ? { DENOSOCKET_HISTORY: HISTORY, DENOSOCKET_KV_PATH: `${kv}/t.kv` }
        : {};
      const p = await startParallel(2, "broadcast", env);
      await new Promise((r) => setTimeout(r, 1000)); // both workers up
      return {
        procs: [p],
        urls: [`ws://127.0.0.1:${p.port}`],
        setup: "deno serve --parallel, 2 workers",
      };
    }),
  );
  await Deno.remove(kv, { recursive: true });
}
let haveRedis = false;
try {
  haveRedis = Deno.statSync("/usr/bin/redis-server").isFile;
} catch { /* not installed */ }
for (const name of ["redis", "redis+history"]) {
  if (!only.has(name)) continue;
  if (!haveRedis) {
    results.push({ bus: name, skipped: "redis-server not installed" });
    continue;
  }
  results.push(
    await scenario(name, async () => {
      const redis = await startRedis();
      const bus = [
        "--bus",
        `redis://127.0.0.1:${redis.port}`,
        ...historyFlags(name),
      ];
      const a = await startMain(bus);
      const b = await startMain(bus);
      return {
        procs: [redis, a, b],
        urls: [`ws://127.0.0.1:${a.port}`, `ws://127.0.0.1:${b.port}`],
        setup: "2 × main.ts + redis-server, subscribers split evenly",
      };
    }),
  );
}

const rows = results.map((r) =>
  "skipped" in r ? `${r.bus.padEnd(18)} skipped: ${r.skipped}` : [
    r.bus.padEnd(18),
    String(r.deliveriesPerSec).padStart(12),
    r.p50Ms.toFixed(2).padStart(8),
    r.p99Ms.toFixed(2).padStart(8),
    r.idleP99Ms.toFixed(2).padStart(9),
    String(r.lost).padStart(6),
    String(r.duplicates).padStart(5),
    `${r.clientCpuPct}%`.padStart(8),
    `${r.serverCpuPct}%`.padStart(8),
    (r.resume ? r.resume.medianMs.toFixed(1) : "-").padStart(10),
    `  ${Object.values(r.perServer).join("/")}`,
  ].join(" ")
);
console.log(
  `fan-out: 1 publisher, ${SUBS} subscribers, ${SIZE} B messages, ${MESSAGES} messages, window ${WINDOW}; load ${
    loadBefore.split(" ").slice(0, 3).join(" ")
  }\n` +
    `${"bus".padEnd(18)} ${"deliveries/s".padStart(12)} ${
      "p50 ms".padStart(8)
    } ${"p99 ms".padStart(8)} ${"idle p99".padStart(9)} ${"lost".padStart(6)} ${
      "dup".padStart(5)
    } ${"client".padStart(8)} ${"server".padStart(8)} ${
      "resume ms".padStart(10)
    }   subs per server
` +
    rows.join("\n"),
);
const out = values.out
  ? new URL(values.out, `file://${Deno.cwd()}/`)
  : new URL("./results/fanout.json", import.meta.url);
await Deno.mkdir(new URL("./", out), { recursive: true });
await Deno.writeTextFile(
  out,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      deno: Deno.version.deno,
      cpus: navigator.hardwareConcurrency,
      // The machine may be shared: the load before and after tells.
      loadavg: [loadBefore, Deno.readTextFileSync("/proc/loadavg").trim()],
      params: {
        subscribers: SUBS,
        messages: MESSAGES,
        size: SIZE,
        window: WINDOW,
      },
      results,
    },
    null,
    2,
  ) + "\n",
);
console.log(`wrote ${out.pathname}`);
