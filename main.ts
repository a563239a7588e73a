/**
 * `deno task start`: the command-line server. Also the entry for Deno Deploy
 * and `deno compile`. (`deno serve` uses `serve.ts`: `import.meta.main` is
 * true there too, so one file doing both would start two servers.)
 *
 * @module
 */
import { createApp } from "./lib/app/app.ts";
import { startBus, stopBus } from "./lib/topics/bus.ts";
import { parseCli, USAGE } from "./lib/cli/parse_cli.ts";
import { Logger } from "./lib/log.ts";
import { serveNative } from "./lib/engines/native/engine.ts";
import manifest from "./handlers/manifest.gen.ts";
import { loadRoutes } from "./lib/routing/manifest.ts";
import { routeTable } from "./lib/routing/route_table.ts";
import { readStartupFiles, type TlsFiles } from "./lib/cli/startup_files.ts";
import denoJson from "./deno.json" with { type: "json" };

/**
 * Shutdown budget. Deno Deploy sends SIGINT and kills 5 s later, so sockets
 * get `CLOSE_GRACE_MS` to finish their close handshake and the process exits
 * by `EXIT_DEADLINE_MS` whatever is still in flight.
 */
const CLOSE_GRACE_MS = 2500;
const EXIT_DEADLINE_MS = 4000;

/**
 * Runs the server until SIGINT/SIGTERM; returns the exit code.
 *
 * @example
 * ```ts ignore
 * Deno.exit(await main(["--port", "8080"]));
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const cli = parseCli(args, {
    PORT: Deno.env.get("PORT"),
    DENOSOCKET_HOST: Deno.env.get("DENOSOCKET_HOST"),
    DENOSOCKET_OPS_TOKEN: Deno.env.get("DENOSOCKET_OPS_TOKEN"),
    DENOSOCKET_BUS: Deno.env.get("DENOSOCKET_BUS"),
  });
  if (cli.kind === "help") {
    console.log(USAGE);
    return 0;
  }
  if (cli.kind === "version") {
    console.log(`denosocket ${denoJson.version}`);
    return 0;
  }
  if (cli.kind === "error") {
    console.error(`error: ${cli.message}\n\n${USAGE}`);
    return 2;
  }
  let routes, options, tls: TlsFiles | null;
  try {
    ({ options, tls } = await readStartupFiles(cli.options));
    routes = await loadRoutes(manifest, options.handlersDir);
  } catch (err) {
    console.error(`error: ${(err as Error).message}`);
    return 1;
  }
  if (cli.listHandlers) {
    console.log(routeTable(routes));
    return 0;
  }
  const log = new Logger(options.logLevel, undefined, options.logFormat);
  for (const message of cli.warnings) log.warn("flag_ignored", { message });
  const app = createApp(options, routes, log);
  const scheme = tls ? "https" : "http";
  await startBus(options.bus, log);
  const listen = {
    ...tls,
    port: options.port,
    hostname: options.hostname,
    onListen({ hostname, port }: { hostname: string; port: number }) {
      const host = hostname === "0.0.0.0" ? "localhost" : hostname;
      if (log.format === "json") {
        // Every line a JSON object for shippers; written whatever the level.
        log.write("info", "listening", {
          url: `${scheme}://${host}:${port}/`,
          version: denoJson.version,
          static: options.staticDir ?? "",
          handlers: routes.map((r) => r.pattern).join(" "),
        });
        return;
      }
      // Through the logger, so the banner stays in order with log lines.
      log.print(
        `denosocket ${denoJson.version} listening on ${scheme}://${host}:${port}/`,
      );
      if (options.staticDir) {
        log.print(`  static files from ${options.staticDir}`);
      }
      log.print(
        `WebSocket handlers (${
          scheme.replace("http", "ws")
        }://${host}:${port}…):\n${routeTable(routes)}`,
      );
    },
  };
  // Both servers offer shutdown() and finished; the native one also serves
  // the app's plain HTTP routes through app.handle().
  const server = options.engine === "native"
    ? serveNative(app, {
      ...listen,
      deflate: options.deflate && { threshold: options.deflateThreshold },
    })
    : Deno.serve(listen, app.fetch);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      log.warn("shutdown_forced", { signal });
      Deno.exit(1);
    }
    stopping = true;
    log.info("shutdown", { signal, connections: app.connections.size });
    // server.shutdown() waits for in-flight HTTP responses without limit.
    setTimeout(() => {
      log.warn("shutdown_deadline", { after_ms: EXIT_DEADLINE_MS });
      Deno.exit(0);
    }, EXIT_DEADLINE_MS);
    await app.closeAll(1001, "Server shutting down", CLOSE_GRACE_MS);
    await server.shutdown();
    await stopBus();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", () => stop("SIGINT"));
  Deno.addSignalListener("SIGTERM", () => stop("SIGTERM"));
  await server.finished;
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
