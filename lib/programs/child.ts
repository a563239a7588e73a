/**
 * `ProgramChild`: one program's process — spawned without a shell in its own
 * process group (`launch.ts`), its stdin written in batches, and stopped
 * websocketd's way:
 * stdin closed, then SIGINT, SIGTERM and SIGKILL, each after a wait
 * (`libwebsocketd/process_endpoint.go`: 100, 250 and 500 ms, each plus
 * `--closems`). Signals go to the whole group, and whatever is left of the
 * group when the program ends is killed, so forked children die with it.
 *
 * @module
 */
import { utf8Length } from "../protocol/utf8_length.ts";
import { launch, resolveCommand } from "./launch.ts";
import { programs } from "./runtime.ts";

/** How to start a program. */
export interface SpawnSpec {
  /** An absolute path, or a name looked up on `PATH`. */
  command: string;
  args: readonly string[];
  cwd: string;
  /** The whole environment (nothing is inherited). */
  env: Record<string, string>;
}

/** Waits before each signal once stdin is closed; `closeMs` is added to the first three. */
export const STOP_STEPS: readonly {
  signal: Deno.Signal | null;
  waitMs: number;
}[] = [
  { signal: null, waitMs: 100 },
  { signal: "SIGINT", waitMs: 250 },
  { signal: "SIGTERM", waitMs: 500 },
  { signal: "SIGKILL", waitMs: 1000 },
];

const encoder = new TextEncoder();

/**
 * A running program.
 *
 * @example
 * ```ts ignore
 * const child = ProgramChild.spawn({ command: "/bin/cat", args: [], cwd: "/", env: {} });
 * child.write("hello\n");
 * const ended = await child.stop(0); // "stdin closed"
 * ```
 */
export class ProgramChild {
  readonly pid: number;
  /** `performance.now()` at spawn. */
  readonly startedAt: number = performance.now();
  /** Resolves when the process has ended (and has been reaped). */
  readonly status: Promise<Deno.CommandStatus>;
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
  #process: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #queue: (string | Uint8Array)[] = [];
  #queued = 0;
  #writing = false;
  #inputClosed = false;
  #exited = false;
  #group: boolean;

  private constructor(process: Deno.ChildProcess, group: boolean) {
    this.#process = process;
    this.#group = group;
    this.pid = process.pid;
    this.stdout = process.stdout;
    this.stderr = process.stderr;
    this.#writer = process.stdin.getWriter();
    // A program that exits while we write makes the write fail: expected.
    this.#writer.closed.catch(() => {});
    this.status = process.status.then((status) => {
      this.#exited = true;
      // The program is gone; its group may not be (a background job).
      if (this.#group) this.#signalGroup("SIGKILL");
      return status;
    });
  }

  /**
   * Starts `spec` in a new session (its own process group, and no terminal,
   * so a Ctrl+C meant for the server does not reach it) when the server may
   * signal groups; see `launch.ts`. Throws when the command is not an
   * executable file, or what `Deno.Command` throws (`NotCapable` …).
   */
  static spawn(spec: SpawnSpec): ProgramChild {
    const group = programs.groupKill;
    // Checked here: through setsid, a missing program would only show as
    // setsid's own exit status.
    const command = resolveCommand(spec.command, spec.cwd);
    const how = launch(command, spec.args, group);
    const process = new Deno.Command(how.command, {
      args: how.args,
      cwd: spec.cwd,
      clearEnv: true,
      env: spec.env,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      detached: how.detached,
    }).spawn();
    return new ProgramChild(process, group);
  }

  /** Whether the process has ended. */
  get exited(): boolean {
    return this.#exited;
  }

  /** Input bytes queued and not yet in the pipe. */
  get pendingInput(): number {
    return this.#queued;
  }

  /**
   * Queues input. Everything queued while a write is under way goes in the
   * next write, so a busy program gets one pipe write per batch.
   */
  write(data: string | Uint8Array): void {
    if (this.#inputClosed) return;
    this.#queue.push(data);
    this.#queued += typeof data === "string" ? utf8Length(data) : data.length;
    if (this.#writing) return;
    this.#writing = true;
    // Batching: the native engine hands over every message of one socket
    // read in one task, so a microtask sees them all; Deno's WebSocket
    // dispatches one task per message, so when the microtask finds only
    // one, the rest of this event-loop turn gets the chance to add more
    // (measured on the deno engine, cat at s2: ~15-30 % more messages per
    // second than a write per microtask).
    queueMicrotask(() => {
      if (this.#queue.length > 1) void this.#flush();
      else setTimeout(() => void this.#flush(), 0);
    });
  }

  /** Closes stdin once what is queued has been written. */
  closeInput(): void {
    if (this.#inputClosed) return;
    this.#inputClosed = true;
    if (!this.#writing) this.#closeWriter();
  }

  /**
   * Stops the program: stdin closed, then each signal of `STOP_STEPS` after
   * its wait, until it exits. Resolves with what ended it: `"exit"` (it had
   * already), `"stdin closed"`, or the signal's name.
   */
  async stop(closeMs: number): Promise<string> {
    if (this.#exited) return "exit";
    this.closeInput();
    let ended = "stdin closed";
    for (const step of STOP_STEPS) {
      if (step.signal) {
        this.signal(step.signal);
        ended = step.signal;
      }
      const wait = step.waitMs + (step.signal === "SIGKILL" ? 0 : closeMs);
      if (await this.#exitsWithin(wait)) return ended;
    }
    return ended;
  }

  /** Sends `signal` to the group (or the program alone without group kill). */
  signal(signal: Deno.Signal): void {
    if (this.#exited) return;
    if (this.#group) this.#signalGroup(signal);
    else {
      try {
        this.#process.kill(signal);
      } catch { /* already gone */ }
    }
  }

  /** SIGKILL now (server shutdown). */
  killNow(): void {
    this.signal("SIGKILL");
  }

  #signalGroup(signal: Deno.Signal): void {
    try {
      // A negative pid is the process group (the child is its leader).
      Deno.kill(-this.pid, signal);
    } catch { /* the group is empty */ }
  }

  async #exitsWithin(ms: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    const exited = await Promise.race([this.status.then(() => true), timeout]);
    clearTimeout(timer);
    return exited;
  }

  async #flush(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const parts = this.#queue;
        this.#queue = [];
        const batch = join(parts);
        await this.#writer.write(batch);
        this.#queued -= batch.length;
      }
    } catch {
      // The program closed its stdin or ended: input has nowhere to go.
      this.#queue = [];
      this.#queued = 0;
      this.#inputClosed = true;
    } finally {
      this.#writing = false;
    }
    if (this.#inputClosed) this.#closeWriter();
  }

  #closeWriter(): void {
    this.#writer.close().catch(() => {});
  }
}

/** One buffer for a batch: strings are joined and encoded once. */
function join(parts: (string | Uint8Array)[]): Uint8Array {
  if (parts.length === 1) {
    const p = parts[0];
    return typeof p === "string" ? encoder.encode(p) : p;
  }
  if (parts.every((p) => typeof p === "string")) {
    return encoder.encode((parts as string[]).join(""));
  }
  const chunks = parts.map((p) =>
    typeof p === "string" ? encoder.encode(p) : p
  );
  let size = 0;
  for (const c of chunks) size += c.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
