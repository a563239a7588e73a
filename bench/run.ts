/**
 * `deno task bench`: benchmarks the project's WebSocket server against a raw
 * Deno echo (and Node ws / Bun when they can be installed) with a C load
 * generator. Each round starts every server in a rotated order, a process
 * per memory row and one per compression setting, so drift hits every server
 * alike and no row inherits another's leftovers. Progress goes to stderr,
 * the final tables to stdout, results to JSON.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { parseOptions, USAGE } from "./args.ts";
import { buildLoadgen } from "./loadgen_build.ts";
import { handshakeKey, runLoadgen } from "./loadgen_client.ts";
import type { Cell, LoadgenResult, RunReport } from "./model.ts";
import {
  backgroundLoad,
  canPin,
  type Running,
  startServer,
  waitQuiet,
  waitReady,
  wrap,
} from "./proc.ts";
import { renderReport, summaries } from "./report.ts";
import { NOISY, notApplicable, plan, rotate } from "./rounds.ts";
import { commandsOf, describe, logCheck, toSample } from "./samples.ts";
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
const key = (srv: string, sc: string) => `${srv}|${sc}`;
for (const srv of servers) {
  for (const sc of scenarios) {
    const na = srv.spec ? notApplicable(srv.spec, sc) : null;
    cells.set(key(srv.id, sc.id), {
      server: srv.id,
      scenario: sc.id,
      samples: [],
      ...(na ? { na } : {}),
    });
  }
}
const plans = new Map(
  servers.map((
    s,
  ) => [
    s.id,
    s.spec ? plan(scenarios, (sc) => notApplicable(s.spec!, sc)) : [],
  ]),
);
const runs = (id: string) =>
  plans.get(id)!.reduce((n, g) => n + g.scenarios.length, 0);
let total = b.rounds * servers.reduce((n, s) => n + runs(s.id), 0);
let done = 0;

for (let round = 1; round <= b.rounds; round++) {
  for (const srv of rotate(servers.filter((s) => s.spec), round)) {
    for (const group of plans.get(srv.id)!) {
      if (!srv.spec) break; // found unavailable in this round
      const port = freePort();
      const server = startServer(
        wrap(srv.spec.command(port, group.deflate), pinned ? 0 : null),
        srv.spec.cwd,
      );
      current = server;
      const why = await waitReady(port, server);
      if (
        why && round === 1 && !cells.get(key(srv.id, group.scenarios[0].id))!
          .samples.length
      ) {
        // Cannot start at all: "not available", never a figure.
        srv.reason = why;
        srv.spec = undefined;
        total -= b.rounds * runs(srv.id);
        await server.stop();
        log(`bench: ${srv.id} not available: ${why}`);
        break;
      }
      const { key: wsKey, accept } = await handshakeKey();
      const target = {
        binary,
        port,
        serverPid: server.pid,
        key: wsKey,
        accept,
        core: pinned ? 1 : null,
      };
      for (const sc of group.scenarios) {
        const timeout = b.warmupS + b.durationS + 90;
        if (opts.quietWaitS > 0) await waitQuiet(opts.quietWaitS, NOISY);
        const t0 = performance.now();
        const before = server.lines();
        const res: LoadgenResult = why || server.hasExited()
          ? {
            ok: false,
            error: `server not running: ${
              why ?? server.stderrTail().slice(-200)
            }`,
          }
          : await runLoadgen(target, sc.args(b), timeout);
        const sample = toSample(sc, res, round);
        await logCheck(srv.spec, sc, server, before, b, sample);
        cells.get(key(srv.id, sc.id))!.samples.push(sample);
        done++;
        log(
          `[${String(done).padStart(3)}/${total}] r${round} ${
            srv.id.padEnd(22)
          } ${sc.id.padEnd(10)} ${describe(sc, sample)} [${
            ((performance.now() - t0) / 1000).toFixed(1)
          } s]`,
        );
      }
      await server.stop();
      current = null;
    }
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
    commands: s.spec && commandsOf(s.spec),
  })),
  scenarios: scenarios.map(({ id, title, unit, higherIsBetter, baseline }) => ({
    id,
    title,
    unit,
    higherIsBetter,
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
