/**
 * `Logger`: one line per event, filtered by level. Events carry fields, so
 * the same call sites give `text` lines for people and `json` lines (one
 * object per line: `ts`, `level`, `event`, then the fields) for log shippers.
 *
 * @module
 */
import { stdioWriter } from "./log_writer.ts";
import type { LogFormat, LogLevel } from "./options.ts";

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Field values a log line may carry. */
export type LogFields = Record<string, string | number | boolean | undefined>;

/** Where lines go; defaults to stderr for warn/error and stdout otherwise. */
export type LogSink = (level: LogLevel, line: string) => void;

/**
 * stdout and stderr through the batching `LogWriter` (a write every few ms,
 * nothing lost at exit); an `error` line is written at once.
 */
const defaultSink: LogSink = (level, line) => {
  if (level === "error") stdioWriter().line("err", line, true);
  else stdioWriter().line(level === "warn" ? "err" : "out", line);
};

// The ISO time of the current second, so most lines build no `Date`: one
// `toISOString()` is ~8.5k instructions (callgrind), more than formatting
// all the fields of a close line (~5.5k); the cached prefix costs ~0.5k.
let second = -1;
let secondIso = "";

/** `new Date().toISOString()`, rebuilt once a second. */
function isoNow(): string {
  const ms = Date.now();
  const s = Math.floor(ms / 1000);
  if (s !== second) {
    second = s;
    secondIso = new Date(s * 1000).toISOString().slice(0, -4); // "…:SS."
  }
  return `${secondIso}${String(1000 + ms % 1000).slice(1)}Z`;
}

// Values with spaces, quotes or "=" are quoted in text lines.
const NEEDS_QUOTES = /[\s"=]/;

/**
 * A levelled logger.
 *
 * @example
 * ```ts
 * import { Logger } from "./log.ts";
 * import assert from "node:assert/strict";
 * const lines: string[] = [];
 * const log = new Logger("info", (_level, line) => lines.push(line));
 * log.info("open", { path: "/echo", remote: "127.0.0.1:5000" });
 * log.debug("not written at info");
 * assert.equal(lines.length, 1);
 * assert.match(lines[0], /Z INFO {2}open path=\/echo remote=127\.0\.0\.1:5000$/);
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
    let line = `${isoNow()} ${PADDED[level]} ${event}`;
    for (const k in fields) {
      const v = fields[k];
      if (v === undefined || v === "") continue;
      if (typeof v === "number") {
        line += ` ${k}=${v}`;
        continue;
      }
      const s = String(v);
      line += NEEDS_QUOTES.test(s)
        ? ` ${k}=${JSON.stringify(s)}`
        : ` ${k}=${s}`;
    }
    this.#sink(level, line);
  }

  /**
   * Writes `text` as it is, whatever the level, to the info lines' stream
   * and in order with them: the start banner.
   */
  print(text: string): void {
    this.#sink("info", text);
  }
}

const PADDED: Record<LogLevel, string> = {
  debug: "DEBUG",
  info: "INFO ",
  warn: "WARN ",
  error: "ERROR",
};

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
    ts: isoNow(),
    level,
    event,
  };
  for (const k in fields) {
    const v = fields[k];
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
