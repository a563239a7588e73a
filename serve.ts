/**
 * The `deno serve` entry (`deno serve --parallel serve.ts`): the same app with
 * the default options and the manifest's handlers. `deno serve` owns the
 * listener (`--port`, `--host`); for the other flags run `main.ts`. The topic
 * bus comes from `DENOSOCKET_BUS` (`broadcast` joins the workers of
 * `--parallel`; `redis://host:port` joins machines), topic history from
 * `DENOSOCKET_HISTORY` and `DENOSOCKET_HISTORY_TTL`.
 * `$DENOSOCKET_OPS_TOKEN` protects `/_health` and `/_metrics` here too.
 *
 * @module
 */
import { type App, createApp } from "./lib/app/app.ts";
import { Logger } from "./lib/log.ts";
import { parseBusSpec, startBus, stopBus } from "./lib/topics/bus.ts";
import { opsTokenFromEnv } from "./lib/ops/ops.ts";
import { HANDLERS_DIR } from "./lib/paths.ts";
import {
  loadRoutes,
  manifestDrift,
  staleManifestMessage,
} from "./lib/routing/manifest_check.ts";
import { historyFromEnv } from "./lib/cli/history_flags.ts";

const HISTORY_ENV = ["DENOSOCKET_HISTORY", "DENOSOCKET_HISTORY_TTL"] as const;

// No top-level await at all: when SIGTERM comes while one worker serves and
// another is still evaluating this module, deno serve may never exit (Deno
// 2.9.6: 2 runs of 4 with a 3 s await in one worker; loading the manifest
// here at the top level made it hang in 1 run of 2). So the routes, the
// manifest check and the bus all start in the background, and the first
// requests wait for them.
// A literal import(), so `deno compile` and Deploy see every handler; a
// broken handler or a stale manifest is one line, not a trace.
const log = new Logger("info", undefined, "text");
const appReady: Promise<App> = loadRoutes(
  () => import("./handlers/manifest.gen.ts"),
  null,
  HANDLERS_DIR,
).then(async (routes) => {
  const app = createApp(
    { opsToken: opsTokenFromEnv(), ...historyFromEnv(envOf(HISTORY_ENV)) },
    routes,
    log,
  );
  const drift = await manifestDrift(HANDLERS_DIR).catch(() => null);
  if (drift) {
    app.log.warn("manifest_stale", {
      message: staleManifestMessage(drift, HANDLERS_DIR),
    });
  }
  return app;
}, (err) => {
  console.error(`error: ${err.message}`);
  Deno.exit(1);
});
const bus = parseBusSpec(envOf(["DENOSOCKET_BUS"]).DENOSOCKET_BUS || "local");
if (typeof bus === "string") throw new TypeError(`DENOSOCKET_BUS: ${bus}`);
let stopping = false;
const busReady = startBus(
  bus,
  log,
  undefined,
  envOf(["DENOSOCKET_KV_PATH"]).DENOSOCKET_KV_PATH,
).then(
  () => void (stopping && stopBus()),
  (err) => log.error("bus_error", { error: String(err) }),
);
let app: App | null = null;
const ready = Promise.all([appReady, busReady]).then(([a]) => (app = a));
// An open BroadcastChannel (or Redis socket) keeps the process alive after
// deno serve's own graceful shutdown: close the bus on the way out.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => {
    stopping = true;
    void stopBus();
  });
}

/**
 * The variables that are set and may be read. Asks first: without
 * --allow-env, reading would prompt on a terminal.
 */
function envOf(names: readonly string[]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const variable of names) {
    const query = { name: "env", variable } as const;
    if (Deno.permissions.querySync(query).state !== "granted") continue;
    out[variable] = Deno.env.get(variable);
  }
  return out;
}

const entry: Deno.ServeDefaultExport = {
  fetch(req, info) {
    if (app) return app.fetch(req, info);
    return ready.then((a) => a.fetch(req, info));
  },
};
export default entry;
