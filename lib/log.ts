/**
 * `Logger`: one line per event, filtered by level. Events carry fields, so
 * the same call sites give `text` lines for people and `json` lines (one
 * object per line: `ts`, `level`, `event`, then the fields) for log shippers.
 *
 * @module
 */
import type { LogFormat, LogLevel } from "./options.ts";

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
  #format: LogFormat;

  constructor(
    level: LogLevel = "info",
    sink: LogSink = defaultSink,
    format: LogFormat = "text",
  ) {
    this.#rank = RANK[level];
    this.#sink = sink;
    this.#format = format;
  }

  /** `text` or `json`. */
  get format(): LogFormat {
    return this.#format;
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

  /**
   * Writes one line: time, level, event, then the fields — `key=value` pairs
   * in text, or one JSON object (see `jsonLine()`).
   */
  write(level: LogLevel, event: string, fields: LogFields = {}): void {
    if (this.#format === "json") {
      this.#sink(level, jsonLine(level, event, fields));
      return;
    }
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
 * One JSON log line: `ts` (ISO 8601), `level`, `event`, then every defined
 * field in call order. Empty strings are kept so each event always carries
 * the same keys; `ts`/`level`/`event` cannot be overridden by a field.
 *
 * @example
 * ```ts
 * import { jsonLine } from "./log.ts";
 * import assert from "node:assert/strict";
 * const line = jsonLine("info", "open", { path: "/echo" });
 * // {"ts":"2026-…Z","level":"info","event":"open","path":"/echo"}
 * const { ts, ...rest } = JSON.parse(line);
 * assert.equal(new Date(ts).toISOString(), ts);
 * assert.deepEqual(rest, { level: "info", event: "open", path: "/echo" });
 * ```
 */
export function jsonLine(
  level: LogLevel,
  event: string,
  fields: LogFields,
): string {
  const out: Record<string, string | number | boolean> = {
    ts: new Date().toISOString(),
    level,
    event,
  };
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined || Object.hasOwn(out, k)) continue;
    // NaN and Infinity are not JSON: keep the key, as a string.
    out[k] = typeof v === "number" && !Number.isFinite(v) ? String(v) : v;
  }
  return JSON.stringify(out);
}

/**
 * A `host:port` string for a remote address (IPv6 in brackets).
 *
 * @example
 * ```ts
 * import { formatAddr } from "./log.ts";
 * import assert from "node:assert/strict";
 * assert.equal(formatAddr({ hostname: "::1", port: 80 }), "[::1]:80");
 * ```
 */
export function formatAddr(addr: { hostname: string; port: number }): string {
  return addr.hostname.includes(":")
    ? `[${addr.hostname}]:${addr.port}`
    : `${addr.hostname}:${addr.port}`;
}
