/**
 * Test servers: the app in-process on port 0, or `main.ts` as a real
 * subprocess (for CLI, signals and independent-client tests).
 *
 * @module
 */
import { type App, createApp } from "../../lib/app/app.ts";
import { Logger, type LogSink } from "../../lib/log.ts";
import type { ServerOptions } from "../../lib/options.ts";
import { serveNative } from "../../lib/engines/native/engine.ts";
import { nativeDeflate } from "../../lib/cli/deflate_flags.ts";
import manifest from "../../handlers/manifest.gen.ts";
import { routesFromManifest } from "../../lib/routing/manifest.ts";
import type { Route } from "../../lib/routing/router.ts";
import { childEnv, type Listening, spawnListening } from "./spawn.ts";

/** A running in-process server. */
export interface TestServer {
  app: App;
  port: number;
  /** `http://127.0.0.1:PORT` */
  http: string;
  /** `ws://127.0.0.1:PORT` */
  ws: string;
  /** Log lines written so far. */
  logs: string[];
  close(): Promise<void>;
}

/**
 * Starts the app on 127.0.0.1, port 0, with the manifest's routes unless
 * `routes` is given, on `options.engine` (default `deno`: `Deno.serve`;
 * `native`: `serveNative`). Logs are captured, not printed.
 *
 * @example
 * ```ts ignore
 * const server = await startServer({ engine: "native" });
 * await server.close();
 * ```
 */
export async function startServer(
  options: Partial<ServerOptions> = {},
  routes?: Route[],
): Promise<TestServer> {
  const logs: string[] = [];
  const sink: LogSink = (_level, line) => logs.push(line);
  const log = new Logger(options.logLevel ?? "debug", sink, options.logFormat);
  const app = createApp(options, routes ?? routesFromManifest(manifest), log);
  const ready = Promise.withResolvers<number>();
  const listen = {
    port: 0,
    hostname: "127.0.0.1",
    onListen: ({ port }: { port: number }) => ready.resolve(port),
  };
  // Both offer shutdown(), which waits for every connection to end.
  // As main.ts does: deflate is negotiated only when the options ask.
  const server = app.options.engine === "native"
    ? serveNative(app, { ...listen, deflate: nativeDeflate(app.options) })
    : Deno.serve(listen, app.fetch);
  const port = await ready.promise;
  return {
    app,
    port,
    http: `http://127.0.0.1:${port}`,
    ws: `ws://127.0.0.1:${port}`,
    logs,
    async close() {
      await app.closeAll(1001, "test over", 2000);
      await server.shutdown();
    },
  };
}

/** A `main.ts` (or `deno serve`) subprocess. */
export interface ServerProcess extends Listening {
  http: string;
  ws: string;
}

const ROOT = new URL("../../", import.meta.url);

/** Runs `deno run -A main.ts --port 0 --host 127.0.0.1 ...args`. */
export function spawnServer(
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  return spawnDeno(
    ["run", "-A", "main.ts", "--port", "0", "--host", "127.0.0.1", ...args],
    env,
    // The text banner, or the `listening` event of --log-format json.
    /(?:listening on |"url":")\w+:\/\/[^:]+:(\d+)\//,
  );
}

/**
 * Runs `deno serve --allow-net --allow-read --allow-env --port 0 --host
 * 127.0.0.1 ...flags serve.ts` (add `--parallel` and `DENO_JOBS` as needed).
 */
export function spawnDenoServe(
  flags: string[] = [],
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  return spawnDeno(
    [
      "serve",
      "--allow-net",
      "--allow-read",
      "--allow-env",
      "--port",
      "0",
      "--host",
      "127.0.0.1",
      ...flags,
      "serve.ts",
    ],
    env,
    /Listening on http:\/\/[^:]+:(\d+)\//,
  );
}

/** `spawnListening()` for `deno ...args`, with the server's URLs. */
async function spawnDeno(
  args: string[],
  env: Record<string, string>,
  listening: RegExp,
): Promise<ServerProcess> {
  const p = await spawnListening(Deno.execPath(), args, { env, listening });
  return {
    ...p,
    http: `http://127.0.0.1:${p.port}`,
    ws: `ws://127.0.0.1:${p.port}`,
  };
}

/** What a finished command printed, and its exit code. */
export interface Finished {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `deno ...args` to completion in `cwd` (default: the project) with
 * `childEnv(env)`.
 */
export async function runDeno(
  args: string[],
  { cwd = ROOT, env = {} }: {
    cwd?: string | URL;
    env?: Record<string, string>;
  } = {},
): Promise<Finished> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    clearEnv: true,
    env: childEnv(env),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}

/** Runs `deno run -A main.ts ...args` to completion. */
export function runCli(args: string[]): Promise<Finished> {
  return runDeno(["run", "-A", "main.ts", ...args]);
}

/** Runs `fn` against a fresh in-process server, closing it afterwards. */
export async function withServer(
  options: Partial<ServerOptions>,
  routes: Route[] | undefined,
  fn: (server: TestServer) => Promise<void>,
): Promise<void> {
  const server = await startServer(options, routes);
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}
