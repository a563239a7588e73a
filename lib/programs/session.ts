/**
 * `ProgramSession`: one connection and its program. Client messages go to
 * stdin (a text message as a line, a binary one as it is, as websocketd
 * does); stdout comes back as one text message per line, or one binary
 * message per chunk with `binary`. The program's end closes the connection
 * with a real close frame (1000 for exit 0, 1011 with the status otherwise:
 * websocketd just drops the TCP connection), and the connection's end stops
 * the program.
 *
 * @module
 */
import type { Connection } from "../core/connection.ts";
import type { MessageData } from "../types.ts";
import { ProgramChild, type SpawnSpec } from "./child.ts";
import { ChunkReader } from "./chunk_reader.ts";
import { LineSplitter } from "./line_splitter.ts";
import { type ForkTicket, programs } from "./runtime.ts";
import { exitLabel, type ProgramStats } from "./stats.ts";
import { stderrLines } from "./stderr_lines.ts";

/** Everything one session needs besides its connection. */
export interface SessionSpec extends SpawnSpec {
  /** The endpoint's path, for log lines. */
  path: string;
  binary: boolean;
  /** stdout and stderr lines go to the client as `{"stream","data"}` JSON. */
  passStderr: boolean;
  closeMs: number;
  stats: ProgramStats;
  ticket: ForkTicket;
}

/** After the program exits, how long its output may take to finish. */
const DRAIN_MS = 1000;

/**
 * The bridge between a connection and its program.
 *
 * @example
 * ```ts ignore
 * const session = new ProgramSession(conn, spec);
 * session.start();
 * session.received("hello"); // "hello\n" on the program's stdin
 * ```
 */
export class ProgramSession {
  #conn: Connection<unknown>;
  #spec: SessionSpec;
  #child: ProgramChild | null = null;
  #stopping: Promise<string> | null = null;

  constructor(conn: Connection<unknown>, spec: SessionSpec) {
    this.#conn = conn;
    this.#spec = spec;
  }

  /** Spawns the program; a failure closes the connection 1011. */
  start(): void {
    const spec = this.#spec;
    const { log } = programs.settings;
    spec.ticket.claim();
    let child: ProgramChild;
    try {
      child = ProgramChild.spawn(spec);
    } catch (err) {
      spec.ticket.release();
      spec.stats.spawnFailures++;
      const why = err instanceof Error ? err.message : String(err);
      log.error("program_spawn_failed", {
        id: this.#conn.id,
        path: spec.path,
        program: spec.command,
        error: why,
      });
      this.#conn.closeWith(1011, clip(`cannot start the program: ${why}`));
      return;
    }
    this.#child = child;
    spec.stats.spawned();
    programs.track(child);
    log.info("program_start", {
      id: this.#conn.id,
      path: spec.path,
      pid: child.pid,
      program: spec.command,
    });
    const output = this.#pumpStdout(child);
    void this.#pumpStderr(child);
    void child.status.then((status) => this.#exited(child, status, output));
  }

  /** A client message: onto stdin, bounded by `--send-buffer-limit`. */
  received(data: MessageData): void {
    const child = this.#child;
    if (!child || this.#stopping) return;
    child.write(typeof data === "string" ? data + "\n" : data);
    const limit = programs.settings.sendBufferLimit;
    if (child.pendingInput > limit) {
      this.#fail(
        1013,
        `the program is not reading its input (over ${limit} bytes queued)`,
      );
    }
  }

  /** The connection is gone: stop the program. */
  clientClosed(): void {
    this.#stop();
  }

  #stop(): void {
    const child = this.#child;
    if (!child || this.#stopping) return;
    this.#stopping = child.stop(this.#spec.closeMs);
  }

  /** Closes the connection with `code` and stops the program. */
  #fail(code: number, reason: string): void {
    this.#conn.closeWith(code, clip(reason));
    this.#stop();
  }

  async #pumpStdout(child: ProgramChild): Promise<void> {
    const reader = new ChunkReader(child.stdout);
    const max = programs.settings.maxMessageSize;
    const lines = this.#spec.binary ? null : new LineSplitter(max);
    const conn = this.#conn;
    try {
      for (;;) {
        const value = await reader.read();
        if (value === null) break;
        if (conn.readyState !== 1) continue; // keep draining: no SIGPIPE
        let open = true;
        if (!lines) {
          // Copied: the reader reuses its buffer, and Deno's WebSocket may
          // send a view after send() has returned.
          for (let at = 0; at < value.length; at += max) {
            open = conn.send(value.slice(at, at + max));
          }
        } else {
          for (const line of lines.push(value)) {
            open = this.#sendLine("stdout", line);
          }
          if (lines.error) this.#outputError(lines.error, max);
        }
        // Over the high-water mark: read no more until the client catches
        // up, so a fast program waits on its full pipe instead of our memory.
        if (!open) await conn.drained();
      }
      if (lines && !lines.error) {
        const last = lines.end();
        if (last !== null) this.#sendLine("stdout", last);
        if (lines.error) this.#outputError(lines.error, max);
      }
    } catch { /* cancelled after the program ended */ }
  }

  #sendLine(stream: "stdout" | "stderr", line: string): boolean {
    if (!this.#spec.passStderr) return this.#conn.send(line);
    // websocketd's --passstderr form: every line tagged with its stream.
    return this.#conn.send(JSON.stringify({ stream, data: line }));
  }

  #outputError(error: "not UTF-8" | "too long", max: number): void {
    if (error === "too long") {
      this.#fail(1009, `the program wrote a line over ${max} bytes`);
    } else {
      this.#fail(1011, "the program wrote output that is not UTF-8 text");
    }
  }

  /** Each stderr line to the log (with the connection id) and, with passStderr, to the client. */
  async #pumpStderr(child: ProgramChild): Promise<void> {
    for await (const line of stderrLines(child.stderr)) {
      programs.settings.log.warn("program_stderr", {
        id: this.#conn.id,
        path: this.#spec.path,
        pid: child.pid,
        line,
      });
      if (this.#spec.passStderr && this.#conn.readyState === 1) {
        this.#sendLine("stderr", line);
      }
    }
  }

  async #exited(
    child: ProgramChild,
    status: Deno.CommandStatus,
    output: Promise<void>,
  ): Promise<void> {
    const spec = this.#spec;
    const label = exitLabel(status);
    spec.stats.exited(label);
    spec.ticket.release();
    programs.untrack(child);
    // Deliver the last output before the close frame; a descendant that
    // escaped the group may still hold stdout open, so not forever.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      output,
      new Promise((r) => timer = setTimeout(r, DRAIN_MS)),
    ]);
    clearTimeout(timer);
    if (this.#conn.readyState === 1) {
      if (status.success) this.#conn.closeWith(1000, "program exited");
      else {
        this.#conn.closeWith(
          1011,
          status.signal
            ? `program killed by ${status.signal}`
            : `program exited with status ${status.code}`,
        );
      }
    }
    const ended = this.#stopping ? await this.#stopping : "exit";
    programs.settings.log.info("program_exit", {
      id: this.#conn.id,
      path: spec.path,
      pid: child.pid,
      status: label,
      ended,
      runtime_ms: Math.round(performance.now() - child.startedAt),
    });
  }
}

/** A close reason must fit in 123 bytes (RFC 6455 §5.5). */
function clip(reason: string): string {
  const bytes = new TextEncoder().encode(reason);
  if (bytes.length <= 123) return reason;
  // A cut UTF-8 sequence decodes as U+FFFD: drop it.
  const head = new TextDecoder().decode(bytes.subarray(0, 120));
  return head.replace(/\uFFFD$/, "") + "...";
}
