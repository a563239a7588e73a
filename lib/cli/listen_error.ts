/**
 * `listenErrorLine()`: why the listener could not start, as one line that
 * names the flag and what to do, instead of Deno's uncaught-error trace.
 *
 * @module
 */
import { formatAddr } from "../log.ts";

/**
 * One line for an error thrown by `Deno.serve()` or `Deno.listen()`.
 *
 * @example
 * ```ts
 * import { listenErrorLine } from "./listen_error.ts";
 * import assert from "node:assert/strict";
 * const err = new Deno.errors.AddrInUse("Address already in use (os error 98)");
 * assert.match(
 *   listenErrorLine(err, { hostname: "0.0.0.0", port: 9998 }),
 *   /^port 9998 is already in use on 0\.0\.0\.0: /,
 * );
 * ```
 */
export function listenErrorLine(
  err: unknown,
  where: { hostname: string; port: number },
): string {
  const { hostname, port } = where;
  const why = err instanceof Error ? err.message : String(err);
  if (err instanceof Deno.errors.AddrInUse) {
    return `port ${port} is already in use on ${hostname}: stop what listens ` +
      `there, or pick another port with --port (--port 0 takes a free one)`;
  }
  if (err instanceof Deno.errors.AddrNotAvailable) {
    return `--host ${hostname}: not an address of this machine (${why}); ` +
      `0.0.0.0 listens on all of them, 127.0.0.1 on this machine only`;
  }
  if (/failed to lookup address/.test(why)) {
    return `--host ${hostname}: no such address or host name (${why}); ` +
      `give an IP address of this machine, localhost or 0.0.0.0`;
  }
  if (err instanceof Deno.errors.NotCapable) {
    return `no permission to listen (${why}): run with --allow-net, as ` +
      `deno task start does`;
  }
  if (err instanceof Deno.errors.PermissionDenied && port < 1024) {
    return `port ${port}: the system allows ports below 1024 only to root; ` +
      `pick a higher one with --port`;
  }
  return `cannot listen on ${formatAddr(where)}: ${why}`;
}
