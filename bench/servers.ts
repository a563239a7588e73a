/**
 * The servers the benchmark can compare, and how each is started. The
 * project's server goes through its real CLI and `/echo` handler, so the
 * whole dispatch path is measured, in two configurations per engine: quiet
 * (`--log-level error`, what the figures used to be) and default (exactly
 * the `deno task start` command, logging every connection to a pipe the
 * harness reads).
 *
 * @module
 */
import { join } from "node:path";
import type { Scenario, ServerSpec } from "./model.ts";
import { bun, nodeWs, type Peer } from "./peers.ts";

const BENCH = import.meta.dirname!;
const ROOT = join(BENCH, "..");
const DENO = Deno.execPath();

/** Every server id, in table order. */
export const SERVER_IDS = [
  "raw",
  "project",
  "project-default",
  "project-native",
  "project-native-default",
  "node-ws",
  "bun",
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
};

/** The default config cannot hold s5's 10,100 connections: it would 503. */
const DEFAULT_SKIPS = (sc: Scenario) =>
  sc.fresh
    ? "memory rows run the quiet config: the default --max-connections 10000 refuses s5's 10,100 connections"
    : null;

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
    ...extra,
    ...(deflate ? ["--deflate", "on"] : []),
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
        };
      } else reason = p.reason;
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
