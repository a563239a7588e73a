/**
 * Builds bench/loadgen*.c with the system `cc` into bench/.bench-build/
 * (git-ignored), only when a source is newer than the binary. zlib is
 * needed for permessage-deflate; the bench is not part of CI, so CI does
 * not need zlib1g-dev.
 *
 * @module
 */
import { join } from "node:path";

const DIR = import.meta.dirname!;
/** Where the binary goes. */
export const LOADGEN = join(DIR, ".bench-build", "loadgen");

async function mtime(path: string): Promise<number> {
  try {
    return (await Deno.stat(path)).mtime?.getTime() ?? 0;
  } catch {
    return 0;
  }
}

/** Compiles if needed; throws with the compiler's output on failure. */
export async function buildLoadgen(): Promise<string> {
  const sources: string[] = [];
  for await (const e of Deno.readDir(DIR)) {
    if (/^loadgen.*\.[ch]$/.test(e.name)) sources.push(join(DIR, e.name));
  }
  const built = await mtime(LOADGEN);
  const newest = Math.max(...await Promise.all(sources.map(mtime)));
  if (built > newest) return LOADGEN;
  try {
    await Deno.stat("/usr/include/zlib.h");
  } catch {
    throw new Error(
      "zlib headers missing: apt-get install -y zlib1g-dev (bench only, not CI)",
    );
  }
  await Deno.mkdir(join(DIR, ".bench-build"), { recursive: true });
  const cfiles = sources.filter((s) => s.endsWith(".c")).sort();
  const out = await new Deno.Command("cc", {
    args: ["-O2", "-Wall", "-D_GNU_SOURCE", "-o", LOADGEN, ...cfiles, "-lz"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`cc failed:\n${new TextDecoder().decode(out.stderr)}`);
  }
  return LOADGEN;
}
