/**
 * `deno task manifest`: writes `handlers/manifest.gen.ts` from the files in
 * `handlers/`. `--check` exits 1 (naming the files) when it is stale.
 *
 * @module
 */
import { join } from "node:path";
import {
  listHandlerFiles,
  MANIFEST_FILE,
  manifestSource,
} from "../lib/routing/manifest.ts";
import { HANDLERS_DIR } from "../lib/paths.ts";

const target = join(HANDLERS_DIR, MANIFEST_FILE);
const files = await listHandlerFiles(HANDLERS_DIR);
const source = manifestSource(files);

if (Deno.args.includes("--check")) {
  const current = await Deno.readTextFile(target).catch(() => "");
  if (current !== source) {
    console.error(`${target} is stale: run \`deno task manifest\``);
    Deno.exit(1);
  }
} else {
  await Deno.writeTextFile(target, source);
  console.log(`wrote ${target} (${files.length} handlers)`);
  for (const f of files) console.log(`  ${f}`);
}
