/**
 * Server options and their defaults: the one reference for every default.
 *
 * @module
 */
import { STATIC_DIR } from "./paths.ts";

// Chosen by measurement: docs/performance.md, "Why off by default: measured".
const DEFLATE_DEFAULT = false;

/** Log levels, least to most severe. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Log line format: `text` for people, `json` (one object a line) for shippers. */
export type LogFormat = "text" | "json";

/** Which WebSocket implementation serves upgrades. */
export type EngineName = "deno" | "native";

/** Everything the server can be told. */
export interface ServerOptions {
  /** TCP port. Default 9998 (the tutorial's), or `PORT` from the environment. */
  port: number;
  /** Interface to listen on. Default `0.0.0.0`. */
  hostname: string;
  /** Load handlers from this folder at run time instead of the manifest. */
  handlersDir: string | null;
  /** Folder of static files, or `null` for none. Default: `static/`. */
  staticDir: string | null;
  /** Largest message accepted, in bytes; bigger closes with 1009. Default 16 MiB. */
  maxMessageSize: number;
  /** Seconds of silence before a ping; unanswered → close 1001. 0 = off. Default 30. */
  idleTimeout: number;
  /** `send()` returns false above this many buffered bytes. Default 1 MiB. */
  sendHighWater: number;
  /** Least severe level that is logged. Default `info`. */
  logLevel: LogLevel;
  /** WebSocket engine. Default `deno`. */
  engine: EngineName;
  /** PEM certificate chain file (e.g. `fullchain.pem`); with `key` → https + wss. */
  cert: string | null;
  /** PEM private key file (e.g. `privkey.pem`). */
  key: string | null;
  /** Origins allowed to open WebSockets (exact match), or `null` for any. */
  origins: string[] | null;
  /** Allow WebSockets only when `Origin` names this server's `Host`. */
  sameOrigin: boolean;
  /** `USER:PASS` every request must present (HTTP Basic), or `null`. */
  basicAuth: string | null;
  /** Open WebSockets allowed at once; more get 503. 0 = no cap. Default 10000. */
  maxConnections: number;
  /** Open WebSockets allowed per client IP; more get 429. 0 = no cap (default). */
  maxConnectionsPerIp: number;
  /** Messages a connection may send per second; more → close 1008. 0 = off (default). */
  maxMessagesPerSecond: number;
  /**
   * Buffered outgoing bytes at which a connection is closed 1013. Default
   * 16 MiB, or `maxMessageSize` if larger; never below `maxMessageSize`.
   */
  sendBufferLimit: number;
  /** Topic bus: `local`, `broadcast` or `redis://host:port[/db]`. Default `local`. */
  bus: string;
  /** Messages each topic keeps for resume, unless `topicHistory()` says otherwise; 0 = off (default). */
  history: number;
  /** Seconds a kept message lives; 0 = no age bound. Default 3600. */
  historyTtl: number;
  /** Log line format. Default `text`. */
  logFormat: LogFormat;
  /** Serve `/_health` and `/_metrics` (and count for them). Default true. */
  ops: boolean;
  /** Bearer token the ops endpoints require, or `null` for none. Default null. */
  opsToken: string | null;
  /** Negotiate permessage-deflate (native engine only). See docs/performance.md, "Why off by default: measured". */
  deflate: boolean;
  /**
   * With `deflate`: agree on no context takeover both ways, so one zlib
   * stream per direction serves every connection (`--deflate shared`).
   * Default false.
   */
  deflateShared: boolean;
  /** Outgoing messages below this many bytes are sent uncompressed. Default 1 KiB. */
  deflateThreshold: number;
  /** Folder whose executable files are program endpoints, or `null` (default). */
  programsDir: string | null;
  /** One program (command and arguments) for every path without a handler, or `null`. */
  program: string[] | null;
  /** Program endpoints pass raw bytes both ways instead of lines. Default false. */
  binary: boolean;
  /** Program stderr lines also reach the client, JSON-tagged. Default false. */
  passStderr: boolean;
  /** Variables of the server's environment programs get. Default `PATH`, `LD_LIBRARY_PATH` (websocketd's). */
  passEnv: readonly string[];
  /** Milliseconds added to each wait before a signal once a program's stdin is closed. Default 0. */
  closeMs: number;
  /** Programs running at once over every program endpoint; more → 503. 0 = no cap (default). */
  maxForks: number;
}

/**
 * The defaults, in one place.
 *
 * @example
 * ```ts
 * import { DEFAULTS } from "./options.ts";
 * import assert from "node:assert/strict";
 * assert.equal(DEFAULTS.port, 9998);
 * ```
 */
export const DEFAULTS: Readonly<ServerOptions> = Object.freeze({
  port: 9998,
  hostname: "0.0.0.0",
  handlersDir: null,
  staticDir: STATIC_DIR,
  maxMessageSize: 16 * 1024 * 1024,
  idleTimeout: 30,
  sendHighWater: 1024 * 1024,
  logLevel: "info",
  engine: "deno",
  cert: null,
  key: null,
  origins: null,
  sameOrigin: false,
  basicAuth: null,
  maxConnections: 10_000,
  maxConnectionsPerIp: 0,
  maxMessagesPerSecond: 0,
  sendBufferLimit: 16 * 1024 * 1024,
  bus: "local",
  history: 0,
  historyTtl: 3600,
  logFormat: "text",
  ops: true,
  opsToken: null,
  deflate: DEFLATE_DEFAULT,
  deflateShared: false,
  deflateThreshold: 1024,
  programsDir: null,
  program: null,
  binary: false,
  passStderr: false,
  passEnv: Object.freeze(["PATH", "LD_LIBRARY_PATH"]),
  closeMs: 0,
  maxForks: 0,
});

/**
 * Options with every missing member filled from `DEFAULTS`.
 *
 * @example
 * ```ts
 * import { withDefaults } from "./options.ts";
 * import assert from "node:assert/strict";
 * assert.equal(withDefaults({ port: 0 }).idleTimeout, 30);
 * ```
 */
export function withDefaults(
  partial: Partial<ServerOptions> = {},
): ServerOptions {
  const options = { ...DEFAULTS, ...partial };
  // The largest message accepted must fit in the send buffer, or echoing it
  // closes 1013: the default limit follows a bigger --max-message-size.
  if (partial.sendBufferLimit === undefined) {
    options.sendBufferLimit = Math.max(
      options.sendBufferLimit,
      options.maxMessageSize,
    );
  }
  return options;
}

const UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
};

/**
 * Parses a byte size such as `65536`, `64k`, `16MiB` or `1MB`.
 * Returns `null` for anything else.
 *
 * @example
 * ```ts
 * import { parseSize } from "./options.ts";
 * import assert from "node:assert/strict";
 * assert.equal(parseSize("16MiB"), 16777216);
 * ```
 */
export function parseSize(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return null;
  const unit = UNITS[m[2].toLowerCase()];
  if (unit === undefined) return null;
  const n = Math.floor(Number(m[1]) * unit);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}
