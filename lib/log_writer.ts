/**
 * `LogWriter`: batches log lines into one write every few milliseconds (or
 * per 16 KiB), so logging every connection costs a string append instead of
 * a blocking `write()` per line. `console.log` made two such writes per
 * WebSocket (open, close): with them, `deno task start` accepted 0.54× the
 * handshakes of raw Deno against 0.81× with `--log-level error` (issue 13).
 *
 * Nothing is lost: lines leave in the order they were written (stdout and
 * stderr lines interleaved as called), an `error` line is written at once
 * (it may be the last thing before a crash), and whatever is pending is
 * written when the process exits (`Deno.exit`, a signal handler's exit, the
 * end of the program) or dies of an uncaught exception or rejection.
 *
 * @module
 */

/** Where a line goes: the process's stdout or stderr. */
export type LogStream = "out" | "err";

/** The part of `Deno.stdout` the writer uses. */
export interface SyncOutput {
  writeSync(p: Uint8Array): number;
}

/**
 * Pending text is written once it reaches this many UTF-16 units, without
 * waiting for the end of the turn: a few KiB is one `write()` for ~80 lines
 * and keeps a burst (10,000 closes at shutdown) from piling up in memory.
 */
export const BATCH_LIMIT = 16 * 1024;

/**
 * How long the first pending line waits for company. A timer per event-loop
 * turn cost more than the lines it carried when a turn handles one or two
 * events (a `setTimeout` is a few thousand instructions); 5 ms is one timer
 * per burst and still reads as immediate in a terminal.
 */
export const FLUSH_DELAY_MS = 5;

const encoder = new TextEncoder();

/**
 * Batches lines for two outputs and writes them in call order.
 *
 * @example Lines reach the output together, in order, on `flush()`
 * ```ts
 * import { LogWriter } from "./log_writer.ts";
 * import assert from "node:assert/strict";
 * const writes: string[] = [];
 * const out = {
 *   writeSync(p: Uint8Array) {
 *     writes.push(new TextDecoder().decode(p));
 *     return p.byteLength;
 *   },
 * };
 * const w = new LogWriter(out, out);
 * w.line("out", "open id=1");
 * w.line("out", "close id=1");
 * assert.deepEqual(writes, []);
 * w.flush();
 * assert.deepEqual(writes, ["open id=1\nclose id=1\n"]);
 * ```
 */
export class LogWriter {
  #outputs: Record<LogStream, SyncOutput>;
  /** Finished runs of lines for one stream, oldest first. */
  #runs: [LogStream, string][] = [];
  #stream: LogStream = "out";
  #text = "";
  #size = 0;
  #scheduled = false;

  #flushLater = () => this.flush();

  constructor(out: SyncOutput, err: SyncOutput) {
    this.#outputs = { out, err };
  }

  /** Queues one line (without its newline); `urgent` writes it now. */
  line(stream: LogStream, text: string, urgent = false): void {
    if (stream !== this.#stream && this.#text) {
      this.#runs.push([this.#stream, this.#text]);
      this.#text = "";
    }
    this.#stream = stream;
    this.#text += text + "\n";
    this.#size += text.length + 1;
    if (urgent || this.#size >= BATCH_LIMIT) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      // Unref'd: pending lines never keep the process alive (the exit
      // flushes write them).
      Deno.unrefTimer(setTimeout(this.#flushLater, FLUSH_DELAY_MS));
    }
  }

  /** Bytes (UTF-16 units) waiting to be written. */
  get pending(): number {
    return this.#size;
  }

  /** Writes everything pending, in order. Safe to call at any time. */
  flush(): void {
    this.#scheduled = false;
    if (this.#text) this.#runs.push([this.#stream, this.#text]);
    this.#text = "";
    this.#size = 0;
    const runs = this.#runs;
    if (!runs.length) return;
    this.#runs = [];
    for (const [stream, text] of runs) {
      writeAll(this.#outputs[stream], encoder.encode(text));
    }
  }
}

/**
 * Writes all of `bytes`. A closed or full output (the reader of a pipe went
 * away, a full disk) drops the text, as `console.log` does: logging must
 * never take the server down.
 */
function writeAll(output: SyncOutput, bytes: Uint8Array): void {
  try {
    let done = 0;
    while (done < bytes.byteLength) {
      done += output.writeSync(bytes.subarray(done));
    }
  } catch {
    // dropped: see above
  }
}

let stdio: LogWriter | null = null;

/**
 * The process-wide writer for stdout and stderr. Made on first use, when it
 * also registers the exit flushes (`unload`, `error`, `unhandledrejection`;
 * none of them stops Deno's own handling of the event).
 *
 * @example
 * ```ts
 * import { stdioWriter } from "./log_writer.ts";
 * import assert from "node:assert/strict";
 * assert.equal(stdioWriter(), stdioWriter());
 * ```
 */
export function stdioWriter(): LogWriter {
  if (stdio) return stdio;
  const writer = new LogWriter(Deno.stdout, Deno.stderr);
  const flush = () => writer.flush();
  globalThis.addEventListener("unload", flush);
  globalThis.addEventListener("error", flush);
  globalThis.addEventListener("unhandledrejection", flush);
  return stdio = writer;
}
