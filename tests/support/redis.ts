/**
 * A real `redis-server` for tests: on a free port, no persistence, in a
 * temporary folder; and `redis-cli` for commands such as `FLUSHALL`.
 *
 * @module
 */

import { childEnv } from "./spawn.ts";
import { TOOLS } from "./tools.ts";

/** The redis-server the tests use (from `tests/support/tools.ts`). */
export const REDIS: string = TOOLS.redisServer.path;

/** A port nothing listens on (free at the time of asking). */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/**
 * redis-server's arguments: loopback only, on `port`, in the foreground,
 * nothing saved (no snapshot, no append-only file), its files in `dir`.
 *
 * @example
 * ```ts ignore
 * redisArgs(6380, "/tmp/r"); // ["--port", "6380", "--bind", "127.0.0.1", …]
 * ```
 */
export function redisArgs(port: number, dir: string): string[] {
  return [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    dir,
    "--daemonize",
    "no",
  ];
}

/**
 * Starts redis-server on `port` with no persistence; resolves once it accepts.
 *
 * @example
 * ```ts ignore
 * const redis = await startRedis(freePort(), await Deno.makeTempDir());
 * redis.kill("SIGKILL");
 * ```
 */
export async function startRedis(
  port: number,
  dir: string,
): Promise<Deno.ChildProcess> {
  const child = new Deno.Command(REDIS, {
    args: redisArgs(port, dir),
    clearEnv: true,
    env: childEnv(),
    stdout: "null",
    stderr: "null",
  }).spawn();
  for (let i = 0; i < 100; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return child;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill("SIGKILL");
  throw new Error("redis-server did not start");
}

/** Runs `redis-cli -p PORT ...args`; returns its output, trimmed. */
export async function redisCli(
  port: number,
  ...args: string[]
): Promise<string> {
  const out = await new Deno.Command(TOOLS.redisCli.path, {
    args: ["-p", String(port), ...args],
    clearEnv: true,
    env: childEnv(),
    stdout: "piped",
    stderr: "piped",
  }).output();
  return new TextDecoder().decode(out.stdout).trim();
}

/** Kills a redis-server and waits for it to be gone. */
export async function stopRedis(child: Deno.ChildProcess): Promise<void> {
  try {
    child.kill("SIGKILL");
  } catch { /* already gone */ }
  await child.status;
}
