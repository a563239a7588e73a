/**
 * How a program is launched: its command found as an executable file, and
 * the process group made for it. Deno can start a child in a new session
 * itself (`detached: true`), but that makes it `fork()` the whole runtime,
 * whose cost grows with the server's memory: 2.8 ms per spawn at 56 MB RSS,
 * 17.7 ms at 161 MB, 58 ms at 366 MB (Deno 2.9.6 here), all of it blocking
 * the event loop. A plain spawn is a `posix_spawn` (~1 ms whatever the RSS),
 * so the new session comes from util-linux's `setsid`, which calls setsid()
 * and execs the program in the same process: the child's pid is the
 * program's, and the leader of its group.
 *
 * @module
 */
import { delimiter, isAbsolute, join, resolve } from "node:path";

/** Where util-linux's `setsid` may be (Debian: `/usr/bin`). */
const SETSID_PATHS = ["/usr/bin/setsid", "/bin/setsid"];

let setsidPath: string | null | undefined;

/**
 * The `setsid` binary, or `null` when there is none (then `detached` is the
 * way to a process group).
 *
 * @example
 * ```ts
 * import { setsidBinary } from "./launch.ts";
 * const setsid = setsidBinary(); // "/usr/bin/setsid" on Debian
 * ```
 */
export function setsidBinary(): string | null {
  if (setsidPath === undefined) {
    setsidPath = SETSID_PATHS.find((p) => isExecutable(p)) ?? null;
  }
  return setsidPath;
}

/** What to hand `Deno.Command` to start `command` in a group of its own. */
export interface Launch {
  command: string;
  args: string[];
  detached: boolean;
}

/**
 * The launch of `command args` in a new session when `group` (the server
 * may signal groups), else as it is.
 *
 * @example
 * ```ts
 * import { launch } from "./launch.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(launch("/bin/cat", ["-u"], false), {
 *   command: "/bin/cat",
 *   args: ["-u"],
 *   detached: false,
 * });
 * ```
 */
export function launch(
  command: string,
  args: readonly string[],
  group: boolean,
): Launch {
  if (!group) return { command, args: [...args], detached: false };
  const setsid = setsidBinary();
  if (setsid) {
    // "--": whatever the command is called, setsid reads no option of it.
    return { command: setsid, args: ["--", command, ...args], detached: false };
  }
  return { command, args: [...args], detached: true };
}

/**
 * `command` as an absolute path to an executable file: a path is resolved
 * against `cwd`, a bare name looked up on the server's `PATH`. Throws an
 * `Error` saying what is wrong.
 *
 * @example
 * ```ts
 * import { resolveCommand } from "./launch.ts";
 * import assert from "node:assert/strict";
 * assert.match(resolveCommand("sh", "/"), /\/sh$/);
 * assert.throws(() => resolveCommand("./no-such-program", "/"), /no such executable file/);
 * ```
 */
export function resolveCommand(command: string, cwd: string): string {
  if (command.includes("/")) {
    const path = isAbsolute(command) ? command : resolve(cwd, command);
    if (isExecutable(path)) return path;
    throw new Error(`${command}: no such executable file`);
  }
  for (const dir of searchPath()) {
    const path = join(dir, command);
    if (isExecutable(path)) return path;
  }
  throw new Error(`${command}: not found on PATH`);
}

function searchPath(): string[] {
  const perm = Deno.permissions.querySync({ name: "env", variable: "PATH" });
  const path = perm.state === "granted" ? Deno.env.get("PATH") : undefined;
  return (path ?? "/usr/local/bin:/usr/bin:/bin").split(delimiter)
    .filter(Boolean);
}

function isExecutable(path: string): boolean {
  try {
    const info = Deno.statSync(path);
    return info.isFile && ((info.mode ?? 0) & 0o111) !== 0;
  } catch {
    return false;
  }
}
