/**
 * The `deno serve` entry (`deno serve --parallel serve.ts`): the same app with
 * the default options and the manifest's handlers. `deno serve` owns the
 * listener (`--port`, `--host`); for the other flags run `main.ts`.
 *
 * @module
 */
import { createApp } from "./app.ts";
import { loadRoutes } from "./lib/routes.ts";

const app = createApp({}, await loadRoutes(null));

export default {
  fetch: app.fetch,
} satisfies Deno.ServeDefaultExport;
