/**
 * What one scenario run records: the sample from the load generator's
 * result, the log-line check of servers that log, the progress line, and
 * the command lines shown in the legend.
 *
 * @module
 */
import type {
  Budget,
  LoadgenResult,
  Sample,
  Scenario,
  ServerSpec,
} from "./model.ts";
import type { Running } from "./proc.ts";
import { fmt } from "./report.ts";
import { isNoisy } from "./rounds.ts";

/** The sample of one loadgen run (a failed check scores 0). */
export function toSample(
  sc: Scenario,
  r: LoadgenResult,
  round: number,
): Sample {
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
  else if (sc.deflate && r.deflate !== "accepted") {
    // Like for like: a deflate row's figure must be a compressed one.
    s.value = 0;
    s.error = `permessage-deflate ${
      r.deflate ?? "not reported"
    } in a deflate row`;
  }
  if (sc.fresh && r.ok) {
    s.note = `RSS ${fmt(n("rss_before_kb")! / 1024)} → ${
      fmt(n("rss_after_kb")! / 1024)
    } MiB`;
  }
  return s;
}

/** One progress line. */
export function describe(sc: Scenario, s: Sample): string {
  if (s.error) return `FAILED: ${s.error}`;
  const lat = s.p50Us !== undefined
    ? ` p50 ${fmt(s.p50Us)} µs p99 ${fmt(s.p99Us!)} µs`
    : "";
  const cpu = (x?: number) => x === undefined ? "–" : `${Math.round(x * 100)}%`;
  const sat = s.clientSaturated ? " (loadgen saturated)" : "";
  const noisy = isNoisy(s) ? ` · others ${cpu(s.otherCpu)}` : "";
  return `${fmt(s.value)} ${sc.unit}${lat} · server CPU ${cpu(s.serverCpu)}` +
    ` · loadgen CPU ${cpu(s.clientCpu)}${sat}${noisy}`;
}

/** The command lines a server runs with, for the legend and the JSON. */
export function commandsOf(spec: ServerSpec): string[] {
  const root = `${spec.cwd}/`;
  const show = (deflate: boolean) =>
    spec.command(0, deflate).join(" ").replace("--port 0", "--port PORT")
      .replaceAll(root, "").replace(Deno.execPath(), "deno");
  return spec.deflate ? [show(false), `deflate rows: ${show(true)}`] : [
    show(false),
  ];
}

/**
 * A server that logs every connection must have written the scenario's
 * lines (read through the pipe): otherwise the row did not measure logging.
 */
export async function logCheck(
  spec: ServerSpec,
  sc: Scenario,
  server: Running,
  before: number,
  budget: Budget,
  s: Sample,
): Promise<void> {
  const want = sc.logLines(budget);
  const end = Date.now() + 3000; // the last batch is written a turn later
  while (spec.logs && server.lines() - before < want && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 20));
  }
  s.logLines = server.lines() - before;
  if (!spec.logs || s.error) return;
  if (s.logLines < want) {
    s.value = 0;
    s.error = `log: ${s.logLines} of ${want} lines read`;
  } else s.note = `all ${want} log lines read`;
}
