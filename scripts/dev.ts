/**
 * `deno task dev`: `main.ts` under `deno run --watch=handlers/`, which
 * restarts when a loaded module changes or anything in `handlers/` appears,
 * disappears or is renamed. Each start first rewrites a stale
 * `handlers/manifest.gen.ts` (the task may write that one file), so a new
 * handler works on save.
 *
 * @module
 */
import { main } from "../main.ts";

Deno.exit(await main(Deno.args, { writeManifest: true }));
