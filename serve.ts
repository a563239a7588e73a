/**
 * The `deno serve` entry (`deno serve --parallel serve.ts`): the same app with
 * the default options and the manifest's handlers. `deno serve` owns the
 * listener (`--port`, `--host`); for the other flags run `main.ts`. The topic
 * bus comes from `DENOSOCKET_BUS` (`broadcast` joins the workers of
 * `--parallel`; `redis://host:port` joins machines).
 * `$DENOSOCKET_OPS_TOKEN` protects `/_health` and `/_metrics` here too.
 *
 * @module
 */
import { type App, createApp } from "./lib/app/app.ts";
import { startBus, stopBus } from "./lib/topics/bus.ts";
import { opsTokenFromEnv } from "./lib/ops/ops.ts";
import { HANDLERS_DIR } from "./lib/paths.ts";
import {
  loadRoutes,
  manifestDrift,
  staleManifestMessage,
} from "./lib/routing/manifest_check.ts";

// A literal import(), so `deno compile` and Deploy see every handler; a
// broken handler or a stale manifest is one line, not a trace.
const routes = await loadRoutes(
  () => import("./handlers/manifest.gen.ts"),
  null,
  HANDLERS_DIR,
).catch((err) => {
  console.error(`error: ${err.message}`);
  Deno.exit(1);
});
const app: App = createApp({ opsToken: opsTokenFromEnv() }, routes);
const drift = await manifestDrift(HANDLERS_DIR);
if (drift) {
  app.log.warn("manifest_stale", {
    message: staleManifestMessage(drift, HANDLERS_DIR),
  });
}
await startBus(busFromEnv(), app.log);
// An open BroadcastChannel (or Redis socket) keeps the process alive after
// deno serve's own graceful shutdown: close the bus on the way out.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => void stopBus());
}

function busFromEnv(): string {
  // Ask first: without --allow-env, reading would prompt on a terminal.
  const env = { name: "env", variable: "DENOSOCKET_BUS" } as const;
  if (Deno.permissions.querySync(env).state !== "granted") return "local";
  return Deno.env.get("DENOSOCKET_BUS") || "local";
}

export default {
  fetch: app.fetch,
} satisfies Deno.ServeDefaultExport;
