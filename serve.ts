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
import { startBus, stopBus } from "./lib/topics/bus.ts";
import { opsTokenFromEnv } from "./lib/ops/ops.ts";
import manifest from "./handlers/manifest.gen.ts";
import { routesFromManifest } from "./lib/routing/manifest.ts";
import { historyFromEnv } from "./lib/cli/history_flags.ts";

const HISTORY_ENV = ["DENOSOCKET_HISTORY", "DENOSOCKET_HISTORY_TTL"] as const;

const app: App = createApp(
  { opsToken: opsTokenFromEnv(), ...historyFromEnv(envOf(HISTORY_ENV)) },
  routesFromManifest(manifest),
);
await startBus(
  envOf(["DENOSOCKET_BUS"]).DENOSOCKET_BUS || "local",
  app.log,
  undefined,
  envOf(["DENOSOCKET_KV_PATH"]).DENOSOCKET_KV_PATH,
);
// An open BroadcastChannel (or Redis socket) keeps the process alive after
// deno serve's own graceful shutdown: close the bus on the way out.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => void stopBus());
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

export default {
  fetch: app.fetch,
} satisfies Deno.ServeDefaultExport;
