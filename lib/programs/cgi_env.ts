/**
 * `cgiEnv()`: the environment a program endpoint runs with — the CGI
 * variables websocketd sets (`libwebsocketd/env.go`: RFC 3875's, then
 * `REMOTE_PORT`, `REQUEST_URI`, `HTTPS` under TLS and one `HTTP_<NAME>` per
 * request header), then the route parameters and the `accept()` state.
 * Nothing of the server's own environment but what the caller passes in
 * `inherited`. Built before the 101, while the request can still be read
 * (Deno's request headers are gone once the upgrade is done); `UNIQUE_ID`,
 * the connection id, is added when the connection opens.
 *
 * @module
 */
import type { RemoteAddr } from "../types.ts";
import { VERSION } from "../version.ts";

/** What one upgrade tells a program about itself. */
export interface CgiRequest {
  /** The upgrade's URL (`https:` under TLS). */
  url: URL;
  headers: Headers;
  remoteAddr: RemoteAddr;
  /** The path the program is served at (`/` for `--program`), decoded. */
  scriptName: string;
  /** The rest of the path after `scriptName` (`--program`: the whole path). */
  pathInfo: string;
  /** Route parameters: each becomes `PARAM_<NAME>`. */
  params: Readonly<Record<string, string>>;
  /** `accept()` state: each member becomes `STATE_<NAME>`. */
  state: unknown;
}

/**
 * websocketd clears these so that nothing leaks in from the server's own
 * environment (it passes none of them a value).
 */
const CLEARED = [
  "AUTH_TYPE",
  "CONTENT_LENGTH",
  "CONTENT_TYPE",
  "REMOTE_IDENT",
  "REMOTE_USER",
];

/**
 * The environment for one connection's program: `inherited` (the variables
 * `--passenv` lets through), then the CGI variables, which win over them.
 *
 * @example
 * ```ts
 * import { cgiEnv } from "./cgi_env.ts";
 * import assert from "node:assert/strict";
 * const env = cgiEnv({
 *   url: new URL("http://localhost:9998/count.sh?n=3"),
 *   headers: new Headers({ host: "localhost:9998", "x-trace-id": "42" }),
 *   remoteAddr: { hostname: "127.0.0.1", port: 50000 },
 *   scriptName: "/count.sh",
 *   pathInfo: "",
 *   params: {},
 *   state: undefined,
 * }, { PATH: "/usr/bin:/bin" });
 * assert.equal(env.QUERY_STRING, "n=3");
 * assert.equal(env.SERVER_PORT, "9998");
 * assert.equal(env.HTTP_X_TRACE_ID, "42");
 * assert.equal(env.PATH, "/usr/bin:/bin");
 * ```
 */
export function cgiEnv(
  req: CgiRequest,
  inherited: Record<string, string>,
): Record<string, string> {
  const { url, headers, remoteAddr } = req;
  const https = url.protocol === "https:";
  const [serverName, serverPort] = hostAndPort(
    headers.get("host") ?? url.host,
    https ? "443" : "80",
  );
  const env: Record<string, string> = {
    ...inherited,
    SERVER_SOFTWARE: `denosocket/${VERSION}`,
    REMOTE_ADDR: remoteAddr.hostname,
    // No reverse lookup, as websocketd without --reverselookup.
    REMOTE_HOST: remoteAddr.hostname,
    SERVER_NAME: serverName,
    SERVER_PORT: serverPort,
    SERVER_PROTOCOL: "HTTP/1.1",
    GATEWAY_INTERFACE: "CGI/1.1",
    REQUEST_METHOD: "GET",
    SCRIPT_NAME: req.scriptName,
    PATH_INFO: req.pathInfo,
    PATH_TRANSLATED: decodePath(url.pathname),
    QUERY_STRING: url.search.slice(1),
  };
  for (const name of CLEARED) env[name] = "";
  env.REMOTE_PORT = String(remoteAddr.port);
  env.REQUEST_URI = url.pathname + url.search;
  if (https) env.HTTPS = "on";
  const fromHeaders = new Set<string>();
  for (const [name, value] of headers) {
    // httpoxy: a client's `Proxy:` header must not become HTTP_PROXY, which
    // HTTP libraries read as their outgoing proxy (websocketd passes it).
    if (name === "proxy") continue;
    const key = `HTTP_${name.toUpperCase().replaceAll("-", "_")}`;
    const clean = oneLine(value);
    // `x-a` and `x_a` name one variable: keep both values, as Go's header
    // map would.
    env[key] = fromHeaders.has(key) ? `${env[key]}, ${clean}` : clean;
    fromHeaders.add(key);
  }
  for (const [name, value] of Object.entries(req.params)) {
    env[`PARAM_${envName(name)}`] = oneLine(value);
  }
  addState(env, req.state);
  return env;
}

/**
 * `accept()` state as `STATE_<NAME>` variables: each own member of a plain
 * object; strings as they are, anything else as JSON.
 */
function addState(env: Record<string, string>, state: unknown): void {
  if (typeof state !== "object" || state === null || Array.isArray(state)) {
    return;
  }
  for (const [name, value] of Object.entries(state)) {
    if (value === undefined || typeof value === "function") continue;
    const text = typeof value === "string" ? value : JSON.stringify(value);
    env[`STATE_${envName(name)}`] = oneLine(text);
  }
}

/** `a-b.c` → `A_B_C`: letters, digits and `_` only. */
function envName(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9_]/g, "_");
}

/** As websocketd: newlines become spaces, then the value is trimmed. */
function oneLine(value: string): string {
  return value.replace(/[\r\n]/g, " ").trim();
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * `SERVER_NAME` and `SERVER_PORT` from a `Host` header, the port defaulting
 * to the scheme's (websocketd's `tellHostPort`); IPv6 without brackets.
 */
function hostAndPort(host: string, defaultPort: string): [string, string] {
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(host);
  if (!m) return [host, ""];
  const name = m[1].startsWith("[") ? m[1].slice(1, -1) : m[1];
  return [name, m[2] ?? defaultPort];
}
