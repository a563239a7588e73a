/**
 * The engines every engine-neutral test runs against, the one function that
 * starts a subprocess server on a given engine, and `engineTest()`, which
 * registers one `Deno.test` per engine.
 *
 * @module
 */
import type { EngineName } from "../../lib/options.ts";
import { type ServerProcess, spawnServer } from "./server.ts";

/** Engines under test. */
export const ENGINES: readonly EngineName[] = ["deno", "native"];

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

/** `Deno.test` options an engine test may set (not `name` or `fn`). */
export type EngineTestOptions = Omit<Deno.TestDefinition, "name" | "fn"> & {
  /** Engines to run on (default `ENGINES`). */
  engines?: readonly EngineName[];
};

/**
 * `eachEngine.test(name, fn)` registers `fn` once per engine in `ENGINES`,
 * each named `"NAME [engine]"`, so a failure says which engine broke. A
 * `.test` method rather than a plain function because deno fmt keeps a
 * `*.test("name", async (x) => {` header on one line, as for `Deno.test`.
 *
 * @example
 * ```ts ignore
 * eachEngine.test("/echo echoes text", async (engine) => {
 *   await withServer({ engine }, undefined, async (server) => {});
 * });
 * ```
 */
export const eachEngine = {
  test(
    name: string,
    fn: (engine: EngineName, t: Deno.TestContext) => Promise<void> | void,
    options: EngineTestOptions = {},
  ): void {
    const { engines = ENGINES, ...rest } = options;
    for (const engine of engines) {
      Deno.test({
        ...rest,
        name: `${name} [${engine}]`,
        fn: (t) => fn(engine, t),
      });
    }
  },
};
