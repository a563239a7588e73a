/**
 * `Logger`: one line per event, filtered by level. Events carry fields so a
 * structured format can be added without touching the call sites.
 *
 * @module
 */
import type { LogLevel } from "./options.ts";

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Field values a log line may carry. */
export type LogFields = Record<string, string | number | boolean | undefined>;

/** Where lines go; defaults to stderr for warn/error and stdout otherwise. */
export type LogSink = (level: LogLevel, line: string) => void;

const defaultSink: LogSink = (level, line) => {
  if (level === "warn" || level === "error") console.error(line);
  else console.log(line);
};

/**
 * A levelled logger.
 *
 * @example
 * ```ts
 * import { Logger } from "./log.ts";
 * const log = new Logger("info");
 * log.info("open", { path: "/echo", remote: "127.0.0.1:5000" });
 * ```
 */
export class Logger {
  #rank: number;
  #sink: LogSink;

  constructor(level: LogLevel = "info", sink: LogSink = defaultSink) {
    this.#rank = RANK[level];
    this.#sink = sink;
  }

  /** Whether lines of `level` are written (skip building fields otherwise). */
  enabled(level: LogLevel): boolean {
    return RANK[level] >= this.#rank;
  }

  debug(event: string, fields?: LogFields): void {
    if (this.#rank <= 0) this.write("debug", event, fields);
  }
  info(event: string, fields?: LogFields): void {
    if (this.#rank <= 1) this.write("info", event, fields);
  }
  warn(event: string, fields?: LogFields): void {
    if (this.#rank <= 2) this.write("warn", event, fields);
  }
  error(event: string, fields?: LogFields): void {
    this.write("error", event, fields);
  }

  /** Writes one line: time, level, event, then `key=value` fields. */
  write(level: LogLevel, event: string, fields: LogFields = {}): void {
    let line = `${new Date().toISOString()} ${
      level.toUpperCase().padEnd(5)
    } ${event}`;
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined || v === "") continue;
      const s = String(v);
      line += /[\s"=]/.test(s) ? ` ${k}=${JSON.stringify(s)}` : ` ${k}=${s}`;
    }
    this.#sink(level, line);
  }
}

/**
 * A `host:port` string for a remote address (IPv6 in brackets).
 *
 * @example
 * ```ts
 * import { formatAddr } from "./log.ts";
 * formatAddr({ hostname: "::1", port: 80 }); // "[::1]:80"
 * ```
 */
export function formatAddr(addr: { hostname: string; port: number }): string {
  return addr.hostname.includes(":")
    ? `[${addr.hostname}]:${addr.port}`
    : `${addr.hostname}:${addr.port}`;
}
