/**
 * Command-line parsing for `main.ts`: flags → `ServerOptions`, with a
 * one-line error for anything wrong.
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  DEFAULTS,
  type EngineName,
  type LogFormat,
  type LogLevel,
  parseSize,
  type ServerOptions,
} from "../options.ts";
import { applySecurityFlags, SECURITY_FLAGS } from "./security_flags.ts";
import { applyDeflateFlags, DEFLATE_FLAGS } from "./deflate_flags.ts";
import {
  applyProgramFlags,
  PROGRAM_FLAGS,
  splitProgramCommand,
} from "./program_flags.ts";
import { USAGE } from "./usage.ts";
import { parseBusSpec } from "../topics/bus.ts";
import { unknownOption } from "./unknown_option.ts";
import {
  applyHistoryFlags,
  HISTORY_FLAGS,
  type HistoryEnv,
} from "./history_flags.ts";

/** What the command line asks for. */
export type CliResult =
  | {
    kind: "serve";
    options: ServerOptions;
    listHandlers: boolean;
    /** One-line warnings to print at start (flags that do nothing). */
    warnings: string[];
  }
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "error"; message: string };

const LEVELS = ["debug", "info", "warn", "error"];
const ENGINES = ["deno", "native"];
const LOG_FORMATS = ["text", "json"];

/** The environment variables the command line falls back on. */
export interface CliEnv extends HistoryEnv {
  PORT?: string;
  DENOSOCKET_HOST?: string;
  DENOSOCKET_OPS_TOKEN?: string;
  DENOSOCKET_BUS?: string;
}

/**
 * Parses command-line arguments. Never throws and never exits: the caller
 * prints and exits.
 *
 * @example
 * ```ts
 * import { parseCli } from "./parse_cli.ts";
 * import assert from "node:assert/strict";
 * const r = parseCli(["-p", "8080"], {});
 * assert.ok(r.kind === "serve");
 * assert.equal(r.options.port, 8080);
 * ```
 */
export function parseCli(args: string[], env: CliEnv): CliResult {
  // `deno task start -- --port 1` passes the "--" through: npm habit.
  const split = splitProgramCommand(args[0] === "--" ? args.slice(1) : args);
  if (typeof split === "string") return { kind: "error", message: split };
  let values;
  try {
    ({ values } = parseArgs({
      args: split.flags,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string", short: "p" },
        host: { type: "string", short: "H" },
        handlers: { type: "string", short: "w" },
        static: { type: "string", short: "d" },
        "no-static": { type: "boolean" },
        engine: { type: "string" },
        bus: { type: "string" },
        "max-message-size": { type: "string" },
        "idle-timeout": { type: "string" },
        "send-high-water": { type: "string" },
        "log-level": { type: "string" },
        "log-format": { type: "string" },
        "no-ops": { type: "boolean" },
        "ops-token": { type: "string" },
        "list-handlers": { type: "boolean" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "V" },
        ...HISTORY_FLAGS,
        ...SECURITY_FLAGS,
        ...DEFLATE_FLAGS,
        ...PROGRAM_FLAGS,
      },
    }));
  } catch (err) {
    const message = (err as Error).message.split("\n")[0];
    const ambiguous = /^Option '(--[\w-]+)' argument is ambiguous/.exec(
      message,
    );
    const unknown = /^Unknown option '(-[^']*)'/.exec(message);
    return {
      kind: "error",
      message: ambiguous
        ? `${ambiguous[1]} needs a value; for one starting with "-" write ${
          ambiguous[1]
        }=VALUE`
        : unknown
        ? unknownOption(unknown[1], USAGE)
        : message,
    };
  }
  if (values.help) return { kind: "help" };
  if (values.version) return { kind: "version" };
  const options: ServerOptions = { ...DEFAULTS };
  const fail = (message: string): CliResult => ({ kind: "error", message });

  const portText = values.port ?? env.PORT;
  if (portText !== undefined) {
    const port = Number(portText);
    if (!/^\d+$/.test(portText.trim()) || port > 65535) {
      return fail(`invalid port "${portText}": expected 0-65535`);
    }
    options.port = port;
  }
  const host = values.host ?? (env.DENOSOCKET_HOST || undefined);
  if (host !== undefined) {
    if (host === "") return fail("invalid --host: empty");
    options.hostname = host;
  }
  if (values.handlers !== undefined) options.handlersDir = values.handlers;
  if (values.static !== undefined && values["no-static"]) {
    return fail("--static and --no-static cannot be used together");
  }
  if (values.static !== undefined) options.staticDir = values.static;
  if (values["no-static"]) options.staticDir = null;
  if (values.engine !== undefined) {
    if (!ENGINES.includes(values.engine)) {
      return fail(
        `invalid --engine "${values.engine}": expected deno or native`,
      );
    }
    options.engine = values.engine as EngineName;
  }
  const busText = values.bus ?? env.DENOSOCKET_BUS;
  if (busText !== undefined) {
    const bus = parseBusSpec(busText);
    if (typeof bus === "string") return fail(bus);
    options.bus = busText;
  }
  const history = applyHistoryFlags(values, env, options);
  if (history) return fail(history);
  for (
    const [flag, key] of [
      ["max-message-size", "maxMessageSize"],
      ["send-high-water", "sendHighWater"],
    ] as const
  ) {
    const text = values[flag];
    if (text === undefined) continue;
    const n = parseSize(text);
    if (n === null) {
      return fail(
        `invalid --${flag} "${text}": expected a size like 65536, 64k or 16MiB`,
      );
    }
    options[key] = n;
  }
  if (values["idle-timeout"] !== undefined) {
    const text = values["idle-timeout"];
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || n > 86400) {
      return fail(
        `invalid --idle-timeout "${text}": expected whole seconds 0-86400`,
      );
    }
    options.idleTimeout = n;
  }
  if (values["log-level"] !== undefined) {
    if (!LEVELS.includes(values["log-level"])) {
      return fail(
        `invalid --log-level "${
          values["log-level"]
        }": expected debug, info, warn or error`,
      );
    }
    options.logLevel = values["log-level"] as LogLevel;
  }
  const security = applySecurityFlags(values, options);
  if (security) return fail(security);
  const deflate = applyDeflateFlags(values, options);
  if (deflate.error) return fail(deflate.error);
  const programs = applyProgramFlags(values, split.command, options);
  if (programs.error) return fail(programs.error);
  if (values["log-format"] !== undefined) {
    if (!LOG_FORMATS.includes(values["log-format"])) {
      return fail(
        `invalid --log-format "${values["log-format"]}": expected text or json`,
      );
    }
    options.logFormat = values["log-format"] as LogFormat;
  }
  const token = values["ops-token"] ?? (env.DENOSOCKET_OPS_TOKEN || undefined);
  if (values["no-ops"] && values["ops-token"] !== undefined) {
    return fail("--ops-token and --no-ops cannot be used together");
  }
  if (values["no-ops"]) options.ops = false;
  else if (token !== undefined) {
    if (!/^[\x21-\x7e]+$/.test(token)) {
      return fail("invalid --ops-token: expected printable ASCII, no spaces");
    }
    options.opsToken = token;
  }
  return {
    kind: "serve",
    options,
    listHandlers: values["list-handlers"] ?? false,
    warnings: [...deflate.warnings, ...programs.warnings],
  };
}
