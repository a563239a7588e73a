/**
 * Test servers: the app in-process on port 0, or `main.ts` as a real
 * subprocess (for CLI, signals and independent-client tests).
 *
 * @module
 */
import { type App, createApp } from "../../app.ts";
import { Logger, type LogSink } from "../../lib/log.ts";
import type { ServerOptions } from "../../lib/options.ts";
import { serveNative } from "../../lib/native/engine.ts";
import { loadRoutes } from "../../lib/routes.ts";
import type { Route } from "../../lib/router.ts";

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
  const app = createApp(options, routes ?? await loadRoutes(null), log);
  const ready = Promise.withResolvers<number>();
  const listen = {
    port: 0,
    hostname: "127.0.0.1",
    onListen: ({ port }: { port: number }) => ready.resolve(port),
  };
  // Both offer shutdown(), which waits for every connection to end.
  // As main.ts does: deflate is negotiated only when the options ask.
  const { deflate, deflateThreshold } = app.options;
  const server = app.options.engine === "native"
    ? serveNative(app, {
      ...listen,
      deflate: deflate && { threshold: deflateThreshold },
    })
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

/** A `main.ts` subprocess. */
export interface ServerProcess {
  child: Deno.ChildProcess;
  port: number;
  http: string;
  ws: string;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** Sends SIGTERM and waits for the exit status. */
  stop(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

const ROOT = new URL("../../", import.meta.url);

/** Runs `deno run -A main.ts --port 0 --host 127.0.0.1 ...args`. */
export function spawnServer(
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  return spawnListening(
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
  return spawnListening(
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

/** Spawns `deno ...args` in the project root; resolves once `listening` matches. */
async function spawnListening(
  args: string[],
  env: Record<string, string>,
  listening: RegExp,
): Promise<ServerProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const port = Promise.withResolvers<number>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      const m = listening.exec(text);
      if (m) port.resolve(Number(m[1]));
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const exited = child.status.then((s) => {
    port.reject(
      new Error(`server exited (${s.code}) before listening:\n${text}`),
    );
    return s;
  });
  const timer = setTimeout(
    () => port.reject(new Error(`server not listening after 20 s:\n${text}`)),
    20_000,
  );
  const p = await port.promise.finally(() => clearTimeout(timer));
  return {
    child,
    port: p,
    http: `http://127.0.0.1:${p}`,
    ws: `ws://127.0.0.1:${p}`,
    output: () => text,
    async stop(signal: Deno.Signal = "SIGTERM") {
      try {
        child.kill(signal);
      } catch { /* already gone */ }
      // A child that ignores the signal must not hang the suite.
      const force = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* gone */ }
      }, 10_000);
      const status = await exited;
      clearTimeout(force);
      await pumps;
      return status;
    },
  };
}

/** Runs `deno run -A main.ts ...args` to completion. */
export async function runCli(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts", ...args],
    cwd: ROOT,
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
