/**
 * Shapes shared by the benchmark harness: what a scenario is, what the load
 * generator reports, and what a run records.
 *
 * @module
 */

/** One JSON line from `loadgen`; numeric fields depend on the mode. */
export interface LoadgenResult {
  ok: boolean;
  error?: string;
  deflate?: "off" | "accepted" | "partly accepted" | "declined";
  [field: string]: number | string | boolean | undefined;
}

/** Workload knobs that differ between a full run and `--quick`. */
export interface Budget {
  rounds: number;
  warmupS: number;
  durationS: number;
  handshakes: number;
  idleConns: number;
  /** s5: seconds the idle connections settle before RSS is read. */
  holdS: number;
  /** spawn: connections to a program that exits at once. */
  spawns: number;
}

/** One benchmark scenario (s1…s6). */
export interface Scenario {
  id: string;
  title: string;
  /** Unit of the headline figure, e.g. "msg/s". */
  unit: string;
  /**
   * The row's compression: true = every server runs with permessage-deflate
   * on and the client offers it (servers without it get no figure); false =
   * every server runs without it and the client does not offer it.
   */
  deflate: boolean;
  /** Memory rows: run on a process started for this scenario alone. */
  fresh: boolean;
  /** Log lines a server that logs every connection writes for it. */
  logLines(b: Budget): number;
  /** Loadgen mode and arguments (port, key, pid are added by the caller). */
  args(b: Budget): string[];
  /** The headline figure from a loadgen result. */
  metric(r: LoadgenResult): number;
  higherIsBetter: boolean;
  /** Runs against program endpoints (`bench/programs/`), not `/echo`. */
  programs?: boolean;
  /** The server the ratio column divides by (default `raw`). */
  baseline?: string;
}

/** A server the harness can start on a port. */
export interface ServerSpec {
  id: string;
  label: string;
  /** argv to start it on `port`, with permessage-deflate on or off. */
  command(port: number, deflate: boolean): string[];
  cwd: string;
  /** It can run the `deflate` rows (it has permessage-deflate). */
  deflate: boolean;
  /** It logs a line per connection open and close (checked per scenario). */
  logs: boolean;
  /** Why it sits out a scenario (no figure, the reason in the notes). */
  skip?(sc: Scenario): string | null;
}

/** One measured round of one scenario against one server. */
export interface Sample {
  round: number;
  /** Headline figure; 0 when the round failed its checks. */
  value: number;
  p50Us?: number;
  p99Us?: number;
  serverCpu?: number;
  clientCpu?: number;
  /** CPU other processes used meanwhile (cores), e.g. a test run next door. */
  otherCpu?: number;
  /** The load generator used ≥ 90 % of its core: the figure may be its limit. */
  clientSaturated: boolean;
  error?: string;
  note?: string;
  /** Lines the server wrote to its stdout/stderr during the scenario. */
  logLines?: number;
}

/** All rounds of one scenario against one server. */
export interface Cell {
  server: string;
  scenario: string;
  samples: Sample[];
  /** Not run, and why: this server cannot run the row like the others. */
  na?: string;
}

/** What `bench/results/latest.json` holds. */
export interface RunReport {
  startedAt: string;
  quick: boolean;
  machine: { cpus: number; pinned: boolean; deno: string };
  /** `git describe` of the tree that was measured, to tell runs apart. */
  commit: string;
  budget: Budget;
  servers: {
    id: string;
    label: string;
    available: boolean;
    reason?: string;
    /** The commands it ran, plain and with deflate (`PORT` for the port). */
    commands?: string[];
  }[];
  scenarios: {
    id: string;
    title: string;
    unit: string;
    higherIsBetter?: boolean;
    baseline?: string;
  }[];
  cells: Cell[];
}
