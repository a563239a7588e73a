/**
 * Handler modules → routes: the file-name rules, the generated manifest's
 * source text, and loading a directory at run time (`--handlers DIR`).
 *
 * @module
 */
import { join, relative, resolve, sep } from "node:path";
import { toFileUrl } from "../paths.ts";
import { HANDLER_EXPECTED, handlerProblem } from "../handler.ts";
import type { Route } from "./router.ts";
import type { Handler } from "../types.ts";
import { handlerImportError } from "./load_error.ts";

/** The generated manifest's shape: module namespaces keyed by `./file.ts`. */
export interface Manifest {
  routes: Record<string, { default?: unknown }>;
}

/** The manifest's file name inside the handlers directory. */
export const MANIFEST_FILE = "manifest.gen.ts";

const ROUTE_FILE = /\.(ts|js|mts|mjs)$/;

/**
 * The URL pattern a handler file serves, or `null` when it is not a route
 * (a name or folder starting with `_`, a test, the manifest itself).
 *
 * @example
 * ```ts
 * import { routePattern } from "./manifest.ts";
 * import assert from "node:assert/strict";
 * assert.equal(routePattern("rooms/[name].ts"), "/rooms/:name");
 * assert.equal(routePattern("a/index.ts"), "/a");
 * ```
 */
export function routePattern(file: string): string | null {
  const rel = file.replaceAll("\\", "/").replace(/^\.\//, "");
  if (!ROUTE_FILE.test(rel) || rel === MANIFEST_FILE) return null;
  const parts = rel.replace(ROUTE_FILE, "").split("/");
  if (parts.some((p) => p.startsWith("_") || p.startsWith("."))) return null;
  if (/[._]test$/.test(parts[parts.length - 1])) return null;
  if (parts[parts.length - 1] === "index") parts.pop();
  const segments = parts.map((p) => {
    const m = /^\[([A-Za-z_][A-Za-z0-9_]*)\]$/.exec(p);
    return m ? `:${m[1]}` : p;
  });
  return "/" + segments.join("/");
}

/**
 * Builds routes from module namespaces, throwing one clear error that names
 * every file whose default export is not a handler.
 *
 * @example
 * ```ts ignore
 * import manifest from "./handlers/manifest.gen.ts"; // in the app's main.ts
 * const routes = routesFromManifest(manifest);
 * ```
 */
export function routesFromManifest(
  manifest: Manifest,
  base = "handlers",
): Route[] {
  const routes: Route[] = [];
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const [key, mod] of Object.entries(manifest.routes)) {
    const file = `${base}/${key.replace(/^\.\//, "")}`;
    const pattern = routePattern(key);
    if (!pattern) continue;
    const problem = handlerProblem(mod.default);
    if (problem) {
      problems.push(`${file}: ${problem}; expected ${HANDLER_EXPECTED}`);
      continue;
    }
    const clash = seen.get(pattern);
    if (clash) {
      problems.push(`${file}: path ${pattern} is already served by ${clash}`);
    }
    seen.set(pattern, file);
    routes.push({ pattern, handler: mod.default as Handler<unknown>, file });
  }
  if (problems.length) {
    throw new TypeError(
      `invalid handler module(s):\n  ${problems.join("\n  ")}`,
    );
  }
  return routes;
}

/**
 * Every route file below `dir`, as sorted `./relative/path.ts` keys.
 *
 * @example
 * ```ts
 * import { listHandlerFiles } from "./manifest.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/rooms`);
 * await Deno.writeTextFile(`${dir}/rooms/[name].ts`, "");
 * await Deno.writeTextFile(`${dir}/echo.ts`, "");
 * const files = await listHandlerFiles(dir);
 * assert.deepEqual(files, ["./echo.ts", "./rooms/[name].ts"]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function listHandlerFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string) {
    for await (const entry of Deno.readDir(d)) {
      const full = join(d, entry.name);
      if (entry.isDirectory && !entry.name.startsWith("_")) await walk(full);
      else if (entry.isFile) {
        const rel = relative(dir, full).split(sep).join("/");
        if (routePattern(rel)) out.push(`./${rel}`);
      }
    }
  }
  await walk(dir);
  return out.sort();
}

/**
 * Imports every handler file in `dir` at run time (`--handlers DIR`).
 *
 * @example
 * ```ts ignore
 * const routes = await loadHandlerDir("./my-handlers");
 * ```
 */
export async function loadHandlerDir(dir: string): Promise<Route[]> {
  const root = resolve(dir);
  const files = await listHandlerFiles(root);
  const routes: Manifest["routes"] = {};
  for (const file of files) {
    try {
      routes[file] = await import(toFileUrl(join(root, file)).href);
    } catch (err) {
      throw new Error(handlerImportError(err, join(root, file)));
    }
  }
  return routesFromManifest({ routes }, dir.replace(/\/$/, ""));
}

/**
 * The source text of `handlers/manifest.gen.ts` for these files. Each module
 * gets a readable name from its path (`rooms/[name].ts` → `$rooms_name_`),
 * as Fresh's manifest does.
 *
 * @example
 * ```ts
 * import { manifestSource } from "./manifest.ts";
 * import assert from "node:assert/strict";
 * const text = manifestSource(["./echo.ts", "./rooms/[name].ts"]);
 * assert.ok(text.includes('import * as $echo from "./echo.ts";'));
 * assert.ok(text.includes('"./rooms/[name].ts": $rooms_name_,'));
 * ```
 */
export function manifestSource(files: string[]): string {
  const names = moduleNames(files);
  const imports = files.map((f, i) => `import * as ${names[i]} from "${f}";`);
  const entries = files.map((f, i) => `    "${f}": ${names[i]},`);
  return [
    "// DO NOT EDIT. Generated by `deno task manifest` (scripts/manifest.ts).",
    "// Static imports let Deno Deploy and `deno compile` see every handler.",
    'import type { Manifest } from "../lib/mod.ts";',
    ...imports,
    "",
    "const manifest: Manifest = {",
    "  routes: {",
    ...entries,
    "  },",
    "};",
    "",
    "export default manifest;",
    "",
  ].join("\n");
}

/** `$` + the path without extension, non-identifier characters as `_`, unique. */
function moduleNames(files: string[]): string[] {
  const seen = new Set<string>();
  return files.map((f) => {
    const base = "$" + f.replace(/^\.\//, "").replace(ROUTE_FILE, "")
      .replace(/[^A-Za-z0-9_]+/g, "_");
    let name = base;
    for (let n = 2; seen.has(name); n++) name = `${base}${n}`;
    seen.add(name);
    return name;
  });
}
