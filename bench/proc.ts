/**
 * Child processes for the benchmark: servers pinned to one core with the
 * raised descriptor limit, readiness by TCP connect, and a stop that always
 * ends in SIGKILL so nothing outlives the run.
 *
 * @module
 */
import { childEnv } from "../tests/support/spawn.ts";

/** True when `taskset` is on PATH and there are ≥ 2 CPUs to split. */
export async function canPin(): Promise<boolean> {
  if (navigator.hardwareConcurrency < 2) return false;
  try {
    const { success } = await new Deno.Command("taskset", {
      args: ["-c", "0", "true"],
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false;
  }
}

/**
 * Wraps argv so the child gets the hard `ulimit -n` (10,000 sockets) and,
 * when `core` is set, runs pinned to it. `exec` keeps the PID the same, so
 * /proc/PID is the server itself, not a shell.
 */
export function wrap(argv: string[], core: number | null): string[] {
  const pin = core === null ? [] : ["taskset", "-c", String(core)];
  return [
    "sh",
    "-c",
    'ulimit -n "$(ulimit -Hn)"; exec "$@"',
    "sh",
    ...pin,
    ...argv,
  ];
}

/** A started server process. */
export interface Running {
  pid: number;
  /** Last few KiB of its stderr, for error messages. */
  stderrTail(): string;
  /** Lines it has written to stdout and stderr so far (its log). */
  lines(): number;
  hasExited(): boolean;
  stop(): Promise<void>;
}

const NEWLINE = 10;

function countLines(chunk: Uint8Array): number {
  let n = 0;
  for (
    let i = chunk.indexOf(NEWLINE);
    i >= 0;
    i = chunk.indexOf(NEWLINE, i + 1)
  ) n++;
  return n;
}

/**
 * Starts argv in cwd. stdout and stderr are pipes read to the end, as a log
 * collector would read them (a server that logs pays for real writes), and
 * counted; stderr's tail is kept for error messages.
 */
export function startServer(argv: string[], cwd: string): Running {
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd,
    clearEnv: true,
    env: childEnv(),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let tail = "";
  let lines = 0;
  const dec = new TextDecoder();
  const drained = Promise.all([
    (async () => {
      for await (const chunk of child.stderr) {
        lines += countLines(chunk);
        tail = (tail + dec.decode(chunk, { stream: true })).slice(-4096);
      }
    })().catch(() => {}),
    (async () => {
      for await (const chunk of child.stdout) lines += countLines(chunk);
    })().catch(() => {}),
  ]);
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  return {
    pid: child.pid,
    stderrTail: () => tail.trim(),
    lines: () => lines,
    hasExited: () => exited,
    async stop() {
      if (!exited) {
        try {
          child.kill("SIGTERM");
        } catch { /* already gone */ }
        const t = setTimeout(() => {
          try {
            if (!exited) child.kill("SIGKILL");
          } catch { /* already gone */ }
        }, 3000);
        await status;
        clearTimeout(t);
      }
      await drained;
    },
  };
}

/**
 * Polls a TCP connect to 127.0.0.1:port until it succeeds. Returns null when
 * ready, or why not (the process exited, or timeout).
 */
export async function waitReady(
  port: number,
  server: Running,
  timeoutMs = 15000,
): Promise<string | null> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (server.hasExited()) {
      await server.stop(); // waits for stderr to be read to the end
      const lines = server.stderrTail().split("\n");
      return `exited: ${lines.find((l) => /error/i.test(l)) ?? lines[0] ?? ""}`;
    }
    try {
      const c = await Deno.connect({ hostname: "127.0.0.1", port });
      c.close();
      return null;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return `not listening after ${timeoutMs / 1000} s`;
}

async function busySeconds(): Promise<number> {
  const line = (await Deno.readTextFile("/proc/stat")).split("\n")[0];
  const v = line.split(/\s+/).slice(1).map(Number);
  // user nice system [idle iowait] irq softirq steal
  return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / 100; // USER_HZ is 100
}

/**
 * Cores' worth of CPU the machine spends while the harness sleeps for
 * `ms`: other processes' load, reported before measuring anything.
 */
export async function backgroundLoad(ms = 500): Promise<number> {
  try {
    const a = await busySeconds();
    await new Promise((r) => setTimeout(r, ms));
    return ((await busySeconds()) - a) / (ms / 1000);
  } catch {
    return 0; // no /proc/stat: nothing to warn about
  }
}

/**
 * Waits (at most maxS seconds) until other processes use less than
 * `threshold` cores; returns the load last seen.
 */
export async function waitQuiet(
  maxS: number,
  threshold: number,
): Promise<number> {
  const end = Date.now() + maxS * 1000;
  let load = await backgroundLoad(200);
  while (load >= threshold && Date.now() < end) {
    load = await backgroundLoad(300);
  }
  return load;
}
