/**
 * The servers the benchmark can compare, and how each is started. The
 * project's server goes through its real CLI and `/echo` handler, so the
 * whole dispatch path is measured; it also serves `bench/programs/`
 * (`--programs`) for the program rows, which websocketd serves too.
 *
 * @module
 */
import { join } from "node:path";
import type { ServerSpec } from "./model.ts";
import { bun, nodeWs, type Peer } from "./peers.ts";

const BENCH = import.meta.dirname!;
const ROOT = join(BENCH, "..");
const DENO = Deno.execPath();
/** The programs of the program rows: `/cat` and `/true`. */
const PROGRAMS = join(BENCH, "programs");

/** Every server id, in table order. */
export const SERVER_IDS = [
  "raw",
  "project",
  "project-native",
  "node-ws",
  "bun",
  "websocketd",
];

/** Servers run only when named: the native engine with deflate forced. */
export const VARIANT_IDS = [
  "project-native-deflate",
  "project-native-nodeflate",
];

/** A server with its start command, or why it cannot be benchmarked. */
export interface Resolved {
  id: string;
  label: string;
  spec?: ServerSpec;
  reason?: string;
}

const LABELS: Record<string, string> = {
  "raw": "raw Deno (baseline_raw.ts)",
  "project": "denosocket (main.ts /echo)",
  "project-native": "denosocket --engine native",
  "project-native-deflate": "denosocket --engine native --deflate on",
  "project-native-nodeflate": "denosocket --engine native --deflate off",
  "node-ws": "Node ws",
  "bun": "Bun.serve",
  "websocketd": "websocketd --dir bench/programs",
};

async function hasMain(): Promise<boolean> {
  try {
    return (await Deno.stat(join(ROOT, "main.ts"))).isFile;
  } catch {
    return false;
  }
}

function project(extra: string[]): (port: number) => string[] {
  return (port) => [
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
  ];
}

/** websocketd (Debian's package) serving the same programs. */
async function websocketd(): Promise<
  ((port: number) => string[]) | { reason: string }
> {
  try {
    const out = await new Deno.Command("websocketd", {
      args: ["--version"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) return { reason: "websocketd --version failed" };
  } catch {
    return { reason: "websocketd not found (apt-get install -y websocketd)" };
  }
  return (port) => [
    "websocketd",
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

function peer(p: Peer, script: string): (port: number) => string[] {
  const bin = "bin" in p ? p.bin : "";
  return (
    port,
  ) => [
    bin,
    join(BENCH, script),
    "--port",
    String(port),
    "--host",
    "127.0.0.1",
  ];
}

/** Resolves ids to start commands, installing peers if needed. */
export async function resolveServers(ids: string[]): Promise<Resolved[]> {
  const out: Resolved[] = [];
  for (const id of ids) {
    const label = LABELS[id] ?? id;
    let command: ((port: number) => string[]) | undefined;
    let reason: string | undefined;
    if (id === "raw") {
      command = (port) => [
        DENO,
        "run",
        "-A",
        join(BENCH, "baseline_raw.ts"),
        "--port",
        String(port),
        "--host",
        "127.0.0.1",
      ];
    } else if (id === "project" || id.startsWith("project-native")) {
      const deflate = /-(no)?deflate$/.exec(id);
      if (!(await hasMain())) reason = "main.ts not found";
      else if (id === "project") command = project([]);
      else if (!deflate) command = project(["--engine", "native"]);
      else {
        command = project([
          "--engine",
          "native",
          "--deflate",
          deflate[1] ? "off" : "on",
        ]);
      }
    } else if (id === "websocketd") {
      const w = await websocketd();
      if (typeof w === "function") command = w;
      else reason = w.reason;
    } else if (id === "node-ws" || id === "bun") {
      const p = id === "bun" ? await bun() : await nodeWs();
      if ("bin" in p) {
        command = peer(p, id === "bun" ? "peer_bun.mjs" : "peer_node_ws.mjs");
      } else reason = p.reason;
    } else {
      reason = `unknown server (known: ${
        [...SERVER_IDS, ...VARIANT_IDS].join(", ")
      })`;
    }
    const programs = id.startsWith("project") || id === "websocketd";
    out.push({
      id,
      label,
      reason,
      spec: command && {
        id,
        label,
        command,
        cwd: ROOT,
        echo: id !== "websocketd",
        programs,
      },
    });
  }
  return out;
}
