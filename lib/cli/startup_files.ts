/**
 * Files the server reads once at start: the TLS certificate and key, the
 * `--basic-auth @FILE` credentials, and the folders `--handlers` and
 * `--static` name. Every problem becomes one clear message, before anything
 * listens.
 *
 * @module
 */
import { DEFAULTS, type ServerOptions } from "../options.ts";

/** PEM text for `Deno.serve`'s `cert` and `key`. */
export interface TlsFiles {
  cert: string;
  key: string;
}

/**
 * Reads `--cert`/`--key` and resolves `--basic-auth @FILE`. Returns the TLS
 * material (or `null` for plain http) and the options with `basicAuth` as
 * `USER:PASS`. Throws an `Error` whose message names the flag and the file.
 *
 * @example
 * ```ts ignore
 * const { tls, options: resolved } = await readStartupFiles(options);
 * Deno.serve({ ...tls, port: resolved.port }, app.fetch);
 * ```
 */
export async function readStartupFiles(
  options: ServerOptions,
): Promise<{ tls: TlsFiles | null; options: ServerOptions }> {
  if (options.handlersDir !== null) {
    await checkFolder("--handlers", options.handlersDir, "");
  }
  // The default static/ is the project's own (inside a compiled binary it is
  // embedded, not a folder on disk): only a folder the user named is checked.
  if (options.staticDir !== null && options.staticDir !== DEFAULTS.staticDir) {
    await checkFolder(
      "--static",
      options.staticDir,
      "; --no-static serves none",
    );
  }
  let tls: TlsFiles | null = null;
  if (options.cert !== null || options.key !== null) {
    if (options.cert === null || options.key === null) {
      throw new Error("--cert and --key must be given together");
    }
    const cert = await readFlagFile("--cert", options.cert);
    const key = await readFlagFile("--key", options.key);
    if (!cert.includes("-----BEGIN CERTIFICATE-----")) {
      throw new Error(
        `--cert ${options.cert}: no PEM certificate in it (expected -----BEGIN CERTIFICATE-----, e.g. fullchain.pem)`,
      );
    }
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)) {
      throw new Error(
        `--key ${options.key}: no PEM private key in it (expected -----BEGIN PRIVATE KEY-----, e.g. privkey.pem)`,
      );
    }
    tls = { cert, key };
    checkPair(tls, options);
  }
  let basicAuth = options.basicAuth;
  if (basicAuth?.startsWith("@")) {
    const text = (await readFlagFile("--basic-auth", basicAuth.slice(1)))
      .split(/\r?\n/)[0];
    if (!/^[^:]+:.+$/.test(text)) {
      throw new Error(
        `--basic-auth ${basicAuth}: the first line must be USER:PASS`,
      );
    }
    basicAuth = text;
  }
  return { tls, options: { ...options, basicAuth } };
}

/** Lets rustls parse the pair now (a throwaway listener) for a clear error. */
function checkPair(tls: TlsFiles, options: ServerOptions): void {
  try {
    Deno.listenTls({ hostname: "127.0.0.1", port: 0, ...tls }).close();
  } catch (err) {
    throw new Error(
      `--cert ${options.cert} / --key ${options.key}: ${
        (err as Error).message
      }`,
    );
  }
}

async function readFlagFile(flag: string, path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound
      ? "no such file"
      : err instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : (err as Error).message;
    throw new Error(`${flag} ${path}: cannot read it (${why})`);
  }
}

async function checkFolder(flag: string, path: string, hint: string) {
  let info;
  try {
    info = await Deno.stat(path);
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound
      ? "no such folder"
      : (err as Error).message;
    throw new Error(`${flag} ${path}: ${why}${hint}`);
  }
  if (!info.isDirectory) {
    throw new Error(`${flag} ${path}: not a folder${hint}`);
  }
}
