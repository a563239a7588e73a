/**
 * `programHandler()`: a handler whose every connection runs a program, as
 * websocketd does — so a program can sit in the manifest behind an
 * `accept()` (auth, origin) like any handler, and be compiled in with
 * `deno compile`. `--programs DIR` and `--program CMD` build theirs with it.
 *
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import type { Connection } from "../core/connection.ts";
import { RETRY_AFTER_S } from "../http/guard.ts";
import { refuse } from "../http/refuse.ts";
import type { AcceptResult, Handler, UpgradeInfo } from "../types.ts";
import { cgiEnv } from "./cgi_env.ts";
import { type ForkTicket, programs } from "./runtime.ts";
import { ProgramSession } from "./session.ts";
import { ProgramStats } from "./stats.ts";

/** What `accept()` of a program endpoint may return to let it through. */
export type ProgramAcceptResult = AcceptResult<Record<string, unknown>>;

/** How a program endpoint runs its program. Every member is optional. */
export interface ProgramOptions {
  /** Raw bytes both ways: each stdout chunk a binary message (default: lines as text). */
  binary?: boolean;
  /** stdout and stderr lines to the client as `{"stream":…,"data":…}` JSON (text only). */
  passStderr?: boolean;
  /** The working directory (default: the server's). A relative command is found from here. */
  cwd?: string;
  /** Variables of the server's environment the program gets (default: `--passenv`). */
  passEnv?: readonly string[];
  /** Extra variables, set after the CGI ones. */
  env?: Record<string, string>;
  /** Added to each wait before a signal when the client has gone (default: `--closems`). */
  closeMs?: number;
  /** This endpoint's processes at once; more → 503 (default 0: only `--max-forks`). */
  maxForks?: number;
  /**
   * `SCRIPT_NAME`: `"path"` (default), the path the program is served at;
   * `"root"`, `/` with the whole path in `PATH_INFO`, as for `--program`.
   */
  scriptName?: "path" | "root";
  /** Subprotocols the endpoint speaks (the program learns the chosen one from `HTTP_SEC_WEBSOCKET_PROTOCOL`). */
  protocols?: string[];
  /**
   * Runs before the 101, as a handler's `accept()`: return a `Response` to
   * refuse; a `state` object's members reach the program as `STATE_<NAME>`.
   */
  accept?(
    req: Request,
    info: UpgradeInfo,
  ):
    | Response
    | ProgramAcceptResult
    | void
    | Promise<Response | ProgramAcceptResult | void>;
}

/** What the server knows of a program endpoint (see `programOf`). */
export interface ProgramInfo {
  /** The command and its arguments, as given. */
  argv: readonly string[];
  options: Readonly<ProgramOptions>;
  /** Its counters, for `/_metrics`. */
  stats: ProgramStats;
}

/** Per-connection state of a program endpoint. */
interface ProgramConnState {
  /** The environment, made at `accept()` while the request can be read. */
  env: Record<string, string>;
  /** The decoded path, for log lines. */
  path: string;
  ticket: ForkTicket;
  session?: ProgramSession;
}

const registry = new WeakMap<Handler<unknown>, ProgramInfo>();

/**
 * The program behind `handler`, or `undefined` when it is not a program
 * endpoint.
 *
 * @example
 * ```ts
 * import { programHandler, programOf } from "./program_handler.ts";
 * import assert from "node:assert/strict";
 * const handler = programHandler(["./count.sh"]);
 * assert.deepEqual(programOf(handler)?.argv, ["./count.sh"]);
 * assert.equal(programOf({ message() {} }), undefined);
 * ```
 */
export function programOf(handler: Handler<unknown>): ProgramInfo | undefined {
  return registry.get(handler);
}

/**
 * A handler that runs `argv` (never through a shell) for each connection.
 *
 * @example
 * ```ts
 * import { programHandler } from "./program_handler.ts";
 * import assert from "node:assert/strict";
 * // handlers/count.ts: export default programHandler(["./programs/count.sh"]);
 * const handler = programHandler(["./programs/count.sh"], { closeMs: 500 });
 * assert.equal(typeof handler.open, "function");
 * ```
 */
export function programHandler(
  argv: readonly string[],
  options: ProgramOptions = {},
): Handler<unknown> {
  const problem = optionsProblem(argv, options);
  if (problem) throw new TypeError(`programHandler(): ${problem}`);
  const stats = new ProgramStats();
  const fixed = [...argv];
  let command: string | null = null;
  const handler: Handler<ProgramConnState> = {
    ...(options.protocols ? { protocols: options.protocols } : {}),
    accept: (req, info) => {
      if (!options.accept) return admit(req, info, undefined);
      return Promise.resolve(options.accept(req, info)).then((result) =>
        result instanceof Response
          ? result
          : admit(req, info, result ?? undefined)
      );
    },
    open(conn) {
      const cwd = options.cwd ?? Deno.cwd();
      // A relative command ("./count.sh") is the file in cwd; a bare name
      // ("cat") is looked up on PATH when it starts.
      command ??= fixed[0].includes("/") && !isAbsolute(fixed[0])
        ? resolve(cwd, fixed[0])
        : fixed[0];
      // Handlers see `Conn`; the server's own close codes (1009, 1011,
      // 1013) need the `Connection` behind it.
      const session = new ProgramSession(conn as unknown as Connection, {
        command,
        args: fixed.slice(1),
        cwd,
        env: { ...conn.state.env, UNIQUE_ID: conn.id, ...options.env },
        path: conn.state.path,
        binary: options.binary ?? false,
        passStderr: options.passStderr ?? false,
        closeMs: options.closeMs ?? programs.settings.closeMs,
        stats,
        ticket: conn.state.ticket,
      });
      conn.state.session = session;
      session.start();
    },
    message(conn, data) {
      conn.state.session?.received(data);
    },
    close(conn) {
      conn.state.session?.clientClosed();
    },
  };

  function admit(
    req: Request,
    info: UpgradeInfo,
    result: ProgramAcceptResult | undefined,
  ): Response | AcceptResult<ProgramConnState> {
    const ticket = programs.reserve(stats, options.maxForks ?? 0);
    if (typeof ticket === "string") {
      return refuse(503, ticket, { "retry-after": String(RETRY_AFTER_S) });
    }
    const url = new URL(req.url);
    const path = pathOf(url);
    const env = environment(req, url, path, info, result?.state, options);
    return { state: { env, path, ticket }, headers: result?.headers };
  }

  const made = handler as Handler<unknown>;
  registry.set(made, { argv: fixed, options, stats });
  return made;
}

/** The CGI environment of one upgrade, with the passed-through variables. */
function environment(
  req: Request,
  url: URL,
  path: string,
  info: UpgradeInfo,
  state: unknown,
  options: ProgramOptions,
): Record<string, string> {
  const root = options.scriptName === "root";
  return cgiEnv({
    url,
    headers: req.headers,
    remoteAddr: info.remoteAddr,
    scriptName: root ? "/" : path,
    pathInfo: root ? path : "",
    params: info.params,
    state,
  }, inherited(options.passEnv ?? programs.settings.passEnv));
}

/** The decoded request path, without a trailing slash. */
function pathOf(url: URL): string {
  let path = url.pathname;
  try {
    path = decodeURIComponent(path);
  } catch { /* keep it encoded */ }
  return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}

/** The named variables of the server's environment that are set and readable. */
function inherited(names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const perm = Deno.permissions.querySync({ name: "env", variable: name });
    if (perm.state !== "granted") continue;
    const value = Deno.env.get(name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function optionsProblem(
  argv: readonly string[],
  options: ProgramOptions,
): string | null {
  if (!Array.isArray(argv) || argv.length === 0 || argv[0] === "") {
    return "the first argument must be [command, ...args]";
  }
  if (!argv.every((a) => typeof a === "string")) {
    return "every command argument must be a string";
  }
  if (options.binary && options.passStderr) {
    return "binary and passStderr cannot be combined (websocketd refuses it too)";
  }
  for (const key of ["closeMs", "maxForks"] as const) {
    const n = options[key];
    if (n !== undefined && !(Number.isSafeInteger(n) && n >= 0)) {
      return `${key} must be a whole number ≥ 0`;
    }
  }
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (typeof v !== "string") return `env.${k} must be a string`;
  }
  return null;
}
