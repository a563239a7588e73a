/**
 * `--programs DIR` and `--program CMD`: programs → routes. Every regular,
 * executable file below DIR is served at its path (`DIR/count.sh` at
 * `/count.sh`, `DIR/tools/x` at `/tools/x`), as `websocketd --dir` does —
 * but never a dot-file or dot-folder, nor a symlink leading out of DIR.
 *
 * @module
 */
import { join, relative, resolve, sep } from "node:path";
import type { Route } from "../routing/router.ts";
import { programHandler, type ProgramOptions } from "./program_handler.ts";

/** One program found in DIR. */
export interface ProgramFile {
  /** The URL path it is served at (each segment percent-encoded). */
  pattern: string;
  /** The file to run: its real path, resolved once at start. */
  file: string;
  /** DIR as given joined with its name, for tables and log lines. */
  label: string;
}

/** A file of DIR that is not served, and why. */
export interface SkippedFile {
  label: string;
  why: string;
}

/** What a scan found. */
export interface ProgramScan {
  programs: ProgramFile[];
  skipped: SkippedFile[];
}

/**
 * Finds the programs below `dir`. Throws when `dir` is not a readable folder.
 *
 * @example
 * ```ts
 * import { scanPrograms } from "./program_dir.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/count.sh`, "#!/bin/sh\necho 1\n", { mode: 0o755 });
 * await Deno.writeTextFile(`${dir}/notes.txt`, "not a program\n");
 * await Deno.writeTextFile(`${dir}/.hidden`, "#!/bin/sh\n", { mode: 0o755 });
 * const scan = await scanPrograms(dir);
 * assert.deepEqual(scan.programs.map((p) => p.pattern), ["/count.sh"]);
 * assert.match(scan.skipped[0].why, /not executable/);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function scanPrograms(dir: string): Promise<ProgramScan> {
  let root: string;
  try {
    root = await Deno.realPath(dir);
    if (!(await Deno.stat(root)).isDirectory) throw new Error("not a folder");
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound
      ? "no such folder"
      : (err as Error).message;
    throw new Error(`--programs ${dir}: ${why}`);
  }
  const found: ProgramScan = { programs: [], skipped: [] };
  const label = (rel: string) => join(dir, rel);
  async function walk(folder: string): Promise<void> {
    const entries: Deno.DirEntry[] = [];
    for await (const entry of Deno.readDir(folder)) entries.push(entry);
    entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue; // dot-files: never served
      const path = join(folder, entry.name);
      const rel = relative(root, path);
      if (entry.isDirectory) {
        await walk(path);
        continue;
      }
      const why = await unservable(root, path, entry);
      if (why) {
        found.skipped.push({ label: label(rel), why });
        continue;
      }
      found.programs.push({
        pattern: "/" + rel.split(sep).map(encodeURIComponent).join("/"),
        file: await Deno.realPath(path),
        label: label(rel),
      });
    }
  }
  await walk(root);
  return found;
}

/** Why `path` is not served, or `null` when it is a program. */
async function unservable(
  root: string,
  path: string,
  entry: Deno.DirEntry,
): Promise<string | null> {
  let real = path;
  if (entry.isSymlink) {
    try {
      real = await Deno.realPath(path);
    } catch {
      return "a symlink to nothing";
    }
    if (real !== root && !real.startsWith(root + sep)) {
      return "a symlink leading out of the folder";
    }
  }
  const info = await Deno.stat(real);
  if (info.isDirectory) return "a symlinked folder (not followed)";
  if (!info.isFile) return "not a regular file";
  if (((info.mode ?? 0) & 0o111) === 0) return "not executable (chmod +x it)";
  return null;
}

/**
 * Routes for the programs of a scan, each run in `dir` (as the working
 * directory) with `options`.
 *
 * @example
 * ```ts ignore
 * const routes = programRoutes(await scanPrograms("programs"), "programs", {});
 * ```
 */
export function programRoutes(
  scan: ProgramScan,
  dir: string,
  options: ProgramOptions,
): Route[] {
  const cwd = resolve(dir);
  return scan.programs.map((p) => ({
    pattern: p.pattern,
    handler: programHandler([p.file], { ...options, cwd }),
    file: p.label,
    note: note(options),
  }));
}

/**
 * The route of `--program CMD ARGS…`: served at every WebSocket path no
 * handler serves (pattern `/*`), run in the server's working directory, with
 * `SCRIPT_NAME=/` and the path in `PATH_INFO`, as websocketd does.
 *
 * @example
 * ```ts
 * import { singleProgramRoute } from "./program_dir.ts";
 * import assert from "node:assert/strict";
 * assert.equal(singleProgramRoute(["/bin/cat"], {}).pattern, "/*");
 * ```
 */
export function singleProgramRoute(
  argv: readonly string[],
  options: ProgramOptions,
): Route {
  return {
    pattern: "/*",
    handler: programHandler(argv, { ...options, scriptName: "root" }),
    file: argv.join(" "),
    note: note(options) + ", every path without a handler",
  };
}

/** What the route table says of a program route. */
export function note(options: ProgramOptions): string {
  return options.binary ? "program, binary" : "program";
}
