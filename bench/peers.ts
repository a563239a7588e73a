/**
 * Installs the peer servers' runtimes at bench time into bench/.peers/
 * (git-ignored): `ws` for Node, and the npm package `bun`, which ships the
 * Bun binary. Anything that cannot be installed is reported, never faked.
 *
 * @module
 */
import { join } from "node:path";

const PEERS = join(import.meta.dirname!, ".peers");

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function run(
  cmd: string,
  args: string[],
  timeoutS: number,
): Promise<string | null> {
  try {
    const out = await new Deno.Command(cmd, {
      args,
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(timeoutS * 1000),
    }).output();
    if (out.success) return null;
    const err = new TextDecoder().decode(out.stderr).trim().split("\n");
    return err.slice(-2).join(" ") || `${cmd} exited ${out.code}`;
  } catch (e) {
    return `${cmd}: ${(e as Error).message}`;
  }
}

/** `npm install` one package unless present; null on success, else why not. */
async function ensure(pkg: string, probe: string): Promise<string | null> {
  if (await exists(join(PEERS, "node_modules", probe))) return null;
  await Deno.mkdir(PEERS, { recursive: true });
  const err = await run("npm", [
    "install",
    "--prefix",
    PEERS,
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
    pkg,
  ], 180);
  return err ? `npm install ${pkg} failed: ${err}` : null;
}

/** A runtime to start a peer with, or the reason it is not available. */
export type Peer = { bin: string } | { reason: string };

/** Node plus `ws`. */
export async function nodeWs(): Promise<Peer> {
  const noNode = await run("node", ["--version"], 10);
  if (noNode) return { reason: "node not found" };
  const err = await ensure("ws@8", "ws/package.json");
  return err ? { reason: err } : { bin: "node" };
}

/** The Bun binary from the npm package `bun`. */
export async function bun(): Promise<Peer> {
  const err = await ensure("bun@1", "bun/bin/bun.exe");
  if (err) return { reason: err };
  const bin = join(PEERS, "node_modules", "bun", "bin", "bun.exe");
  // The package's postinstall puts the real binary there; prove it runs.
  const broken = await run(bin, ["--version"], 20);
  return broken ? { reason: `bun binary does not run: ${broken}` } : { bin };
}
