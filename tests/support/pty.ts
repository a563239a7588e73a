/**
 * A command in a real pseudo-terminal (through `pty_run.py` and Debian's
 * `/usr/bin/python3`), for tests of what a person at a terminal does:
 * typing Ctrl+C sends SIGINT to the whole foreground process group, as a
 * terminal does, rather than to one process as `child.kill()` would.
 *
 * @module
 */

import { childEnv } from "./spawn.ts";
import { TOOLS } from "./tools.ts";

const ROOT = new URL("../../", import.meta.url);
const DRIVER = new URL("./pty_run.py", import.meta.url);

/** Debian's Python, as the other tests use it (its standard `pty` module). */
const PYTHON = TOOLS.python3.path;

// Colour codes and cursor moves a terminal gets; tests match the text.
// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** A running command in a pty. */
export interface PtySession {
  /** What the terminal showed so far, colours stripped. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpExecArray>;
  /** Types Ctrl+C on the terminal. */
  ctrlC(): Promise<void>;
  /** The command's exit status, as a shell shows it. */
  readonly exited: Promise<number>;
  /** Kills the driver and whatever it runs (for `finally` blocks). */
  kill(): Promise<void>;
}

/**
 * Starts `cmd` in a new pty in the project root (or `cwd`).
 *
 * @example
 * ```ts ignore
 * const term = startInPty(["deno", "task", "start"], { PORT: "0" });
 * await term.waitFor(/listening on/);
 * await term.ctrlC();
 * assert.equal(await term.exited, 0);
 * ```
 */
export function startInPty(
  cmd: string[],
  env: Record<string, string> = {},
  cwd: string | URL = ROOT,
): PtySession {
  const child = new Deno.Command(PYTHON, {
    args: [DRIVER.pathname, new URL(cwd).pathname, ...cmd],
    clearEnv: true,
    env: childEnv(env),
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const keys = child.stdin.getWriter();
  let text = "";
  const waiters = new Set<() => void>();
  const exit = Promise.withResolvers<number>();
  const pump = (async () => {
    for await (
      const chunk of child.stdout.pipeThrough(new TextDecoderStream())
    ) {
      text += chunk.replace(ANSI, "");
      for (const w of waiters) w();
      const m = /\n@@pty-exit (\d+)\n/.exec(text);
      if (m) exit.resolve(Number(m[1]));
    }
    exit.reject(new Error(`pty driver ended without an exit line:\n${text}`));
  })();
  exit.promise.catch(() => {});
  return {
    output: () => text,
    waitFor(pattern, ms = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = pattern.exec(text);
          if (!m) return;
          cleanup();
          resolve(m);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no ${pattern} within ${ms} ms:\n${text}`));
        }, ms);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async ctrlC() {
      await keys.write(new TextEncoder().encode("ctrl-c\n"));
    },
    exited: exit.promise,
    async kill() {
      // Ctrl+C first, so what runs in the pty stops as it would for a
      // person; the driver's death then hangs up the terminal for the rest.
      const gone = await Promise.race([
        exit.promise.then(() => true, () => true),
        keys.write(new TextEncoder().encode("ctrl-c\n")).then(
          () => new Promise<boolean>((r) => setTimeout(() => r(false), 5000)),
          () => true,
        ),
      ]);
      if (!gone) {
        try {
          child.kill("SIGKILL");
        } catch { /* gone */ }
      }
      await child.status;
      await pump.catch(() => {});
      await keys.close().catch(() => {});
    },
  };
}
