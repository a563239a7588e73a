/**
 * `deno task start`: the command-line server. Also the entry for Deno Deploy
 * and `deno compile`. (`deno serve` uses `serve.ts`: `import.meta.main` is
 * true there too, so one file doing both would start two servers.)
 *
 * @module
 */
import { createApp } from "./lib/app/app.ts";
import { startBus, stopBus } from "./lib/topics/bus.ts";
import { parseCli } from "./lib/cli/parse_cli.ts";
import { USAGE } from "./lib/cli/usage.ts";
import { Logger } from "./lib/log.ts";
import { serveNative } from "./lib/engines/native/engine.ts";
import {
  loadRoutes,
  manifestDrift,
  refreshManifest,
  staleManifestMessage,
} from "./lib/routing/manifest_check.ts";
import { HANDLERS_DIR } from "./lib/paths.ts";
import { routeTable } from "./lib/routing/route_table.ts";
import { readStartupFiles, type TlsFiles } from "./lib/cli/startup_files.ts";
import { setUpPrograms } from "./lib/cli/program_startup.ts";
import { programs } from "./lib/programs/runtime.ts";
import { listenForShutdown } from "./lib/cli/shutdown_signals.ts";
import { listenBanner } from "./lib/cli/banner.ts";
import { listenErrorLine } from "./lib/cli/listen_error.ts";
import { join, relative } from "node:path";
import { nativeDeflate } from "./lib/cli/deflate_flags.ts";
import denoJson from "./deno.json" with { type: "json" };

/**
 * Shutdown budget. Deno Deploy sends SIGINT and kills 5 s later, so sockets
 * get `CLOSE_GRACE_MS` to finish their close handshake and the process exits
 * by `EXIT_DEADLINE_MS` whatever is still in flight.
 */
const CLOSE_GRACE_MS = 2500;
const EXIT_DEADLINE_MS = 4000;
/** Programs still running after the close grace are killed this much later. */
const PROGRAM_GRACE_MS = 1000;

/** How `main()` was started. */
export interface MainOptions {
  /** Rewrite a stale `handlers/manifest.gen.ts` first (`deno task dev`). */
  writeManifest?: boolean;
}

/**
 * Runs the server until SIGINT/SIGTERM; returns the exit code. Every
 * start-up mistake is one `error:` line on stderr and a non-zero exit.
 *
 * @example
 * ```ts ignore
 * Deno.exit(await main(["--port", "8080"]));
 * ```
 */
export async function main(
  args: string[],
  { writeManifest = false }: MainOptions = {},
): Promise<number> {
  const cli = parseCli(args, {
    PORT: Deno.env.get("PORT"),
    DENOSOCKET_HOST: Deno.env.get("DENOSOCKET_HOST"),
    DENOSOCKET_OPS_TOKEN: Deno.env.get("DENOSOCKET_OPS_TOKEN"),
    DENOSOCKET_BUS: Deno.env.get("DENOSOCKET_BUS"),
    DENOSOCKET_HISTORY: Deno.env.get("DENOSOCKET_HISTORY"),
    DENOSOCKET_HISTORY_TTL: Deno.env.get("DENOSOCKET_HISTORY_TTL"),
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
    console.error(`error: ${cli.message}`);
    return 2;
  }
  const log = new Logger(
    cli.options.logLevel,
    undefined,
    cli.options.logFormat,
  );
  for (const message of cli.warnings) log.warn("flag_ignored", { message });
  let routes, options, tls: TlsFiles | null, warnings;
  try {
    ({ options, tls } = await readStartupFiles(cli.options));
    if (!options.handlersDir) await checkManifest(log, writeManifest);
    const modules = await loadRoutes(
      // A literal import(), so Deploy and `deno compile` see every handler.
      () => import("./handlers/manifest.gen.ts"),
      options.handlersDir,
      HANDLERS_DIR,
    );
    ({ routes, warnings } = await setUpPrograms(modules, options));
  } catch (err) {
    console.error(`error: ${(err as Error).message}`);
    return 1;
  }
  if (cli.listHandlers) {
    console.log(routeTable(routes));
    return 0;
  }
  for (const message of warnings) log.warn("program_warning", { message });
  programs.configure({ log });
  const app = createApp(options, routes, log);
  const scheme = tls ? "https" : "http";
  await startBus(
    options.bus,
    log,
    undefined,
    Deno.env.get("DENOSOCKET_KV_PATH"),
  );
  const listen = {
    ...tls,
    port: options.port,
    hostname: options.hostname,
    onListen(addr: { hostname: string; port: number }) {
      const banner = listenBanner(scheme, addr, denoJson.version);
      if (log.format === "json") {
        // Every line a JSON object for shippers; written whatever the level.
        log.write("info", "listening", {
          url: banner.url,
          address: banner.address,
          version: denoJson.version,
          static: options.staticDir ?? "",
          handlers: routes.map((r) => r.pattern).join(" "),
        });
        return;
      }
      // Through the logger, so the banner stays in order with log lines.
      log.print(banner.line);
      if (options.staticDir) {
        log.print(`  static files from ${options.staticDir}`);
      }
      log.print(
        `WebSocket handlers (${
          banner.url.replace(/^http/, "ws").replace(/\/$/, "")
        }…):\n${routeTable(routes)}`,
      );
    },
  };
  // Listening for signals before listening on the port: a Ctrl+C typed as
  // soon as the banner shows must find the graceful path, not Deno's default
  // (exit 130 at once), which it did in 2 of 3 tries in a pty.
  let server: { shutdown(): Promise<void>; finished: Promise<void> } | null =
    null;
  const stop = async (signal: string) => {
    log.info("shutdown", { signal, connections: app.connections.size });
    // server.shutdown() waits for in-flight HTTP responses without limit.
    setTimeout(() => {
      log.warn("shutdown_deadline", { after_ms: EXIT_DEADLINE_MS });
      Deno.exit(0);
    }, EXIT_DEADLINE_MS);
    await app.closeAll(1001, "Server shutting down", CLOSE_GRACE_MS);
    // Each closed connection is stopping its program; end the stragglers.
    await programs.endAll(PROGRAM_GRACE_MS);
    await server?.shutdown();
    await stopBus();
    Deno.exit(0);
  };
  // One Ctrl+C under `deno task` arrives twice; a second press forces.
  listenForShutdown((signal) => void stop(signal), (signal) => {
    log.warn("shutdown_forced", { signal });
    Deno.exit(1);
  });
  // Both servers offer shutdown() and finished; the native one also serves
  // the app's plain HTTP routes through app.handle().
  try {
    server = options.engine === "native"
      ? serveNative(app, {
        ...listen,
        deflate: nativeDeflate(options),
      })
      : Deno.serve(listen, app.fetch);
  } catch (err) {
    await stopBus();
    console.error(`error: ${listenErrorLine(err, listen)}`);
    return 1;
  }
  await server.finished;
  return 0;
}

/**
 * Warns when the handlers folder and the manifest disagree (a handler added
 * without `deno task manifest`), or rewrites the manifest (`deno task dev`).
 */
async function checkManifest(log: Logger, write: boolean): Promise<void> {
  if (write) {
    const changed = await refreshManifest(HANDLERS_DIR);
    if (changed) {
      const names = (files: string[]) =>
        files.map((f) => relative(Deno.cwd(), join(HANDLERS_DIR, f))).join(" ");
      log.info("manifest_written", {
        added: names(changed.missing),
        removed: names(changed.extra),
      });
    }
    return;
  }
  const drift = await manifestDrift(HANDLERS_DIR);
  // A listed file that is gone fails the import below, with this same text.
  if (drift && !drift.extra.length) {
    log.warn("manifest_stale", {
      message: staleManifestMessage(drift, HANDLERS_DIR),
    });
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
