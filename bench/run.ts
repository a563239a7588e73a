/**
 * `deno task bench`: benchmarks the project's WebSocket server against a raw
 * Deno echo (and Node ws / Bun when they can be installed) with a C load
 * generator. Rounds interleave servers (A B A B) so drift cancels out.
 * Progress goes to stderr, the final tables to stdout, results to JSON.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { parseOptions, USAGE } from "./args.ts";
import { buildLoadgen } from "./loadgen_build.ts";
import { handshakeKey, runLoadgen } from "./loadgen_client.ts";
import type {
  Cell,
  LoadgenResult,
  RunReport,
  Sample,
  Scenario,
} from "./model.ts";
import {
  backgroundLoad,
  canPin,
  type Running,
  startServer,
  waitQuiet,
  waitReady,
  wrap,
} from "./proc.ts";
import { fmt, NOISY, renderReport, summaries } from "./report.ts";
import { SCENARIOS } from "./scenarios.ts";
import { resolveServers } from "./servers.ts";

const opts = parseOptions(Deno.args);
if (opts.help) {
  console.log(USAGE);
  Deno.exit(0);
}
if (opts.from) {
  const saved = JSON.parse(await Deno.readTextFile(opts.from)) as RunReport;
  console.log(renderReport(saved, opts.markdown));
  Deno.exit(0);
}
const log = (line: string) => console.error(line);

let current: Running | null = null;
// Ctrl-C must not leave a server behind.
const onSigint = async () => {
  await current?.stop();
  Deno.exit(130);
};
Deno.addSignalListener("SIGINT", onSigint);

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = l.addr as Deno.NetAddr;
  l.close();
  return port;
}

function toSample(sc: Scenario, r: LoadgenResult, round: number): Sample {
  const n = (k: string) =>
    typeof r[k] === "number" ? r[k] as number : undefined;
  const clientCpu = n("client_cpu");
  const s: Sample = {
    round,
    value: r.ok ? sc.metric(r) : 0, // a corrupt or dropped echo scores zero
    p50Us: n("p50_us"),
    p99Us: n("p99_us"),
    serverCpu: n("server_cpu"),
    clientCpu,
    otherCpu: n("other_cpu"),
    clientSaturated: (clientCpu ?? 0) >= 0.9,
  };
  if (!r.ok) s.error = r.error ?? "failed";
  if (r.deflate === "declined") {
    s.note = "server declined permessage-deflate: ran uncompressed";
  }
  if (r.deflate === "accepted") s.note = "permessage-deflate on";
  if (sc.id === "s5" && r.ok) {
    s.note = `RSS ${fmt(n("rss_before_kb")! / 1024)} → ${
      fmt(n("rss_after_kb")! / 1024)
    } MiB`;
  }
  return s;
}

function describe(sc: Scenario, s: Sample): string {
  if (s.error) return `FAILED: ${s.error}`;
  const lat = s.p50Us !== undefined
    ? ` p50 ${fmt(s.p50Us)} µs p99 ${fmt(s.p99Us!)} µs`
    : "";
  const cpu = (x?: number) => x === undefined ? "–" : `${Math.round(x * 100)}%`;
  const sat = s.clientSaturated ? " (loadgen saturated)" : "";
  const noisy = (s.otherCpu ?? 0) >= NOISY
    ? ` · others ${cpu(s.otherCpu)}`
    : "";
  return `${fmt(s.value)} ${sc.unit}${lat} · server CPU ${cpu(s.serverCpu)}` +
    ` · loadgen CPU ${cpu(s.clientCpu)}${sat}${noisy}`;
}

async function gitDescribe(): Promise<string> {
  try {
    const out = await new Deno.Command("git", {
      args: ["describe", "--always", "--dirty"],
      cwd: import.meta.dirname,
      stdout: "piped",
      stderr: "null",
    }).output();
    return new TextDecoder().decode(out.stdout).trim() || "unknown";
  } catch {
    return "unknown";
  }
}

const started = new Date();
log("bench: building loadgen…");
const binary = await buildLoadgen().catch((e: Error) => {
  log(`bench: cannot build the load generator: ${e.message}`);
  Deno.exit(1);
});
const pinned = opts.pin && await canPin();
const load = await backgroundLoad();
if (load >= NOISY) {
  log(
    `bench: warning: other processes use ${
      Math.round(load * 100)
    }% of a core right now; figures will be noisy (marked ‡)`,
  );
}
log("bench: checking servers (peers install into bench/.peers on first use)…");
const servers = await resolveServers(opts.servers);
const scenarios = SCENARIOS.filter((s) => opts.scenarios.includes(s.id));
const cells = new Map<string, Cell>();
const b = opts.budget;
/** Echo scenarios run against `/echo`, program scenarios against programs. */
const runs = (srv: { spec?: { echo: boolean; programs: boolean } }) =>
  scenarios.filter((sc) => sc.programs ? srv.spec?.programs : srv.spec?.echo);
let total = b.rounds *
  servers.reduce((n, s) => n + (s.spec ? runs(s).length : 0), 0);
let done = 0;

for (let round = 1; round <= b.rounds; round++) {
  for (const srv of servers) {
    if (!srv.spec) continue;
    const port = freePort();
    const server = startServer(
      wrap(srv.spec.command(port), pinned ? 0 : null),
      srv.spec.cwd,
    );
    current = server;
    const why = await waitReady(port, server);
    if (why && round === 1) { // cannot start at all: "not available", never a figure
      total -= b.rounds * runs(srv).length;
      srv.reason = why;
      srv.spec = undefined;
      await server.stop();
      log(`bench: ${srv.id} not available: ${why}`);
      continue;
    }
    const { key, accept } = await handshakeKey();
    const target = {
      binary,
      port,
      serverPid: server.pid,
      key,
      accept,
      core: pinned ? 1 : null,
    };
    for (const sc of runs(srv)) {
      const timeout = b.warmupS + b.durationS + 90;
      if (opts.quietWaitS > 0) await waitQuiet(opts.quietWaitS, NOISY);
      const t0 = performance.now();
      const res: LoadgenResult = why || server.hasExited()
        ? {
          ok: false,
          error: `server not running: ${
            why ?? server.stderrTail().slice(-200)
          }`,
        }
        : await runLoadgen(target, sc.args(b), timeout);
      const sample = toSample(sc, res, round);
      const k = `${srv.id}|${sc.id}`;
      if (!cells.has(k)) {
        cells.set(k, { server: srv.id, scenario: sc.id, samples: [] });
      }
      cells.get(k)!.samples.push(sample);
      done++;
      log(
        `[${String(done).padStart(3)}/${total}] r${round} ${
          srv.id.padEnd(14)
        } ${sc.id.padEnd(9)} ${describe(sc, sample)} [${
          ((performance.now() - t0) / 1000).toFixed(1)
        } s]`,
      );
    }
    await server.stop();
    current = null;
  }
}

const report: RunReport = {
  startedAt: started.toISOString(),
  quick: opts.quick,
  machine: {
    cpus: navigator.hardwareConcurrency,
    pinned,
    deno: Deno.version.deno,
  },
  commit: await gitDescribe(),
  budget: b,
  servers: servers.map((s) => ({
    id: s.id,
    label: s.label,
    available: !!s.spec,
    reason: s.reason,
  })),
  scenarios: scenarios.map(({ id, title, unit, baseline }) => ({
    id,
    title,
    unit,
    baseline,
  })),
  cells: [...cells.values()],
};
await Deno.mkdir(dirname(opts.json), { recursive: true });
const json = JSON.stringify({ ...report, summary: summaries(report) }, null, 2);
await Deno.writeTextFile(opts.json, json + "\n");
// A dated copy beside latest.json keeps earlier runs around for comparison.
const stamp = report.startedAt.replace(/[:.]/g, "-");
await Deno.writeTextFile(
  join(dirname(opts.json), `run-${stamp}.json`),
  json + "\n",
);
console.log(renderReport(report, opts.markdown));
log(
  `bench: ${
    ((Date.now() - started.getTime()) / 1000).toFixed(0)
  } s; results in ${opts.json}`,
);
Deno.removeSignalListener("SIGINT", onSigint); // let the process end
