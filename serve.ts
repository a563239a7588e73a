/**
 * The `deno serve` entry (`deno serve --parallel serve.ts`): the same app with
 * the default options and the manifest's handlers. `deno serve` owns the
 * listener (`--port`, `--host`); for the other flags run `main.ts`.
 * `$DENOSOCKET_OPS_TOKEN` protects `/_health` and `/_metrics` here too.
 *
 * @module
 */
import { createApp } from "./app.ts";
import { opsTokenFromEnv } from "./lib/ops.ts";
import { loadRoutes } from "./lib/routes.ts";

const app = createApp({ opsToken: opsTokenFromEnv() }, await loadRoutes(null));

export default {
  fetch: app.fetch,
} satisfies Deno.ServeDefaultExport;
