/**
 * A throwaway copy of the project (entries, `lib/`, `handlers/`, `static/`,
 * `scripts/`, `deno.json`, `deno.lock`) in a temporary folder, for tests
 * that add, rename or break handler files the way a user would — and must
 * not leave the checkout dirty.
 *
 * @module
 */
import { join } from "node:path";

const ROOT = new URL("../../", import.meta.url).pathname;
const PARTS = [
  "main.ts",
  "serve.ts",
  "deno.json",
  "deno.lock",
  "LICENSE",
  "lib",
  "handlers",
  "static",
  "scripts",
];

/** A project copy; `remove()` deletes it. */
export interface ProjectCopy {
  /** Its root folder. */
  dir: string;
  /** `dir` joined with a relative path. */
  path(rel: string): string;
  remove(): Promise<void>;
}

/**
 * Copies the project into a new temporary folder.
 *
 * @example
 * ```ts ignore
 * const copy = await copyProject();
 * try { await Deno.writeTextFile(copy.path("handlers/bye.ts"), "…"); }
 * finally { await copy.remove(); }
 * ```
 */
export async function copyProject(): Promise<ProjectCopy> {
  const dir = await Deno.makeTempDir({ prefix: "denosocket-copy-" });
  for (const part of PARTS) await copy(join(ROOT, part), join(dir, part));
  return {
    dir,
    path: (rel) => join(dir, rel),
    remove: () => Deno.remove(dir, { recursive: true }),
  };
}

async function copy(from: string, to: string): Promise<void> {
  const info = await Deno.stat(from);
  if (!info.isDirectory) return await Deno.copyFile(from, to);
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    await copy(join(from, entry.name), join(to, entry.name));
  }
}
