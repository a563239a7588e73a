/**
 * The manifest against the handlers folder: what a forgotten
 * `deno task manifest` left out or left behind, said in one line at start,
 * by `deno task deploy:check`, and fixed by `deno task dev` on its own.
 *
 * @module
 */
import { join } from "node:path";
import {
  listHandlerFiles,
  loadHandlerDir,
  type Manifest,
  MANIFEST_FILE,
  manifestSource,
  routePattern,
  routesFromManifest,
} from "./manifest.ts";
import type { Route } from "./router.ts";
import { loadErrorLine, shown } from "./load_error.ts";

/** Route files the manifest lacks (`missing`) and lists but are gone (`extra`). */
export interface ManifestDrift {
  missing: string[];
  extra: string[];
}

/**
 * The `./file.ts` keys a manifest's source imports.
 *
 * @example
 * ```ts
 * import { manifestFiles } from "./manifest_check.ts";
 * import assert from "node:assert/strict";
 * const text = 'import * as $echo from "./echo.ts";\n';
 * assert.deepEqual(manifestFiles(text), ["./echo.ts"]);
 * ```
 */
export function manifestFiles(source: string): string[] {
  return [...source.matchAll(/^import \* as \S+ from "(\.\/[^"]+)";$/gm)]
    .map((m) => m[1]);
}

/**
 * How `dir`'s manifest differs from its route files; `null` when they agree
 * or when either cannot be read (a compiled binary has no handlers folder).
 *
 * @example
 * ```ts
 * import { manifestDrift } from "./manifest_check.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/manifest.gen.ts`, 'import * as $a from "./a.ts";\n');
 * await Deno.writeTextFile(`${dir}/b.ts`, "");
 * assert.deepEqual(await manifestDrift(dir), { missing: ["./b.ts"], extra: ["./a.ts"] });
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function manifestDrift(
  dir: string,
): Promise<ManifestDrift | null> {
  let files, listed;
  try {
    files = await listHandlerFiles(dir);
    listed = manifestFiles(await Deno.readTextFile(join(dir, MANIFEST_FILE)));
  } catch {
    return null;
  }
  const missing = files.filter((f) => !listed.includes(f));
  const extra = listed.filter((f) => !files.includes(f));
  return missing.length || extra.length ? { missing, extra } : null;
}

/**
 * One line naming every missing and extra file and the command that fixes it.
 *
 * @example
 * ```ts
 * import { staleManifestMessage } from "./manifest_check.ts";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   staleManifestMessage({ missing: ["./bye.ts"], extra: [] }, "/p/handlers", "/p"),
 *   "handlers/manifest.gen.ts is stale: it lacks handlers/bye.ts (/bye), so that path " +
 *     "answers 404; " +
 *     "run `deno task manifest` and restart (`deno task dev` does both on save)",
 * );
 * ```
 */
export function staleManifestMessage(
  drift: ManifestDrift,
  dir: string,
  cwd: string = Deno.cwd(),
): string {
  const name = (f: string) => shown(join(dir, f), cwd);
  const parts: string[] = [];
  const { missing, extra } = drift;
  if (missing.length) {
    const list = missing.map((f) => `${name(f)} (${routePattern(f)})`);
    const paths = missing.length > 1
      ? "those paths answer"
      : "that path answers";
    parts.push(`it lacks ${list.join(", ")}, so ${paths} 404`);
  }
  if (extra.length) {
    const gone = extra.length > 1 ? "which are gone" : "which is gone";
    parts.push(`it lists ${extra.map(name).join(", ")}, ${gone}`);
  }
  return `${name(MANIFEST_FILE)} is stale: ${parts.join("; ")}; ` +
    "run `deno task manifest` and restart (`deno task dev` does both on save)";
}

/**
 * Imports the app's manifest through `load` (the entry's own literal
 * `import()`, so Deploy and `deno compile` still see every handler). A
 * module the manifest lists but that is gone, a handler that throws as it
 * loads (a `defineHandler()` typo) or does not parse: each is an `Error`
 * with one line naming the file.
 *
 * @example
 * ```ts ignore
 * const manifest = await importManifest(() => import("./handlers/manifest.gen.ts"), HANDLERS_DIR);
 * ```
 */
export async function importManifest(
  load: () => Promise<{ default: Manifest }>,
  dir: string,
): Promise<Manifest> {
  try {
    return (await load()).default;
  } catch (err) {
    const drift = /^Module not found/.test((err as Error).message ?? "")
      ? await manifestDrift(dir)
      : null;
    throw new Error(
      drift ? staleManifestMessage(drift, dir) : loadErrorLine(err),
    );
  }
}

/**
 * Rewrites `dir`'s manifest when it is stale (for `deno task dev`); returns
 * what changed, or `null` when nothing had to.
 *
 * @example
 * ```ts ignore
 * const changed = await refreshManifest(HANDLERS_DIR);
 * ```
 */
export async function refreshManifest(
  dir: string,
): Promise<ManifestDrift | null> {
  const drift = await manifestDrift(dir);
  if (drift) {
    const files = await listHandlerFiles(dir);
    await Deno.writeTextFile(join(dir, MANIFEST_FILE), manifestSource(files));
  }
  return drift;
}

/**
 * The routes for `handlersDir` (imported at run time) or, when `null`, the
 * app's manifest through `load` (its static imports let Deploy and
 * `deno compile` include every handler). The app passes its manifest in;
 * `lib/` never imports `handlers/`. Errors are one line (see
 * `importManifest()`), except the list of every module that is not a handler.
 *
 * @example
 * ```ts ignore
 * const routes = await loadRoutes(() => import("./handlers/manifest.gen.ts"), null);
 * ```
 */
export async function loadRoutes(
  load: () => Promise<{ default: Manifest }>,
  handlersDir: string | null,
  manifestDir: string,
): Promise<Route[]> {
  if (handlersDir) return await loadHandlerDir(handlersDir);
  return routesFromManifest(await importManifest(load, manifestDir));
}
