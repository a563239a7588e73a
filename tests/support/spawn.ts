/**
 * `spawnListening()`: start a server process and wait until its output says
 * it listens. Shared by the tests' `main.ts`/`deno serve` servers and the
 * fan-out bench's servers and `redis-server`.
 *
 * @module
 */

/** A started process that has said it listens. */
export interface Listening {
  child: Deno.ChildProcess;
  /** The port from the first group of `listening`, or the one given. */
  port: number;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** Sends `signal` (SIGKILL 10 s later if still alive); resolves on exit. */
  stop(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

/** How to start and recognise the process. */
export interface SpawnOptions {
  /** Matched against all output so far; its first group is the port. */
  listening: RegExp;
  env?: Record<string, string>;
  /** Use this port instead of reading it from `listening`. */
  port?: number;
  /** Give up after this long (default 20 s). */
  timeoutMs?: number;
  /** Keep only the head and tail of long output (chatty servers). */
  trimOutput?: boolean;
  /** Working directory (default the project root). */
  cwd?: string | URL;
}

const ROOT = new URL("../../", import.meta.url);

/**
 * Spawns `cmd args` in the project root; resolves once `listening` matches.
 *
 * @example
 * ```ts ignore
 * const p = await spawnListening(Deno.execPath(), ["run", "-A", "main.ts", "--port", "0"], {
 *   listening: /listening on http:\/\/[^:]+:(\d+)\//,
 * });
 * await p.stop();
 * ```
 */
export async function spawnListening(
  cmd: string,
  args: string[],
  opts: SpawnOptions,
): Promise<Listening> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const child = new Deno.Command(cmd, {
    args,
    cwd: opts.cwd ?? ROOT,
    env: opts.env ?? {},
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const ready = Promise.withResolvers<number>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      text = opts.trimOutput && text.length > 200_000
        ? text.slice(0, 100_000) + chunk
        : text + chunk;
      const m = opts.listening.exec(text);
      if (m) ready.resolve(opts.port ?? Number(m[1]));
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const exited = child.status.then((s) => {
    ready.reject(
      new Error(`${cmd} exited (${s.code}) before listening:\n${text}`),
    );
    return s;
  });
  const timer = setTimeout(
    () =>
      ready.reject(
        new Error(`${cmd} not listening after ${timeoutMs / 1000} s:\n${text}`),
      ),
    timeoutMs,
  );
  const port = await ready.promise.finally(() => clearTimeout(timer));
  return {
    child,
    port,
    output: () => text,
    async stop(signal: Deno.Signal = "SIGTERM") {
      try {
        child.kill(signal);
      } catch { /* already gone */ }
      // A child that ignores the signal must not hang a test or a bench.
      const force = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* gone */ }
      }, 10_000);
      const status = await exited;
      clearTimeout(force);
      await pumps;
      return status;
    },
  };
}
