/**
 * Processes for the fan-out bench: `main.ts`, `deno serve --parallel` and
 * `redis-server`, each started on a free port and read for CPU time.
 *
 * @module
 */

import {
  type Listening,
  spawnListening as spawnShared,
} from "../tests/support/spawn.ts";
import { REDIS, redisArgs } from "../tests/support/redis.ts";

/** A started server process. */
export type Proc = Listening;

/**
 * CPU seconds (user + system) a process has used, from `/proc/PID/stat`.
 *
 * @example
 * ```ts ignore
 * const s = cpuSeconds(Deno.pid);
 * ```
 */
export function cpuSeconds(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  // Fields after the command name, which may contain spaces: (…) then state.
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(rest[11]) + Number(rest[12]);
  return ticks / 100; // CLK_TCK is 100 on Linux
}

/**
 * Spawns a command and resolves once `listening` matches its output (the
 * first group is the port, unless `fixedPort` is given). Chatty output is
 * trimmed to its head and tail.
 *
 * @example
 * ```ts ignore
 * const p = await spawnListening(Deno.execPath(), ["run", "-A", "main.ts", "--port", "0"], {}, /:(\d+)\//);
 * ```
 */
export function spawnListening(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  listening: RegExp,
  fixedPort?: number,
): Promise<Proc> {
  return spawnShared(cmd, args, {
    env,
    listening,
    port: fixedPort,
    timeoutMs: 30_000,
    trimOutput: true,
  });
}

/**
 * `main.ts` on a free port with these extra flags.
 *
 * @example
 * ```ts ignore
 * const p = await startMain(["--bus", "broadcast"]);
 * await p.stop();
 * ```
 */
export function startMain(args: string[]): Promise<Proc> {
  return spawnListening(
    Deno.execPath(),
    [
      "run",
      "-A",
      "main.ts",
      "--port",
      "0",
      "--host",
      "127.0.0.1",
      "--log-level",
      "warn",
      ...args,
    ],
    {},
    /listening on http:\/\/[^:]+:(\d+)\//,
  );
}

/**
 * `deno serve --parallel serve.ts` with `workers` isolates and a bus.
 *
 * @example
 * ```ts ignore
 * const p = await startParallel(2, "broadcast");
 * ```
 */
export function startParallel(
  workers: number,
  bus: string,
  env: Record<string, string> = {},
): Promise<Proc> {
  return spawnListening(
    Deno.execPath(),
    [
      "serve",
      "--parallel",
      "-A",
      "--port",
      "0",
      "--host",
      "127.0.0.1",
      "serve.ts",
    ],
    { DENO_JOBS: String(workers), DENOSOCKET_BUS: bus, ...env },
    /Listening on http:\/\/[^:]+:(\d+)\//,
  );
}

/**
 * `redis-server` on a free port, no persistence, in a temp dir.
 *
 * @example
 * ```ts ignore
 * const redis = await startRedis();
 * console.log(`redis://127.0.0.1:${redis.port}`);
 * await redis.stop();
 * ```
 */
export async function startRedis(): Promise<Proc & { dir: string }> {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const dir = await Deno.makeTempDir({ prefix: "denosocket-bench-redis-" });
  const proc = await spawnListening(
    REDIS,
    redisArgs(port, dir),
    {},
    /Ready to accept connections/,
    port,
  );
  return {
    ...proc,
    dir,
    async stop(signal?: Deno.Signal) {
      const status = await proc.stop(signal);
      await Deno.remove(dir, { recursive: true });
      return status;
    },
  };
}
