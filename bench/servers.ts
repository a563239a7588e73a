/**
 * The servers the benchmark can compare, and how each is started. The
 * project's server goes through its real CLI and `/echo` handler, so the
 * whole dispatch path is measured, in two configurations per engine: quiet
 * (`--log-level error`, what the figures used to be) and default (exactly
 * the `deno task start` command, logging every connection to a pipe the
 * harness reads). The quiet configs also serve `bench/programs/`
 * (`--programs`) for the program rows, which websocketd serves too.
 *
 * @module
 */
import { join } from "node:path";
import type { Scenario, ServerSpec } from "./model.ts";
import { bun, nodeWs, type Peer } from "./peers.ts";
import { installLine, TOOLS, works } from "../tests/support/tools.ts";

const BENCH = import.meta.dirname!;
const ROOT = join(BENCH, "..");
const DENO = Deno.execPath();
/** The programs of the program rows: `/cat` and `/true`. */
const PROGRAMS = join(BENCH, "programs");

/** Every server id, in table order. */
export const SERVER_IDS = [
  "raw",
  "project",
  "project-default",
  "project-native",
  "project-native-default",
  "node-ws",
  "bun",
  "websocketd",
];

/** A server with its start command, or why it cannot be benchmarked. */
export interface Resolved {
  id: string;
  label: string;
  spec?: ServerSpec;
  reason?: string;
}

const LABELS: Record<string, string> = {
  "raw": "raw Deno: bare Deno.serve + upgradeWebSocket (no deflate)",
  "project": "denosocket deno engine, quiet (--log-level error, no deflate)",
  "project-default":
    "denosocket deno engine as `deno task start` runs it (logs to a read pipe, no deflate)",
  "project-native":
    "denosocket --engine native, quiet (--log-level error; --deflate on in deflate rows)",
  "project-native-default":
    "denosocket --engine native, otherwise as `deno task start` (logs to a read pipe, deflate off by default)",
  "node-ws": "Node ws 8 (perMessageDeflate on in deflate rows only)",
  "bun": "Bun.serve (perMessageDeflate on in deflate rows only)",
  "websocketd": "websocketd --dir bench/programs (program rows only)",
};

/** The rows the default config sits out: memory (it would 503 at 10,000) and programs. */
const DEFAULT_SKIPS = (sc: Scenario) =>
  sc.fresh
    ? "memory rows run the quiet config: the default --max-connections 10000 refuses s5's 10,100 connections"
    : sc.programs
    ? "program rows run the quiet config: deno task start serves no bench/programs"
    : null;

/** Servers without program endpoints sit out the program rows. */
const ECHO_ONLY = (sc: Scenario) =>
  sc.programs ? "has no program endpoints" : null;

/** websocketd serves programs only. */
const PROGRAMS_ONLY = (sc: Scenario) =>
  sc.programs ? null : "serves programs only (no /echo)";

async function hasMain(): Promise<boolean> {
  try {
    return (await Deno.stat(join(ROOT, "main.ts"))).isFile;
  } catch {
    return false;
  }
}

/** The `start` task of deno.json as argv, with this Deno binary. */
export async function startTask(): Promise<string[]> {
  const json = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json")));
  const argv = String(json.tasks?.start ?? "").trim().split(/\s+/);
  if (argv[0] !== "deno" || argv[1] !== "run") {
    throw new Error(`deno.json's start task is not "deno run …": ${argv}`);
  }
  return [DENO, ...argv.slice(1)];
}

/** The quiet config the figures have always used. */
function quiet(extra: string[]): ServerSpec["command"] {
  return (port, deflate) => [
    DENO,
    "run",
    "-A",
    "main.ts",
    "--port",
    String(port),
    "--host",
    "127.0.0.1",
    "--no-static",
    "--log-level",
    "error",
    // s5 opens 10,100 connections: the default cap of 10,000 would 503.
    "--max-connections",
    "0",
    "--programs",
    PROGRAMS,
    ...extra,
    ...(deflate ? ["--deflate", "on"] : []),
  ];
}

/** websocketd (Debian's package) serving the same programs, or why not. */
async function websocketd(): Promise<
  ServerSpec["command"] | { reason: string }
> {
  const tool = TOOLS.websocketd;
  if (!(await works(tool))) {
    return { reason: `websocketd does not run (${installLine([tool])})` };
  }
  return (port) => [
    tool.path,
    "--port",
    String(port),
    "--address",
    "127.0.0.1",
    "--loglevel",
    "fatal",
    "--dir",
    PROGRAMS,
  ];
}

/** `deno task start` plus the port (and the engine): default flags. */
function asStarted(start: string[], extra: string[]): ServerSpec["command"] {
  return (port) => [...start, "--port", String(port), ...extra];
}

function peer(p: Peer, script: string): ServerSpec["command"] {
  const bin = "bin" in p ? p.bin : "";
  return (port, deflate) => [
    bin,
    join(BENCH, script),
    "--port",
    String(port),
    "--host",
    "127.0.0.1",
    ...(deflate ? ["--deflate"] : []),
  ];
}

/** Resolves ids to start commands, installing peers if needed. */
export async function resolveServers(ids: string[]): Promise<Resolved[]> {
  const out: Resolved[] = [];
  for (const id of ids) {
    const label = LABELS[id] ?? id;
    let spec: Omit<ServerSpec, "id" | "label" | "cwd"> | undefined;
    let reason: string | undefined;
    const native = id.startsWith("project-native")
      ? ["--engine", "native"]
      : [];
    if (id === "raw") {
      spec = {
        command: (port) => [
          DENO,
          "run",
          "-A",
          join(BENCH, "baseline_raw.ts"),
          "--port",
          String(port),
          "--host",
          "127.0.0.1",
        ],
        deflate: false,
        logs: false,
        skip: ECHO_ONLY,
      };
    } else if (id === "project" || id === "project-native") {
      if (!(await hasMain())) reason = "main.ts not found";
      else {spec = {
          command: quiet(native),
          deflate: !!native.length,
          logs: false,
        };}
    } else if (id === "project-default" || id === "project-native-default") {
      if (!(await hasMain())) reason = "main.ts not found";
      else {
        spec = {
          command: asStarted(await startTask(), native),
          deflate: false,
          logs: true,
          skip: DEFAULT_SKIPS,
        };
      }
    } else if (id === "node-ws" || id === "bun") {
      const p = id === "bun" ? await bun() : await nodeWs();
      if ("bin" in p) {
        spec = {
          command: peer(p, id === "bun" ? "peer_bun.mjs" : "peer_node_ws.mjs"),
          deflate: true,
          logs: false,
          skip: ECHO_ONLY,
        };
      } else reason = p.reason;
    } else if (id === "websocketd") {
      const w = await websocketd();
      if (typeof w === "function") {
        spec = { command: w, deflate: false, logs: false, skip: PROGRAMS_ONLY };
      } else reason = w.reason;
    } else {
      reason = `unknown server (known: ${SERVER_IDS.join(", ")})`;
    }
    out.push({
      id,
      label,
      reason,
      spec: spec && { id, label, cwd: ROOT, ...spec },
    });
  }
  return out;
}
