/**
 * The engines every engine-neutral test runs against, and the one function
 * that starts a server on a given engine. Adding the native engine is one
 * line: `ENGINES` gets `"native"`.
 *
 * @module
 */
import type { EngineName } from "../../lib/options.ts";
import { type ServerProcess, spawnServer } from "./server.ts";

/** Engines under test. */
export const ENGINES: readonly EngineName[] = ["deno"];

/**
 * Starts `main.ts` as a subprocess on `engine` (port 0, loopback) with extra
 * flags. A subprocess, so a crash or an unhandled error shows up as such.
 *
 * @example
 * ```ts ignore
 * const server = await startEngine("deno", ["--idle-timeout", "2"]);
 * await server.stop();
 * ```
 */
export function startEngine(
  engine: EngineName,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  return spawnServer(["--engine", engine, ...args], env);
}
