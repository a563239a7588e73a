/**
 * `spawnListening()`: start a server process and wait until its output says
 * it listens. Shared by the tests' `main.ts`/`deno serve` servers and the
 * fan-out bench's servers and `redis-server`. `childEnv()`: the environment
 * every process the tests and the bench start gets instead of their own.
 *
 * @module
 */

/**
 * What a child keeps of this process's environment: what Deno, Node, Python
 * and the Debian tools need to start, find their caches and reach a registry
 * (through a proxy, trusting its CA: Deno reads `NODE_EXTRA_CA_CERTS`).
 * Nothing else passes, so a `DENOSOCKET_BUS`, `DENOSOCKET_OPS_TOKEN`, `PORT`
 * or `PYTHONPATH` set on a CI machine cannot change what a test's server does.
 */
export const INHERITED_ENV: readonly string[] = [
  "PATH",
  "HOME",
  "TMPDIR",
  "LANG",
  "DENO_DIR",
  "DENO_CERT",
  "DENO_TLS_CA_STORE",
  "NODE_EXTRA_CA_CERTS",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "NPM_CONFIG_REGISTRY",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
];

/**
 * The environment for a child process: the `INHERITED_ENV` variables that are
 * set here, `NO_COLOR=1` (tests read the output), then `extra`. Pass it with
 * `clearEnv: true`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const env = childEnv({ DENO_JOBS: "2" });
 * assert.equal(env.DENO_JOBS, "2");
 * assert.equal(env.NO_COLOR, "1");
 * assert.equal(env.DENOSOCKET_BUS, undefined);
 * ```
 */
export function childEnv(
  extra: Record<string, string> = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED_ENV) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return { ...env, NO_COLOR: "1", ...extra };
}

/** A started process that has said it listens. */
export interface Listening {
  child: Deno.ChildProcess;
  /** The port from the first group of `listening`, or the one given. */
  port: number;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** What it printed on stdout so far. */
  stdout(): string;
  /** What it printed on stderr so far. */
  stderr(): string;
  /** Its exit status, once it exited and all its output was read. */
  finished: Promise<Deno.CommandStatus>;
  /** Sends `signal` (SIGKILL 10 s later if still alive); resolves on exit. */
  stop(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

/** How to start and recognise the process. */
export interface SpawnOptions {
  /** Matched against all output so far; its first group is the port. */
  listening: RegExp;
  /** Added to `childEnv()`: the child sees nothing else of this process's. */
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
    clearEnv: true,
    env: childEnv(opts.env),
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const apart = { out: "", err: "" };
  const keep = (kept: string, chunk: string) =>
    opts.trimOutput && kept.length > 200_000
      ? kept.slice(0, 100_000) + chunk
      : kept + chunk;
  const ready = Promise.withResolvers<number>();
  const pump = async (stream: ReadableStream<Uint8Array>, k: "out" | "err") => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      text = keep(text, chunk);
      apart[k] = keep(apart[k], chunk);
      const m = opts.listening.exec(text);
      if (m) ready.resolve(opts.port ?? Number(m[1]));
    }
  };
  const pumps = Promise.all([
    pump(child.stdout, "out"),
    pump(child.stderr, "err"),
  ]);
  const exited = child.status.then((s) => {
    ready.reject(
      new Error(`${cmd} exited (${s.code}) before listening:\n${text}`),
    );
    return s;
  });
  const finished = exited.then(async (s) => {
    await pumps;
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
    stdout: () => apart.out,
    stderr: () => apart.err,
    finished,
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
      const status = await finished;
      clearTimeout(force);
      return status;
    },
  };
}
